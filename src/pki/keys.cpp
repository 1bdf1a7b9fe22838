#include "pki/keys.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>

#include "error.h"
#include "ossl/check.h"
#include "util/progress.h"

namespace devcert::pki {
namespace {

struct KeyTypeInfo {
  KeyType type;
  std::string_view name;
};
constexpr KeyTypeInfo kKeyTypes[] = {
    {KeyType::ecdsa_p256, "ecdsa-p256"}, {KeyType::ecdsa_p384, "ecdsa-p384"},
    {KeyType::rsa_2048, "rsa-2048"},     {KeyType::rsa_3072, "rsa-3072"},
    {KeyType::rsa_4096, "rsa-4096"},
};

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

ossl::Bio memory_bio(std::string_view data) {
  return ossl::Bio(ossl::check(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())),
                               "cannot allocate a memory BIO"));
}

// RSA: a prime search of seconds for 4096 bits, so OpenSSL's keygen callback turns a spinner
// (shown on a terminal only, see util/progress.h).
EVP_PKEY* generate_rsa(unsigned bits) {
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  progress::Task task("generating an RSA-" + std::to_string(bits) + " key");
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) <= 0)
    return nullptr;
  EVP_PKEY_CTX_set_app_data(ctx.get(), &task);
  EVP_PKEY_CTX_set_cb(ctx.get(), [](EVP_PKEY_CTX* c) {
    static_cast<progress::Task*>(EVP_PKEY_CTX_get_app_data(c))->tick();
    return 1;
  });
  if (EVP_PKEY_generate(ctx.get(), &key) <= 0) return nullptr;
  return key;
}

}  // namespace

std::string_view key_type_name(KeyType type) {
  for (const auto& info : kKeyTypes)
    if (info.type == type) return info.name;
  return "?";
}

std::vector<std::string> key_type_names() {
  std::vector<std::string> names;
  for (const auto& info : kKeyTypes) names.emplace_back(info.name);
  return names;
}

KeyType parse_key_type(std::string_view text) {
  for (const auto& info : kKeyTypes)
    if (info.name == text) return info.type;
  throw UsageError("unknown key type '" + std::string(text) + "'",
                   "use one of: ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096");
}

ossl::Pkey generate_key(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::ecdsa_p256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::ecdsa_p384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::rsa_2048: key = generate_rsa(2048); break;
    case KeyType::rsa_3072: key = generate_rsa(3072); break;
    case KeyType::rsa_4096: key = generate_rsa(4096); break;
  }
  return ossl::Pkey(ossl::check(key, "cannot generate a key"));
}

bool is_rsa(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "RSA") == 1; }

const EVP_MD* digest_for(EVP_PKEY* signing_key) {
  if (EVP_PKEY_is_a(signing_key, "EC") && EVP_PKEY_get_bits(signing_key) >= 384) return EVP_sha384();
  return EVP_sha256();
}

std::string describe_key(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len)) {
      std::string g(group, len);
      if (g == "prime256v1") g = "P-256";
      if (g == "secp384r1") g = "P-384";
      if (g == "secp521r1") g = "P-521";
      return "ECDSA " + g;
    }
    return "ECDSA " + std::to_string(EVP_PKEY_get_bits(key)) + "-bit";
  }
  if (EVP_PKEY_is_a(key, "RSA")) return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
  if (EVP_PKEY_is_a(key, "ED25519")) return "Ed25519";
  const char* name = EVP_PKEY_get0_type_name(key);
  return std::string(name ? name : "unknown") + " " + std::to_string(EVP_PKEY_get_bits(key));
}

std::string private_key_pem(EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  ossl::check_one(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
                  "cannot encode a private key");
  return bio_to_string(bio.get());
}

std::string certificate_pem(X509* cert) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  ossl::check_one(PEM_write_bio_X509(bio.get(), cert), "cannot encode a certificate");
  return bio_to_string(bio.get());
}

std::string certificate_der(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) ossl::throw_error("cannot encode a certificate");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

ossl::Pkey load_private_key(std::string_view pem, std::string_view origin) {
  ossl::Bio bio = memory_bio(pem);
  // A null password callback with an empty passphrase: an encrypted key fails instead of
  // prompting on the terminal.
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                          [](char*, int, int, void*) { return 0; }, nullptr);
  if (!key) {
    std::string why = ossl::drain_errors();
    throw Error(std::string(origin) + " does not hold a readable unencrypted PEM private key" +
                    (why.empty() ? "" : " (" + why + ")"),
                "check the file; devcert writes PKCS#8 PEM keys");
  }
  return ossl::Pkey(key);
}

std::vector<ossl::X509Ptr> load_certificates(std::string_view pem, std::string_view origin) {
  std::vector<ossl::X509Ptr> certs;
  ossl::Bio bio = memory_bio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    certs.emplace_back(cert);
  ERR_clear_error();  // the loop ends on "no start line"
  if (certs.empty()) {
    const auto* der = reinterpret_cast<const unsigned char*>(pem.data());
    if (X509* cert = d2i_X509(nullptr, &der, static_cast<long>(pem.size()))) certs.emplace_back(cert);
    ERR_clear_error();
  }
  if (certs.empty())
    throw Error(std::string(origin) + " does not hold a certificate (PEM or DER), or it is truncated");
  return certs;
}

ossl::X509Ptr load_certificate(std::string_view pem_or_der, std::string_view origin) {
  return std::move(load_certificates(pem_or_der, origin).front());
}

std::string fingerprint_hex(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ossl::check_one(X509_digest(cert, EVP_sha256(), md, &len), "cannot hash a certificate");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string fingerprint_sha256(X509* cert) {
  std::string hex = fingerprint_hex(cert);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out += static_cast<char>(std::toupper(hex[i]));
    out += static_cast<char>(std::toupper(hex[i + 1]));
  }
  return out;
}

bool key_matches_certificate(EVP_PKEY* key, X509* cert) {
  bool match = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  return match;
}

}  // namespace devcert::pki
