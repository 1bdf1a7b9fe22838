#include "acme/jws.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include <array>
#include <cstring>

#include "ossl/check.h"
#include "ossl/digest.h"

namespace devcert::acme {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Problem jws_malformed(const std::string& detail) { return Problem("malformed", detail); }
Problem bad_key(const std::string& detail) { return Problem("badPublicKey", detail); }

// A public key of `type` ("EC", "RSA") from the parameters in `bld`; null when OpenSSL refuses them.
ossl::Pkey public_key_from(const char* type, OSSL_PARAM_BLD* bld) {
  ossl::Params params(OSSL_PARAM_BLD_to_param(bld));
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ossl::drain_errors();
    return nullptr;
  }
  return ossl::Pkey(raw);
}

std::string member(const nlohmann::json& j, const char* name, const char* where) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) throw bad_key(std::string(where) + " has no string \"" + name + "\"");
  return it->get<std::string>();
}

struct Curve {
  std::string_view jwk_name, group, alg;
  size_t bytes;
  const EVP_MD* (*md)();
};
const std::array<Curve, 3> kCurves = {{{"P-256", "prime256v1", "ES256", 32, EVP_sha256},
                                       {"P-384", "secp384r1", "ES384", 48, EVP_sha384},
                                       {"P-521", "secp521r1", "ES512", 66, EVP_sha512}}};

const Curve* curve_by(std::string_view jwk_name, std::string_view group) {
  for (const Curve& c : kCurves)
    if (c.jwk_name == jwk_name || c.group == group) return &c;
  return nullptr;
}

std::string group_of(EVP_PKEY* key) {
  char name[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) return "";
  return name;
}

std::string bn_bytes(EVP_PKEY* key, const char* param, size_t pad) {
  BIGNUM* raw = nullptr;
  ossl::check_one(EVP_PKEY_get_bn_param(key, param, &raw), "reading a public key");
  ossl::Bignum bn(raw);
  size_t n = std::max<size_t>(pad, BN_num_bytes(bn.get()));
  std::string out(n, '\0');
  ossl::check(BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) > 0,
              "encoding a public key");
  return out;
}

const EVP_MD* rsa_md(std::string_view alg) {
  if (alg == "RS256") return EVP_sha256();
  if (alg == "RS384") return EVP_sha384();
  if (alg == "RS512") return EVP_sha512();
  return nullptr;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

nlohmann::json parse_client_json(std::string_view text) {
  constexpr int kMaxDepth = 20;
  struct TooDeep {};
  try {
    return nlohmann::json::parse(
        text, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth > kMaxDepth) throw TooDeep{};
          return true;
        },
        false);
  } catch (const TooDeep&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    unsigned v = (bytes(in)[i] << 16) | (bytes(in)[i + 1] << 8) | bytes(in)[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (size_t rest = in.size() - i) {
    unsigned v = bytes(in)[i] << 16;
    if (rest == 2) v |= bytes(in)[i + 1] << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string base64url_decode(std::string_view text, std::string_view what) {
  if (text.size() % 4 == 1) throw jws_malformed(std::string(what) + " is not base64url (its length cannot be)");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned v = 0;
  int bits = 0;
  for (char c : text) {
    size_t d = kAlphabet.find(c);
    if (d == std::string_view::npos)
      throw jws_malformed(std::string(what) + " is not unpadded base64url (RFC 7515 section 2)");
    v = (v << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

ossl::Pkey key_from_jwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) throw bad_key("the jwk is not a JSON object");
  if (jwk.contains("d") || jwk.contains("p") || jwk.contains("k"))
    throw bad_key("the jwk holds private key material; send the public key only");
  std::string kty = member(jwk, "kty", "the jwk");
  if (kty == "EC") {
    std::string crv = member(jwk, "crv", "the EC jwk");
    const Curve* curve = curve_by(crv, "");
    if (!curve) throw bad_key("the EC curve " + crv + " is not accepted; use P-256, P-384 or P-521");
    std::string x = base64url_decode(member(jwk, "x", "the EC jwk"), "the jwk's x");
    std::string y = base64url_decode(member(jwk, "y", "the EC jwk"), "the jwk's y");
    if (x.size() != curve->bytes || y.size() != curve->bytes)
      throw bad_key("the jwk's x and y must be " + std::to_string(curve->bytes) + " bytes for " + crv);
    std::string point = "\x04" + x + y;
    ossl::ParamBuilder bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group.data(), 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    ossl::Pkey key = public_key_from("EC", bld.get());
    if (!key) throw bad_key("the jwk's point is not on " + crv);
    // fromdata does not check that the point lies on the curve; the public check does.
    ossl::PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (EVP_PKEY_public_check(check.get()) != 1) {
      ossl::drain_errors();
      throw bad_key("the jwk's point is not on " + crv);
    }
    return key;
  }
  if (kty == "RSA") {
    std::string n = base64url_decode(member(jwk, "n", "the RSA jwk"), "the jwk's n");
    std::string e = base64url_decode(member(jwk, "e", "the RSA jwk"), "the jwk's e");
    ossl::Bignum bn_n(BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr));
    ossl::Bignum bn_e(BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr));
    int bits = BN_num_bits(bn_n.get());
    if (bits < 2048 || bits > 8192)
      throw bad_key("an RSA account key must have 2048 to 8192 bits, this one has " + std::to_string(bits));
    if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 2 || BN_num_bits(bn_e.get()) > 64)
      throw bad_key("the RSA jwk's exponent e is not usable");
    ossl::ParamBuilder bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
    ossl::Pkey key = public_key_from("RSA", bld.get());
    if (!key) throw bad_key("the RSA jwk is not a usable key");
    return key;
  }
  if (kty == "OKP") {
    std::string crv = member(jwk, "crv", "the OKP jwk");
    if (crv != "Ed25519") throw bad_key("the OKP curve " + crv + " is not accepted; use Ed25519");
    std::string x = base64url_decode(member(jwk, "x", "the OKP jwk"), "the jwk's x");
    if (x.size() != 32) throw bad_key("an Ed25519 jwk's x must be 32 bytes");
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(x), x.size());
    if (!raw) {
      ossl::drain_errors();
      throw bad_key("the Ed25519 jwk is not a usable key");
    }
    return ossl::Pkey(raw);
  }
  throw bad_key("the key type " + kty + " is not accepted; use EC, RSA or OKP (Ed25519)");
}

nlohmann::json jwk_from_key(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      const Curve* curve = curve_by("", group_of(key));
      if (!curve) throw bad_key("the EC curve " + group_of(key) + " is not accepted");
      return {{"crv", curve->jwk_name},
              {"kty", "EC"},
              {"x", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_X, curve->bytes))},
              {"y", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, curve->bytes))}};
    }
    case EVP_PKEY_RSA:
      return {{"e", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_E, 0))},
              {"kty", "RSA"},
              {"n", base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_N, 0))}};
    case EVP_PKEY_ED25519: {
      std::string x(32, '\0');
      size_t len = x.size();
      ossl::check_one(EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(x.data()), &len),
                      "reading an Ed25519 key");
      return {{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", base64url_encode(x)}};
    }
    default:
      throw bad_key("the key type is not accepted; use EC, RSA or Ed25519");
  }
}

std::string thumbprint(const nlohmann::json& jwk) {
  std::string kty = member(jwk, "kty", "the jwk");
  nlohmann::json required;
  auto copy = [&](const char* name) { required[name] = member(jwk, name, "the jwk"); };
  copy("kty");
  if (kty == "EC") {
    copy("crv"), copy("x"), copy("y");
  } else if (kty == "RSA") {
    copy("e"), copy("n");
  } else if (kty == "OKP") {
    copy("crv"), copy("x");
  } else {
    throw bad_key("the key type " + kty + " has no thumbprint here");
  }
  // nlohmann::json keeps an object's members sorted, and dump() adds no whitespace.
  return base64url_encode(ossl::digest(EVP_sha256(), required.dump()));
}

bool alg_fits_key(std::string_view alg, EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      const Curve* curve = curve_by("", group_of(key));
      return curve && curve->alg == alg;
    }
    case EVP_PKEY_RSA:
      return rsa_md(alg) != nullptr;
    case EVP_PKEY_ED25519:
      return alg == "EdDSA";
    default:
      return false;
  }
}

Jws parse_jws(std::string_view body, bool mac) {
  nlohmann::json j = parse_client_json(body);
  if (j.is_discarded() || !j.is_object()) throw jws_malformed("the request body is not a JSON object");
  for (const auto& [name, value] : j.items())
    if (name != "protected" && name != "payload" && name != "signature")
      throw jws_malformed("the JWS has a member \"" + name + "\"; ACME takes the flattened JSON serialization "
                      "with exactly protected, payload and signature (RFC 8555 section 6.2)");
  for (const char* name : {"protected", "payload", "signature"})
    if (!j.contains(name) || !j[name].is_string())
      throw jws_malformed(std::string("the JWS has no string member \"") + name + "\"");
  Jws jws;
  jws.protected_b64 = j["protected"].get<std::string>();
  jws.payload_b64 = j["payload"].get<std::string>();
  jws.payload = base64url_decode(jws.payload_b64, "the JWS payload");
  jws.signature = base64url_decode(j["signature"].get<std::string>(), "the JWS signature");
  jws.header = parse_client_json(base64url_decode(jws.protected_b64, "the protected header"));
  if (jws.header.is_discarded() || !jws.header.is_object())
    throw jws_malformed("the JWS protected header is not a JSON object");
  const nlohmann::json& h = jws.header;
  if (!h.contains("alg") || !h["alg"].is_string()) throw jws_malformed("the protected header has no alg");
  if (mac) {
    if (h["alg"] != "HS256" || !h.contains("kid") || !h["kid"].is_string() || h.contains("jwk") || h.contains("nonce"))
      throw jws_malformed("the externalAccountBinding must be an HS256 JWS with a kid and a url, no jwk and no nonce "
                      "(RFC 8555 section 7.3.4)");
    if (!h.contains("url") || !h["url"].is_string()) throw jws_malformed("the externalAccountBinding has no url");
    return jws;
  }
  if (h["alg"] == "none" || h["alg"].get<std::string>().starts_with("HS"))
    throw Problem("badSignatureAlgorithm", "alg " + h["alg"].get<std::string>() +
                                               " is not accepted; use ES256, ES384, ES512, RS256 or EdDSA");
  if (!h.contains("url") || !h["url"].is_string()) throw jws_malformed("the protected header has no url");
  bool jwk = h.contains("jwk"), kid = h.contains("kid");
  if (jwk == kid)
    throw jws_malformed(jwk ? "the protected header has both jwk and kid; send exactly one (RFC 8555 section 6.2)"
                        : "the protected header has neither jwk nor kid; send exactly one (RFC 8555 section 6.2)");
  if (kid && !h["kid"].is_string()) throw jws_malformed("the protected header's kid is not a string");
  if (h.contains("b64") || h.contains("crit")) throw jws_malformed("the protected header uses b64 or crit, which ACME does not");
  return jws;
}

void verify_jws(const Jws& jws, EVP_PKEY* key) {
  std::string alg = jws.header["alg"].get<std::string>();
  if (!alg_fits_key(alg, key))
    throw Problem("badSignatureAlgorithm", "alg " + alg + " does not fit the account key; use ES256 with "
                                           "P-256, ES384 with P-384, ES512 with P-521, RS256 with RSA or EdDSA with Ed25519");
  std::string input = jws.signing_input();
  std::string sig = jws.signature;
  const EVP_MD* md = nullptr;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    const Curve* curve = curve_by("", group_of(key));
    md = curve->md();
    if (sig.size() != 2 * curve->bytes) throw jws_malformed("the JWS signature does not verify (wrong length for " + alg + ")");
    ossl::Bignum r(BN_bin2bn(bytes(sig), static_cast<int>(curve->bytes), nullptr));
    ossl::Bignum s(BN_bin2bn(bytes(sig) + curve->bytes, static_cast<int>(curve->bytes), nullptr));
    ossl::EcdsaSig ecdsa(ECDSA_SIG_new());
    if (!ecdsa || !r || !s || ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1)
      throw jws_malformed("the JWS signature does not verify");
    r.release();  // ecdsa owns them now
    s.release();
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(ecdsa.get(), &der);
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(der, [](unsigned char* p) { OPENSSL_free(p); });
    if (len <= 0) throw jws_malformed("the JWS signature does not verify");
    sig.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    md = rsa_md(alg);
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  int ok = EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), bytes(input), input.size()) == 1;
  ossl::drain_errors();
  if (!ok) throw jws_malformed("the JWS signature does not verify with the account key");
}

bool verify_hs256(const Jws& jws, std::string_view hmac_key) {
  if (jws.header.value("alg", "") != "HS256") return false;
  std::string input = jws.signing_input();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()), bytes(input), input.size(), mac, &len);
  return jws.signature.size() == len && CRYPTO_memcmp(mac, jws.signature.data(), len) == 0;
}

std::string sign_jws(EVP_PKEY* key, const nlohmann::json& header, std::string_view payload) {
  std::string protected_b64 = base64url_encode(header.dump());
  std::string payload_b64 = base64url_encode(payload);
  std::string input = protected_b64 + "." + payload_b64;
  const EVP_MD* md = nullptr;
  int id = EVP_PKEY_get_base_id(key);
  const Curve* curve = id == EVP_PKEY_EC ? curve_by("", group_of(key)) : nullptr;
  if (curve) md = curve->md();
  if (id == EVP_PKEY_RSA) md = rsa_md(header.value("alg", "RS256"));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ossl::check_one(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key), "signing a JWS");
  size_t len = 0;
  ossl::check_one(EVP_DigestSign(ctx.get(), nullptr, &len, bytes(input), input.size()), "signing a JWS");
  std::string sig(len, '\0');
  ossl::check_one(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(input),
                                 input.size()),
                  "signing a JWS");
  sig.resize(len);
  if (curve) {
    const unsigned char* p = bytes(sig);
    ossl::EcdsaSig ecdsa(ossl::check(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())), "signing a JWS"));
    std::string raw(2 * curve->bytes, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()), reinterpret_cast<unsigned char*>(raw.data()),
                 static_cast<int>(curve->bytes));
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()), reinterpret_cast<unsigned char*>(raw.data()) + curve->bytes,
                 static_cast<int>(curve->bytes));
    sig = raw;
  }
  return nlohmann::json{{"protected", protected_b64}, {"payload", payload_b64}, {"signature", base64url_encode(sig)}}
      .dump();
}

std::string sign_hs256(std::string_view hmac_key, const nlohmann::json& header, std::string_view payload) {
  std::string protected_b64 = base64url_encode(header.dump());
  std::string payload_b64 = base64url_encode(payload);
  std::string input = protected_b64 + "." + payload_b64;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()), bytes(input), input.size(), mac, &len);
  return nlohmann::json{{"protected", protected_b64},
                        {"payload", payload_b64},
                        {"signature", base64url_encode(std::string_view(reinterpret_cast<char*>(mac), len))}}
      .dump();
}

}  // namespace devcert::acme
