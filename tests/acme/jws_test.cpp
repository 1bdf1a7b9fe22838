#include "acme/jws.h"

#include <gtest/gtest.h>

#include "pki/keys.h"
#include "support/helpers.h"

namespace devcert::acme {
namespace {

TEST(AcmeJws, Base64urlRoundTripsAndRefusesPaddingAndOtherAlphabets) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\xff\xfe\x00\x01", 4)})
    EXPECT_EQ(base64url_decode(base64url_encode(s), "t"), s);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_THROW(base64url_decode("Zm9v=", "t"), Problem);
  EXPECT_THROW(base64url_decode("+/8", "t"), Problem);
  EXPECT_THROW(base64url_decode("Z", "t"), Problem);
}

// RFC 7638 section 3.1's example key and its thumbprint.
TEST(AcmeJws, ThumbprintIsRfc7638s) {
  nlohmann::json jwk = {
      {"kty", "RSA"},
      {"n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
      {"e", "AQAB"},
      {"alg", "RS256"},
      {"kid", "2011-04-29"}};
  EXPECT_EQ(thumbprint(jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // The RSA key itself is usable (2048 bits).
  EXPECT_NO_THROW(key_from_jwk(jwk));
}

TEST(AcmeJws, AKeyRoundTripsThroughItsJwk) {
  for (pki::KeyType type : {pki::KeyType::ecdsa_p256, pki::KeyType::ecdsa_p384, pki::KeyType::rsa_2048}) {
    ossl::Pkey key = pki::generate_key(type);
    nlohmann::json jwk = jwk_from_key(key.get());
    ossl::Pkey back = key_from_jwk(jwk);
    EXPECT_EQ(EVP_PKEY_eq(key.get(), back.get()), 1) << jwk.dump();
    EXPECT_EQ(thumbprint(jwk_from_key(back.get())), thumbprint(jwk));
  }
}

TEST(AcmeJws, HostileJwksAreBadPublicKey) {
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  nlohmann::json jwk = jwk_from_key(key.get());
  auto refused = [](const nlohmann::json& j) {
    try {
      key_from_jwk(j);
    } catch (const Problem& p) {
      return p.type();
    }
    return std::string("accepted");
  };
  nlohmann::json off_curve = jwk;
  off_curve["y"] = jwk["x"];
  EXPECT_EQ(refused(off_curve), "badPublicKey");
  nlohmann::json secret = jwk;
  secret["d"] = "AAAA";
  EXPECT_EQ(refused(secret), "badPublicKey");
  EXPECT_EQ(refused({{"kty", "EC"}, {"crv", "P-192"}, {"x", "AA"}, {"y", "AA"}}), "badPublicKey");
  EXPECT_EQ(refused({{"kty", "oct"}, {"k", "AA"}}), "badPublicKey");
  EXPECT_EQ(refused({{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}), "badPublicKey");
  EXPECT_EQ(refused(nlohmann::json::array()), "badPublicKey");
}

TEST(AcmeJws, ASignatureVerifiesOnlyOverItsOwnBytesAndAlg) {
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  nlohmann::json h = {{"alg", "ES256"}, {"nonce", "n"}, {"url", "https://x/new-order"}, {"kid", "k"}};
  Jws jws = parse_jws(sign_jws(key.get(), h, "{}"));
  EXPECT_NO_THROW(verify_jws(jws, key.get()));
  Jws tampered = jws;
  tampered.payload_b64 = base64url_encode("{ }");
  EXPECT_THROW(verify_jws(tampered, key.get()), Problem);
  ossl::Pkey other = pki::generate_key(pki::KeyType::ecdsa_p256);
  EXPECT_THROW(verify_jws(jws, other.get()), Problem);
  Jws short_sig = jws;
  short_sig.signature.pop_back();
  EXPECT_THROW(verify_jws(short_sig, key.get()), Problem);
}

TEST(AcmeJws, AnExternalAccountBindingIsHs256WithAKid) {
  nlohmann::json h = {{"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://x/new-account"}};
  std::string body = sign_hs256("secret", h, "{}");
  Jws eab = parse_jws(body, true);
  EXPECT_TRUE(verify_hs256(eab, "secret"));
  EXPECT_FALSE(verify_hs256(eab, "other"));
  // An HMAC is never an account signature.
  EXPECT_THROW(parse_jws(body), Problem);
  h["nonce"] = "n";
  EXPECT_THROW(parse_jws(sign_hs256("secret", h, "{}"), true), Problem);
}

TEST(AcmeJws, DeeplyNestedJsonIsRefusedNotRecursedInto) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(parse_client_json(deep).is_discarded());
  EXPECT_THROW(parse_jws(R"({"protected":)" + deep + "}"), Problem);
  EXPECT_FALSE(parse_client_json(R"({"identifiers":[{"type":"dns","value":"a"}]})").is_discarded());
}

}  // namespace
}  // namespace devcert::acme
