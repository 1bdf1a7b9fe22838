#include "pki/keys.h"

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "error.h"
#include "ossl/check.h"
#include "ossl/digest.h"

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

// RFC 5915 ECPrivateKey: what a PKCS#8 EC key holds, read with OpenSSL's ASN.1 templates.
struct EcPrivateKeyAsn1 {
  int32_t version;
  ASN1_OCTET_STRING* private_key;
  ASN1_TYPE* parameters;        // [0] ECParameters, OPTIONAL (PKCS#8 names the curve outside)
  ASN1_BIT_STRING* public_key;  // [1] OPTIONAL; OpenSSL always writes it
};

ASN1_SEQUENCE(EcPrivateKeyAsn1) = {
    ASN1_EMBED(EcPrivateKeyAsn1, version, INT32),
    ASN1_SIMPLE(EcPrivateKeyAsn1, private_key, ASN1_OCTET_STRING),
    ASN1_EXP_OPT(EcPrivateKeyAsn1, parameters, ASN1_ANY, 0),
    ASN1_EXP_OPT(EcPrivateKeyAsn1, public_key, ASN1_BIT_STRING, 1),
} static_ASN1_SEQUENCE_END(EcPrivateKeyAsn1)

struct EcPrivateKeyFree {
  void operator()(EcPrivateKeyAsn1* k) const {
    if (k->private_key) OPENSSL_cleanse(k->private_key->data, static_cast<size_t>(k->private_key->length));
    ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(k), ASN1_ITEM_rptr(EcPrivateKeyAsn1));
  }
};

// The PEM block labelled "PRIVATE KEY" as DER, decoded into memory that is wiped when freed:
// PEM_read_bio_PKCS8_PRIV_KEY_INFO would free its decoded copy of the key unwiped.
struct SecretPemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  SecretPemBlock() = default;
  SecretPemBlock(const SecretPemBlock&) = delete;
  SecretPemBlock& operator=(const SecretPemBlock&) = delete;
  ~SecretPemBlock() { clear(); }
  void clear() {
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    OPENSSL_secure_clear_free(data, static_cast<size_t>(length));
    name = header = nullptr;
    data = nullptr;
    length = 0;
  }
  // Reads blocks until one is labelled `label`; false at the end of the text, on a bad block, or
  // when that block has headers (a legacy encryption's: the general path reads those).
  bool read(BIO* bio, std::string_view label) {
    // PEM_FLAG_SECURE: the block and the base64 read on the way are held in wiped memory;
    // PEM_FLAG_EAY_COMPATIBLE reads as PEM_read_bio does.
    constexpr unsigned kFlags = PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE;
    for (clear(); PEM_read_bio_ex(bio, &name, &header, &data, &length, kFlags) == 1; clear())
      if (label == name) return *header == '\0';
    return false;
  }
};

// devcert writes P-256 and P-384 keys only (KeyType); a key on any other curve is left to the
// general path, which checks more than this one would have to be taught to.
bool devcert_curve(int nid) { return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1; }

// The common case of load_private_key without OpenSSL 3.0's decoder framework: an unencrypted
// PKCS#8 EC key on P-256 or P-384 with its public point, which is what devcert writes. 3.0
// reads any key by first building decoder chains over every decoder it has (4.3 million
// instructions, a sixth of a whole `devcert issue`, bench/README.md); here the fields are read
// with plain ASN.1 templates and handed to the EC key manager, which checks the point is on
// the curve. nullopt for anything else (RSA, other curves, explicit curve parameters,
// encrypted, no public point...), which then takes the general path.
std::optional<ossl::Pkey> read_ec_pkcs8(std::string_view pem) {
  // One plain PKCS#8 block and no other kind of private key in the text, so this path can
  // never pick a different key than the general one would.
  if (pem.find("-----BEGIN PRIVATE KEY-----") == std::string_view::npos) return std::nullopt;
  std::size_t labels = 0;
  for (std::size_t at = pem.find("PRIVATE KEY-----"); at != std::string_view::npos;
       at = pem.find("PRIVATE KEY-----", at + 1))
    ++labels;
  if (labels != 2) return std::nullopt;  // BEGIN and END of that block only

  ossl::Bio bio = memory_bio(pem);
  SecretPemBlock block;
  if (!block.read(bio.get(), "PRIVATE KEY")) return std::nullopt;
  const unsigned char* in = block.data;
  // Freeing a PKCS8_PRIV_KEY_INFO wipes the key it holds (OpenSSL's ASN1_OP_FREE_PRE callback).
  ossl::Pkcs8 p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &in, block.length));
  const ASN1_OBJECT* algorithm = nullptr;
  const unsigned char* der = nullptr;
  int der_len = 0;
  const X509_ALGOR* algor = nullptr;
  if (!p8 || !PKCS8_pkey_get0(&algorithm, &der, &der_len, &algor, p8.get()) ||
      OBJ_obj2nid(algorithm) != NID_X9_62_id_ecPublicKey)
    return std::nullopt;
  int param_type = 0;
  const void* param = nullptr;
  X509_ALGOR_get0(nullptr, &param_type, &param, algor);
  if (param_type != V_ASN1_OBJECT) return std::nullopt;
  const ASN1_OBJECT* curve = static_cast<const ASN1_OBJECT*>(param);
  const char* group = OBJ_nid2sn(OBJ_obj2nid(curve));
  if (!devcert_curve(OBJ_obj2nid(curve)) || !group) return std::nullopt;

  std::unique_ptr<EcPrivateKeyAsn1, EcPrivateKeyFree> ec(static_cast<EcPrivateKeyAsn1*>(
      static_cast<void*>(ASN1_item_d2i(nullptr, &der, der_len, ASN1_ITEM_rptr(EcPrivateKeyAsn1)))));
  if (!ec || ec->version != 1 || !ec->public_key || ASN1_STRING_length(ec->private_key) <= 0)
    return std::nullopt;
  if (ec->parameters && (ec->parameters->type != V_ASN1_OBJECT ||
                         OBJ_cmp(ec->parameters->value.object, curve) != 0))
    return std::nullopt;  // a second, different curve inside: let OpenSSL say what it thinks

  ossl::SecretBignum scalar(BN_secure_new());
  ossl::ParamBuilder build(OSSL_PARAM_BLD_new());
  if (!scalar || !build ||
      !BN_bin2bn(ASN1_STRING_get0_data(ec->private_key), ASN1_STRING_length(ec->private_key), scalar.get()) ||
      !OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) ||
      !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                        ASN1_STRING_get0_data(ec->public_key),
                                        static_cast<size_t>(ASN1_STRING_length(ec->public_key))))
    return std::nullopt;
  ossl::Params params(OSSL_PARAM_BLD_to_param(build.get()));
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) <= 0)
    return std::nullopt;
  return ossl::Pkey(key);
}

// private_key_pem's counterpart of read_ec_pkcs8: the same bytes OpenSSL's PKCS#8 encoder
// writes for an EC key (ECPrivateKey without the [0] curve, which PKCS#8 names outside; the
// scalar padded to the order's length; the point as the key holds it), without building every
// encoder OpenSSL 3.0 has. tests/pki/keys_test.cpp compares the two byte for byte.
std::optional<std::string> write_ec_pkcs8(EVP_PKEY* key) {
  int curve = ec_curve_nid(key);
  if (!devcert_curve(curve)) return std::nullopt;
  BIGNUM* raw_scalar = nullptr;
  if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw_scalar)) return std::nullopt;
  ossl::SecretBignum scalar(raw_scalar);
  std::string point = encoded_public_key(key);
  int order_bytes = (EVP_PKEY_get_bits(key) + 7) / 8;
  if (point.empty() || order_bytes <= 0 || BN_num_bytes(scalar.get()) > order_bytes) return std::nullopt;

  std::unique_ptr<EcPrivateKeyAsn1, EcPrivateKeyFree> ec(static_cast<EcPrivateKeyAsn1*>(
      static_cast<void*>(ASN1_item_new(ASN1_ITEM_rptr(EcPrivateKeyAsn1)))));
  if (!ec || !(ec->public_key = ASN1_BIT_STRING_new())) return std::nullopt;
  ec->version = 1;
  std::string scalar_bytes(static_cast<size_t>(order_bytes), '\0');
  if (BN_bn2binpad(scalar.get(), reinterpret_cast<unsigned char*>(scalar_bytes.data()), order_bytes) != order_bytes ||
      !ASN1_OCTET_STRING_set(ec->private_key, reinterpret_cast<const unsigned char*>(scalar_bytes.data()),
                             order_bytes) ||
      !ASN1_BIT_STRING_set(ec->public_key, reinterpret_cast<unsigned char*>(point.data()),
                           static_cast<int>(point.size()))) {
    OPENSSL_cleanse(scalar_bytes.data(), scalar_bytes.size());
    return std::nullopt;
  }
  OPENSSL_cleanse(scalar_bytes.data(), scalar_bytes.size());
  // A whole number of bytes: without this flag DER encoding trims trailing zero bits.
  ec->public_key->flags = (ec->public_key->flags & ~0x07) | ASN1_STRING_FLAG_BITS_LEFT;

  unsigned char* der = nullptr;
  int der_len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(ec.get()), &der, ASN1_ITEM_rptr(EcPrivateKeyAsn1));
  if (der_len <= 0) return std::nullopt;
  ossl::Pkcs8 p8(PKCS8_PRIV_KEY_INFO_new());
  // PKCS8_pkey_set0 owns `der` from here on, and clears it when freed.
  if (!p8 || !PKCS8_pkey_set0(p8.get(), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), 0, V_ASN1_OBJECT,
                              OBJ_nid2obj(curve), der, der_len)) {
    OPENSSL_clear_free(der, static_cast<size_t>(der_len));
    return std::nullopt;
  }
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio.get(), p8.get())) return std::nullopt;
  return bio_to_string(bio.get());
}

// RSA: a prime search of seconds for 4096 bits, so OpenSSL's keygen callback reports progress.
EVP_PKEY* generate_rsa(unsigned bits, const KeyProgress& progress) {
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) <= 0)
    return nullptr;
  struct Report {
    const KeyProgress& progress;
    std::string doing;
  } report{progress, "generating an RSA-" + std::to_string(bits) + " key"};
  if (progress) {
    EVP_PKEY_CTX_set_app_data(ctx.get(), &report);
    EVP_PKEY_CTX_set_cb(ctx.get(), [](EVP_PKEY_CTX* c) {
      auto* r = static_cast<Report*>(EVP_PKEY_CTX_get_app_data(c));
      r->progress(r->doing);
      return 1;
    });
  }
  if (EVP_PKEY_generate(ctx.get(), &key) <= 0) return nullptr;
  return key;
}

}  // namespace

std::string encoded_public_key(EVP_PKEY* key) {
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &len) || len == 0)
    return {};
  std::string out(len, '\0');
  if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                       reinterpret_cast<unsigned char*>(out.data()), len, &len))
    return {};
  out.resize(len);
  return out;
}

int ec_curve_nid(EVP_PKEY* key) {
  char group[64] = {};
  size_t len = 0;
  if (!EVP_PKEY_is_a(key, "EC") ||
      !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
    return NID_undef;
  return OBJ_sn2nid(group);
}

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

ossl::Pkey generate_key(KeyType type, const KeyProgress& progress) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::ecdsa_p256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::ecdsa_p384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::rsa_2048: key = generate_rsa(2048, progress); break;
    case KeyType::rsa_3072: key = generate_rsa(3072, progress); break;
    case KeyType::rsa_4096: key = generate_rsa(4096, progress); break;
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

std::string private_key_pem(EVP_PKEY* key, KeyEncoder* encoder) {
  if (auto pem = write_ec_pkcs8(key)) {
    if (encoder) *encoder = KeyEncoder::devcert_ec;
    return std::move(*pem);
  }
  if (encoder) *encoder = KeyEncoder::openssl;
  ERR_clear_error();
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

ossl::Pkey load_private_key(std::string_view pem, std::string_view origin, KeyDecoder* decoder) {
  if (auto key = read_ec_pkcs8(pem)) {
    if (decoder) *decoder = KeyDecoder::devcert_ec;
    return std::move(*key);
  }
  if (decoder) *decoder = KeyDecoder::openssl;
  ERR_clear_error();  // what the fast path tried is not news: the general path says its own
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
  return ossl::hex({reinterpret_cast<const char*>(md), len});
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
