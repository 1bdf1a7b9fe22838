// Shared fixtures for PKI tests: a CA made in memory, field readers.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "pki/ca.h"
#include "pki/certificate.h"
#include "pki/issue.h"

namespace devcert::pki {

// How gtest prints a KeyType parameter (else as the enum's raw bytes): "ecdsa-p256".
inline void PrintTo(KeyType type, std::ostream* os) { *os << key_type_name(type); }

}  // namespace devcert::pki

namespace devcert::pki::testing_support {

// A KeyType parameter's test name: "ecdsa_p256" (gtest allows no '-').
inline std::string key_type_param_name(const ::testing::TestParamInfo<KeyType>& info) {
  std::string name(key_type_name(info.param));
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

inline CertificateAuthority make_ca(KeyType type = KeyType::ecdsa_p256, bool constrained = true) {
  RootProfile profile;
  profile.key_type = type;
  profile.constrained = constrained;
  profile.user_host = "tester@box";
  CertificateAuthority ca;
  ca.key = generate_key(type);
  ca.cert = build_root(profile, ca.key.get());
  return ca;
}

// The value of an extension as `openssl x509 -text` prints it ("" when absent).
inline std::string ext_text(X509* cert, int nid) {
  int idx = X509_get_ext_by_NID(cert, nid, -1);
  if (idx < 0) return "";
  X509_EXTENSION* ext = X509_get_ext(cert, idx);
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), ext, 0, 0);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

inline bool ext_critical(X509* cert, int nid) {
  int idx = X509_get_ext_by_NID(cert, nid, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, idx)) == 1;
}

inline std::string subject_field(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return "";
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

inline long validity_seconds(X509* cert) {
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
  return days * 86400L + secs;
}

// OpenSSL verification as strict as it gets: X509_STRICT, sslserver purpose, optional host/IP.
// Returns X509_V_OK or the verify error.
inline int verify_leaf(X509* leaf, X509* root, const std::string& host = "", const std::string& ip = "",
                       STACK_OF(X509)* untrusted = nullptr) {
  ossl::X509Store store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), root);
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (!host.empty()) X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  if (!ip.empty()) X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str());
  int ok = X509_verify_cert(ctx.get());
  return ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

}  // namespace devcert::pki::testing_support
