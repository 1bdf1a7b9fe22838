#include "pki/export.h"

#include "ossl/check.h"

namespace devcert::pki {

std::string pkcs12_der(X509* leaf, EVP_PKEY* key, X509* root, const std::string& password,
                       const std::string& friendly_name) {
  ossl::X509Stack chain(ossl::check(sk_X509_new_null(), "cannot allocate a chain"));
  ossl::check(sk_X509_push(chain.get(), X509_dup(root)), "cannot add the root");
  // OpenSSL 3 defaults: AES-256-CBC with PBKDF2 and a SHA-256 MAC, which Java 8u301+ and
  // every current tool read; the legacy RC2/3DES defaults are refused by OpenSSL 3 itself.
  ossl::Pkcs12 p12(PKCS12_create(password.c_str(), friendly_name.c_str(), key, leaf, chain.get(), 0,
                                 0, 0, 0, 0));
  if (!p12) ossl::throw_error("cannot build the PKCS#12 file");
  unsigned char* der = nullptr;
  int len = i2d_PKCS12(p12.get(), &der);
  if (len <= 0) ossl::throw_error("cannot encode the PKCS#12 file");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace devcert::pki
