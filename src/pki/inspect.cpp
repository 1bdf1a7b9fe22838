#include "pki/inspect.h"

#include <openssl/bn.h>

#include <algorithm>
#include <ctime>
#include <sstream>

#include "pki/cert_names.h"
#include "pki/keys.h"
#include "pki/names.h"
#include "pki/profiles.h"
#include "util/text.h"

namespace devcert::pki {
namespace {

// UTF-8 (non-ASCII kept, so a Unicode name reads as itself), then escaped: OpenSSL escapes
// the C0 controls but passes the C1 ones (U+009B is a CSI to some terminals) through.
std::string name_text(const X509_NAME* name) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return text::printable(std::string_view(data, static_cast<size_t>(len)));
}

// SANs are IA5String (ASCII): any other byte is shown as \xNN, so a hostile certificate can
// neither break the JSON (which must be UTF-8) nor send control sequences to the terminal.
std::string ascii_text(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

long days_between(const ASN1_TIME* from, const ASN1_TIME* to) {
  int days = 0, secs = 0;
  if (!ASN1_TIME_diff(&days, &secs, from, to)) return 0;
  return days;
}

bool has_cn(X509* cert) {
  return X509_NAME_get_index_by_NID(X509_get_subject_name(cert), NID_commonName, -1) >= 0;
}

void add(CertificateReport& r, std::string code, std::string severity, std::string message) {
  r.findings.push_back({std::move(code), std::move(severity), std::move(message)});
}

}  // namespace

std::string iso_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool clients_reject(const CertificateReport& report) {
  return std::any_of(report.findings.begin(), report.findings.end(),
                     [](const Finding& f) { return f.severity == "error"; });
}

CertificateReport inspect_certificate(X509* cert, X509* ca) {
  CertificateReport r;
  r.subject = name_text(X509_get_subject_name(cert));
  r.issuer = name_text(X509_get_issuer_name(cert));
  ossl::Bignum serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    r.serial = hex;
    OPENSSL_free(hex);
  }
  for (const AltName& n : alt_names(cert)) {
    switch (n.kind) {
      case AltName::Kind::dns: r.sans.emplace_back("DNS", ascii_text(n.value)); break;
      case AltName::Kind::ip: r.sans.emplace_back("IP", n.value); break;
      case AltName::Kind::email: r.sans.emplace_back("email", ascii_text(n.value)); break;
      case AltName::Kind::uri: r.sans.emplace_back("URI", ascii_text(n.value)); break;
      case AltName::Kind::other: r.sans.emplace_back("other", ""); break;
    }
  }

  const ASN1_TIME* nb = X509_get0_notBefore(cert);
  const ASN1_TIME* na = X509_get0_notAfter(cert);
  r.not_before = iso_time(nb);
  r.not_after = iso_time(na);
  ossl::Asn1Time now(ASN1_TIME_set(nullptr, std::time(nullptr)));
  r.days_left = days_between(now.get(), na);
  r.validity_days = days_between(nb, na);

  if (EVP_PKEY* key = X509_get0_pubkey(cert)) r.key = describe_key(key);
  r.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(cert));
  r.is_ca = X509_check_ca(cert) != 0;
  uint32_t xku = X509_get_extended_key_usage(cert);
  bool has_eku = (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0;
  if (has_eku) {
    if (xku & XKU_SSL_SERVER) r.extended_key_usage.push_back("serverAuth");
    if (xku & XKU_SSL_CLIENT) r.extended_key_usage.push_back("clientAuth");
    if (xku & XKU_SMIME) r.extended_key_usage.push_back("emailProtection");
    if (xku & XKU_CODE_SIGN) r.extended_key_usage.push_back("codeSigning");
  }
  if (ca) r.issued_by_devcert_ca = X509_check_issued(ca, cert) == X509_V_OK &&
                                   X509_verify(cert, X509_get0_pubkey(ca)) == 1;
  r.fingerprint_sha256 = fingerprint_sha256(cert);

  if (X509_cmp_time(nb, nullptr) > 0)
    add(r, "not_yet_valid", "error", "not valid before " + r.not_before + " (check the clock)");
  if (X509_cmp_time(na, nullptr) < 0)
    add(r, "expired", "error", "expired on " + r.not_after);
  int sig = X509_get_signature_nid(cert);
  if (sig == NID_sha1WithRSAEncryption || sig == NID_ecdsa_with_SHA1 || sig == NID_md5WithRSAEncryption)
    add(r, "sha1", "error", "signed with " + r.signature_algorithm + ", which browsers reject");
  if (EVP_PKEY* key = X509_get0_pubkey(cert); key && is_rsa(key) && EVP_PKEY_get_bits(key) < 2048)
    add(r, "weak_key", "error", r.key + " is below the 2048-bit minimum clients enforce");
  // A root that signs certificates (keyUsage keyCertSign) is not judged as a server certificate;
  // a self-signed CA:TRUE certificate without it (what `openssl req -x509` makes) may be one.
  bool signs_certificates = (X509_get_extension_flags(cert) & EXFLAG_KUSAGE) &&
                            (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN);
  if (X509_get_extension_flags(cert) & EXFLAG_SS && !signs_certificates)
    add(r, "self_signed", "error",
        "self-signed: no client trusts it (Chrome: ERR_CERT_AUTHORITY_INVALID, Node: "
        "DEPTH_ZERO_SELF_SIGNED_CERT); issue one from your CA instead: devcert issue NAME");
  if (!r.is_ca || !signs_certificates) {
    if (r.sans.empty()) {
      if (has_cn(cert))
        add(r, "cn_only", "error",
            "names only in the CN: Chrome, Firefox, Go, Python 3.7+ and Node ignore the CN and need a SAN");
      else
        add(r, "no_san", "error", "no subjectAltName: no client will match it to a host");
    }
    if (r.validity_days > kMaxLeafDays)
      add(r, "validity_over_825_days", "error",
          "valid for " + std::to_string(r.validity_days) +
              " days; Apple platforms reject TLS certificates valid for more than 825");
    if (has_eku && !(xku & XKU_SSL_SERVER))
      add(r, "no_server_auth", "error", "the extendedKeyUsage lacks serverAuth: TLS servers cannot use it");
    if (!has_eku)
      add(r, "no_eku", "warning", "no extendedKeyUsage; Apple platforms require serverAuth");
  }
  return r;
}

std::string_view san_type(std::string_view label) {
  if (label == "DNS") return kind_name(NameKind::dns);
  if (label == "IP") return kind_name(NameKind::ip);
  if (label == "email") return kind_name(NameKind::email);
  if (label == "URI") return "uri";
  return "other";
}

std::string to_text(const CertificateReport& r) {
  std::ostringstream out;
  out << "subject:     " << r.subject << "\n";
  out << "names:       ";
  if (r.sans.empty()) out << "(none)";
  for (size_t i = 0; i < r.sans.size(); ++i)
    out << (i ? ", " : "") << r.sans[i].first << ":" << r.sans[i].second;
  out << "\n";
  out << "valid:       " << r.not_before << " to " << r.not_after << " (";
  out << (r.days_left >= 0 ? std::to_string(r.days_left) + " days left" : "expired") << ")\n";
  out << "key:         " << r.key << ", signed with " << r.signature_algorithm << "\n";
  out << "issuer:      " << r.issuer;
  if (r.issued_by_devcert_ca) out << (*r.issued_by_devcert_ca ? " (your devcert CA)" : " (not your devcert CA)");
  out << "\n";
  if (!r.extended_key_usage.empty()) {
    out << "usage:       ";
    for (size_t i = 0; i < r.extended_key_usage.size(); ++i) out << (i ? ", " : "") << r.extended_key_usage[i];
    out << "\n";
  }
  if (r.is_ca) out << "type:        certificate authority\n";
  out << "sha256:      " << r.fingerprint_sha256 << "\n";
  if (r.findings.empty()) out << "findings:    none\n";
  for (const auto& f : r.findings) out << f.severity << ": " << f.message << "\n";
  return out.str();
}

}  // namespace devcert::pki
