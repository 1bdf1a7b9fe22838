#include "pki/cert_names.h"

#include <openssl/x509v3.h>

#include "pki/names.h"

namespace devcert::pki {
namespace {

std::string bytes_of(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
}

}  // namespace

std::vector<AltName> alt_names(const GENERAL_NAMES* sans) {
  std::vector<AltName> out;
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(sans, i);
    switch (gen->type) {
      case GEN_DNS: out.push_back({AltName::Kind::dns, bytes_of(gen->d.dNSName)}); break;
      case GEN_IPADD: out.push_back({AltName::Kind::ip, ip_to_string(bytes_of(gen->d.iPAddress))}); break;
      case GEN_EMAIL: out.push_back({AltName::Kind::email, bytes_of(gen->d.rfc822Name)}); break;
      case GEN_URI: out.push_back({AltName::Kind::uri, bytes_of(gen->d.uniformResourceIdentifier)}); break;
      default: out.push_back({AltName::Kind::other, {}}); break;
    }
  }
  return out;
}

// Handles below: ip_to_string and push_back may throw while the decoded names are held.
std::vector<AltName> alt_names(X509* cert) {
  ossl::GeneralNames sans(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  return alt_names(sans.get());
}

std::vector<AltName> alt_names(X509_REQ* req) {
  ossl::ExtensionStack exts(X509_REQ_get_extensions(req));
  if (!exts) return {};
  ossl::GeneralNames sans(static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  return alt_names(sans.get());
}

std::string common_name(const X509_NAME* name) {
  int at = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
  const X509_NAME_ENTRY* cn = at >= 0 ? X509_NAME_get_entry(name, at) : nullptr;
  return cn ? bytes_of(X509_NAME_ENTRY_get_data(cn)) : std::string();
}

}  // namespace devcert::pki
