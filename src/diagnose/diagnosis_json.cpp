// The walk's result as data: stage names, statuses and the JSON both modes of verify-server print.
#include "diagnose/causes.h"
#include "diagnose/diagnose.h"

namespace devcert::diagnose {

std::string_view status_text(Stage::Status s) {
  switch (s) {
    case Stage::Status::ok: return "ok";
    case Stage::Status::failed: return "failed";
    case Stage::Status::skipped: return "skipped";
  }
  return "?";
}

const std::vector<std::string>& stage_names() {
  static const std::vector<std::string> names{"url", "dns", "tcp", "tls", "certificate",
                                              "trust", "hostname", "websocket", "echo"};
  return names;
}

namespace {

// The shared JSON vocabulary (man/json/common.schema.json): an absent value is null, never "".
nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

}  // namespace

nlohmann::json to_json(const Stage& s) {
  return {{"name", s.name}, {"status", status_text(s.status)}, {"detail", text_or_null(s.detail)}, {"ms", s.ms}};
}

nlohmann::json clients_json(std::string_view cause) {
  if (cause == "ok") return nullptr;
  const ClientMessages& c = cause_info(cause).clients;
  return {{"chrome", c.chrome}, {"firefox", c.firefox}, {"node", c.node}, {"python", c.python}, {"curl", c.curl}};
}

nlohmann::json to_json(const Diagnosis& d) {
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : d.stages) stages.push_back(to_json(s));
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : d.peer_certificates) peers.push_back({{"subject", p.subject}, {"issuer", p.issuer}});
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : d.problems) problems.push_back({{"cause", p.cause}, {"message", text_or_null(p.message)}});
  return {{"ok", d.ok},
          {"url", d.endpoint.url()},
          {"stage", d.stage},
          {"cause", d.cause},
          {"message", text_or_null(d.message)},
          {"fix", text_or_null(d.fix)},
          {"clients", clients_json(d.cause)},
          {"problems", problems},
          {"stages", stages},
          {"peer_certificates", peers},
          {"warnings", d.warnings}};
}

}  // namespace devcert::diagnose
