// JSON Web Signatures as ACME uses them (RFC 8555 section 6.2, RFC 7515): the flattened JSON
// serialization, an account key as a JWK (RFC 7517/7518), its thumbprint (RFC 7638), and the
// HMAC of an external account binding.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "acme/problem.h"
#include "ossl/handles.h"

namespace devcert::acme {

// JSON from a client: at most 20 levels deep (an ACME object needs 5), so that no request can
// make the parser, a dump or a comparison recurse deep. Discarded (is_discarded()) when it is
// not JSON or nests deeper.
nlohmann::json parse_client_json(std::string_view text);

std::string base64url_encode(std::string_view bytes);
// Throws Problem(malformed) on anything but unpadded base64url.
std::string base64url_decode(std::string_view text, std::string_view what);

// A public key from a JWK: EC P-256/P-384/P-521, RSA (2048 to 8192 bits) and Ed25519.
// Throws Problem(badPublicKey) naming what is wrong.
ossl::Pkey key_from_jwk(const nlohmann::json& jwk);
// The JWK of a public key, members as RFC 7638 orders them.
nlohmann::json jwk_from_key(EVP_PKEY* key);
// RFC 7638: base64url(SHA-256(the required members, sorted, no whitespace)).
std::string thumbprint(const nlohmann::json& jwk);

// The algorithms devcert accepts for a key, in the JWS "alg" spelling.
bool alg_fits_key(std::string_view alg, EVP_PKEY* key);

struct Jws {
  nlohmann::json header;  // the decoded protected header
  std::string protected_b64;
  std::string payload_b64;
  std::string payload;  // decoded; empty for POST-as-GET
  std::string signature;  // decoded
  std::string signing_input() const { return protected_b64 + "." + payload_b64; }
};

// Parses the flattened JSON serialization, checks its shape (exactly the three members, a
// protected header with alg, nonce, url and exactly one of jwk and kid). Throws Problem.
// The nonce and url are the caller's to check: they need the server's state. `mac`: an external
// account binding, which must be HS256 with a kid instead.
Jws parse_jws(std::string_view body, bool mac = false);

// Verifies `jws` with `key` under its header's alg; throws Problem(badSignatureAlgorithm) for
// an alg the key cannot make, Problem(malformed) for a signature that does not verify.
void verify_jws(const Jws& jws, EVP_PKEY* key);

// An HS256 JWS, as an external account binding is (RFC 8555 section 7.3.4).
bool verify_hs256(const Jws& jws, std::string_view hmac_key);

// Signing, for tests and the benchmark's client: the flattened JWS of `payload` (empty: POST-as-GET).
std::string sign_jws(EVP_PKEY* key, const nlohmann::json& header, std::string_view payload);
std::string sign_hs256(std::string_view hmac_key, const nlohmann::json& header, std::string_view payload);

}  // namespace devcert::acme
