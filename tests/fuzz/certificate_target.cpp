#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "error.h"
#include "fuzz/targets.h"
#include "pki/certificate.h"
#include "pki/inspect.h"
#include "pki/keys.h"

namespace devcert::fuzz {
namespace {

// A devcert root to compare with, as `devcert inspect` does when a CA exists.
X509* devcert_root() {
  static ossl::X509Ptr root = [] {
    ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
    pki::RootProfile profile;
    profile.user_host = "fuzz@localhost";
    return pki::build_root(profile, key.get());
  }();
  return root.get();
}

bool is_fingerprint(std::string_view s) {  // "AB:CD:..." 32 bytes
  if (s.size() != 32 * 3 - 1) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (i % 3 == 2 ? s[i] != ':' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

}  // namespace

void certificate(std::string_view data) {
  std::vector<ossl::X509Ptr> certs;
  try {
    certs = pki::load_certificates(data, "fuzz input");
  } catch (const Error&) {
    return;
  }
  DEVCERT_FUZZ_CHECK(!certs.empty());
  for (const ossl::X509Ptr& cert : certs) {
    DEVCERT_FUZZ_CHECK(cert);
    pki::CertificateReport report = pki::inspect_certificate(cert.get(), devcert_root());
    DEVCERT_FUZZ_CHECK(is_fingerprint(report.fingerprint_sha256));
    DEVCERT_FUZZ_CHECK(report.issued_by_devcert_ca.has_value());
    for (const pki::Finding& f : report.findings) {
      DEVCERT_FUZZ_CHECK(!f.code.empty() && !f.message.empty());
      DEVCERT_FUZZ_CHECK(f.severity == "error" || f.severity == "warning");
    }
    // Both renderings of `devcert inspect` work on whatever the certificate holds.
    std::string text = pki::to_text(report);
    DEVCERT_FUZZ_CHECK(text.find(report.fingerprint_sha256) != std::string::npos);
    // Nothing from the certificate reaches the terminal as a control sequence.
    for (const auto& [type, value] : report.sans)
      DEVCERT_FUZZ_CHECK(std::none_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c >= 0x7f; }));
    nlohmann::json json = nlohmann::json::parse(cli::inspect_json(report, std::nullopt).dump());
    DEVCERT_FUZZ_CHECK(json["fingerprint_sha256"] == report.fingerprint_sha256);
    DEVCERT_FUZZ_CHECK(json["findings"].size() == report.findings.size());
    DEVCERT_FUZZ_CHECK(json["names"].size() == report.sans.size());
    // The DER form of what was loaded loads back as the same certificate.
    ossl::X509Ptr again = pki::load_certificate(pki::certificate_der(cert.get()), "re-encoded");
    DEVCERT_FUZZ_CHECK(pki::fingerprint_sha256(again.get()) == report.fingerprint_sha256);
  }
}

}  // namespace devcert::fuzz
