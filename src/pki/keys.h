// Key types, key generation and PEM/DER conversion of keys and certificates.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ossl/handles.h"

namespace devcert::pki {

enum class KeyType { ecdsa_p256, ecdsa_p384, rsa_2048, rsa_3072, rsa_4096 };

// "ecdsa-p256" ... "rsa-4096"; parse throws UsageError listing the valid names.
std::string_view key_type_name(KeyType type);
KeyType parse_key_type(std::string_view text);
std::vector<std::string> key_type_names();

// Called, often, while a key is being made that takes long (an RSA prime search of seconds for
// 4096 bits), with what is being done: the caller may show it (the CLI draws a spinner).
using KeyProgress = std::function<void(std::string_view doing)>;

ossl::Pkey generate_key(KeyType type, const KeyProgress& progress = {});

// SHA-384 for a P-384 signer (matching strength, as CA/B rules pair them); SHA-256 otherwise.
const EVP_MD* digest_for(EVP_PKEY* signing_key);

// "ECDSA P-256", "RSA 2048": what a person reads.
std::string describe_key(EVP_PKEY* key);
bool is_rsa(EVP_PKEY* key);
// For an EC key on a named curve, the curve (NID_X9_62_prime256v1, NID_secp384r1); else NID_undef.
int ec_curve_nid(EVP_PKEY* key);
// The public key as OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY gives it (an EC point, uncompressed
// unless the key says otherwise); empty on failure.
std::string encoded_public_key(EVP_PKEY* key);

// Which encoder wrote a private key: devcert's own for P-256 and P-384 (the keys it makes), or
// OpenSSL's. Both write the same bytes; devcert's skips the encoder framework's start-up cost.
enum class KeyEncoder { devcert_ec, openssl };
// Unencrypted PKCS#8; `encoder`, when given, is told which encoder wrote it.
std::string private_key_pem(EVP_PKEY* key, KeyEncoder* encoder = nullptr);
std::string certificate_pem(X509* cert);
std::string certificate_der(X509* cert);

// Which decoder read a private key: devcert's own, for the unencrypted PKCS#8 P-256 and P-384
// keys it writes (OpenSSL 3.0's general decoder costs a sixth of a `devcert issue`), or
// OpenSSL's, for every other key.
enum class KeyDecoder { devcert_ec, openssl };

// Loaders; `origin` (a path, or "stdin") names the source in error messages. `decoder`, when
// given, is told which decoder read the key.
ossl::Pkey load_private_key(std::string_view pem, std::string_view origin, KeyDecoder* decoder = nullptr);
ossl::X509Ptr load_certificate(std::string_view pem_or_der, std::string_view origin);
std::vector<ossl::X509Ptr> load_certificates(std::string_view pem, std::string_view origin);

// SHA-256 over the DER certificate: "AB:CD:..." and the lowercase hex form.
std::string fingerprint_sha256(X509* cert);
std::string fingerprint_hex(X509* cert);

bool key_matches_certificate(EVP_PKEY* key, X509* cert);

}  // namespace devcert::pki
