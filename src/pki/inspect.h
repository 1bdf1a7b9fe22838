// A readable report of any certificate, with the findings that make clients reject it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ossl/handles.h"

namespace devcert::pki {

struct Finding {
  std::string code;      // stable identifier: "no_san", "expired", ...
  std::string severity;  // "error": clients reject it; "warning": some clients or tools do
  std::string message;
};

struct CertificateReport {
  std::string subject;
  std::string issuer;
  std::string serial;  // hex
  std::vector<std::pair<std::string, std::string>> sans;  // {"DNS"|"IP"|"email"|"URI", value}
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;
  long days_left = 0;  // negative once expired
  long validity_days = 0;
  std::string key;  // "ECDSA P-256"
  std::string signature_algorithm;
  std::vector<std::string> extended_key_usage;
  bool is_ca = false;
  std::optional<bool> issued_by_devcert_ca;  // nullopt when there is no CA to compare with
  std::string fingerprint_sha256;
  std::vector<Finding> findings;
};

// Whether a finding is one clients reject the certificate for (severity "error").
bool clients_reject(const CertificateReport& report);

// `ca` may be null (no CAROOT): then issued_by_devcert_ca stays empty.
CertificateReport inspect_certificate(X509* cert, X509* ca);

// The text `devcert inspect` prints; its JSON is the command's (cli/commands.h: inspect_json).
std::string to_text(const CertificateReport& report);

// A name's type in every command's JSON for the label `sans` gives it: "dns", "ip" and "email"
// as pki::kind_name spells them, "uri", and "other" for a kind devcert does not read.
std::string_view san_type(std::string_view label);

// ISO 8601 UTC text of an ASN1_TIME ("2026-11-25T06:00:00Z").
std::string iso_time(const ASN1_TIME* t);

}  // namespace devcert::pki
