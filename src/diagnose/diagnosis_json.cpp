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

nlohmann::json to_json(const Stage& s) {
  return {{"name", s.name}, {"status", status_text(s.status)}, {"detail", s.detail}, {"ms", s.ms}};
}

nlohmann::json to_json(const Diagnosis& d) {
  const CauseInfo& info = cause_info(d.cause);
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : d.stages) stages.push_back(to_json(s));
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : d.peer_certificates) peers.push_back({{"subject", p.subject}, {"issuer", p.issuer}});
  return {{"ok", d.ok},
          {"url", d.endpoint.url()},
          {"stage", d.stage},
          {"cause", d.cause},
          {"message", d.message},
          {"fix", d.fix},
          {"clients",
           {{"chrome", info.clients.chrome},
            {"firefox", info.clients.firefox},
            {"node", info.clients.node},
            {"python", info.clients.python},
            {"curl", info.clients.curl}}},
          {"stages", stages},
          {"peer_certificates", peers},
          {"warnings", d.warnings}};
}

}  // namespace devcert::diagnose
