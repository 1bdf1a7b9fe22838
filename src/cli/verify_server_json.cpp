// The one JSON shape of `devcert verify-server --json`, self test and URL alike
// (man/json/verify-server.schema.json): the verdicts (null where the mode judges none), the
// first failure of what decides the exit status (or the ok values), the setup stages, the
// walks (a URL: exactly one), the certificates found and the server's log.
#include <nlohmann/json.hpp>

#include "cli/json_vocabulary.h"
#include "cli/self_test_verdicts.h"
#include "cli/wss_commands.h"
#include "diagnose/causes.h"
#include "util/text.h"

namespace devcert::cli {
namespace {

nlohmann::json null_if_empty(const std::string& s) { return json_text_or_null(text::printable(s)); }

nlohmann::json problem_json(const std::string& cause, const std::string& message) {
  nlohmann::json p = nlohmann::json::object();
  p["cause"] = cause;
  p["message"] = null_if_empty(message);
  return p;
}

nlohmann::json walk_json(const std::string& name, bool required, const diagnose::Diagnosis& d) {
  nlohmann::json w = {{"name", name}, {"required", required}};
  w.update(diagnose::to_json(d));
  return w;
}

// Every key, in one order, with the values of success: each mode then fills what it judged.
nlohmann::json skeleton(const char* mode) {
  return {{"ok", true},
          {"mode", mode},
          {"root_works", nullptr},
          {"machine_trust", nullptr},
          {"stage", "done"},
          {"cause", "ok"},
          {"message", std::string(diagnose::cause_info("ok").meaning)},
          {"fix", nullptr},
          {"clients", nullptr},
          {"problems", nlohmann::json::array()},
          {"setup", nlohmann::json::array()},
          {"walks", nlohmann::json::array()},
          {"issued", nullptr},
          {"server_log", nlohmann::json::array()}};
}

void set_failure(nlohmann::json& j, const diagnose::Diagnosis& d) {
  nlohmann::json walk = diagnose::to_json(d);
  for (const char* key : {"ok", "stage", "cause", "message", "fix", "clients", "problems"}) j[key] = walk[key];
}

nlohmann::json verdict_json(const Verdict& v) {
  return {{"ok", v.ok},
          {"summary", v.summary},
          {"cause", null_if_empty(v.cause)},
          {"message", null_if_empty(v.message)},
          {"fix", null_if_empty(v.fix)}};
}

}  // namespace

nlohmann::json url_json(const diagnose::Diagnosis& d) {
  nlohmann::json j = skeleton("url");
  if (!d.ok) set_failure(j, d);
  j["walks"].push_back(walk_json(d.endpoint.url(), true, d));
  return j;
}

nlohmann::json self_test_json(const wss::SelfTestReport& report, const SelfTestVerdicts& verdicts) {
  nlohmann::json j = skeleton("self_test");
  j["ok"] = verdicts.ok();
  j["root_works"] = verdict_json(verdicts.root);
  if (verdicts.machine) {
    nlohmann::json m = verdict_json(*verdicts.machine);
    m["required"] = verdicts.machine->required;
    m["stores"] = nlohmann::json::array();
    for (const auto& s : verdicts.machine->stores)
      m["stores"].push_back(json_store_status(s));
    j["machine_trust"] = std::move(m);
  }
  for (const auto& s : report.setup) j["setup"].push_back(diagnose::to_json(s));
  for (const auto& walk : report.walks) j["walks"].push_back(walk_json(walk.name, walk.required, walk.diagnosis));
  // The first failure among what decides the exit status: setup, the walks trusting the root,
  // then (with --require-trust) this machine's trust.
  if (!verdicts.root.ok && verdicts.root.cause == "setup_failed") {
    j["ok"] = false;
    for (const auto& s : report.setup)
      if (s.status != diagnose::Stage::Status::ok) j["stage"] = s.name;
    j["cause"] = "setup_failed";
    j["message"] = null_if_empty(verdicts.root.message);
    j["fix"] = null_if_empty(verdicts.root.fix);
    j["problems"] = nlohmann::json::array();
    j["problems"].push_back(problem_json("setup_failed", verdicts.root.message));
  } else if (!verdicts.root.ok) {
    for (const auto& walk : report.walks)
      if (walk.name != wss::kSystemWalkName && !walk.diagnosis.ok) {
        set_failure(j, walk.diagnosis);
        break;
      }
  } else if (!verdicts.ok()) {
    const MachineTrust& m = *verdicts.machine;
    const diagnose::Diagnosis* system = nullptr;
    for (const auto& walk : report.walks)
      if (walk.name == wss::kSystemWalkName) system = &walk.diagnosis;
    if (system && !system->ok) {
      set_failure(j, *system);
    } else {
      j["ok"] = false;
      j["stage"] = "trust";
      j["cause"] = m.cause;
      j["clients"] = m.cause == "setup_failed" ? nlohmann::json(nullptr) : diagnose::clients_json(m.cause);
      j["problems"] = nlohmann::json::array();
      j["problems"].push_back(problem_json(m.cause, m.message));
    }
    j["message"] = null_if_empty(m.message);
    j["fix"] = null_if_empty(m.fix);
  }
  if (verdicts.issued) {
    j["issued"] = nlohmann::json::array();
    for (const auto& p : *verdicts.issued)
      j["issued"].push_back({{"cert", p.cert.string()}, {"key", p.key.string()}, {"command", text::printable(p.command)}});
  }
  for (const auto& entry : report.server_log) j["server_log"].push_back(text::printable(entry));
  return j;
}

}  // namespace devcert::cli
