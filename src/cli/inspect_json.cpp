// inspect's JSON on its own, so the certificate fuzz target renders it without the CLI.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_vocabulary.h"
#include "pki/inspect.h"

namespace devcert::cli {

nlohmann::json inspect_json(const pki::CertificateReport& r, const std::optional<trust::CaCertificate>& ca) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [label, value] : r.sans) names.push_back(json_name(pki::san_type(label), value));
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"code", f.code}, {"severity", f.severity}, {"message", f.message}});
  return {{"ok", !pki::clients_reject(r)},
          {"subject", json_text_or_null(r.subject)},
          {"issuer", json_text_or_null(r.issuer)},
          {"serial", r.serial},
          {"names", names},
          {"not_before", r.not_before},
          {"not_after", r.not_after},
          {"days_left", r.days_left},
          {"validity_days", r.validity_days},
          {"key_type", json_text_or_null(r.key)},
          {"signature_algorithm", r.signature_algorithm},
          {"extended_key_usage", r.extended_key_usage},
          {"is_ca", r.is_ca},
          {"fingerprint_sha256", r.fingerprint_sha256},
          {"ca", ca ? json_ca(*ca) : nlohmann::json(nullptr)},
          {"issued_by_ca", r.issued_by_devcert_ca ? nlohmann::json(*r.issued_by_devcert_ca) : nlohmann::json(nullptr)},
          {"findings", findings}};
}

}  // namespace devcert::cli
