// What `devcert acme` reads from the network: the flattened JWS of each POST (acme::parse_jws,
// key_from_jwk, verify_jws, thumbprint) and the JSON payload inside it, through the whole service
// (acme::Service::handle over an in-memory Store). The first byte picks the resource and how the
// rest is sent: as the raw body, or as the payload of a JWS that verifies (signed by the account
// registered at start, or by a fresh jwk, with a fresh nonce and the right url), so that the
// payload parsing behind the signature check is reached too.
#include <array>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "acme/jws.h"
#include "acme/service.h"
#include "acme/store.h"
#include "fuzz/targets.h"
#include "pki/certificate.h"
#include "pki/keys.h"
#include "pki/profiles.h"

namespace devcert::fuzz {
namespace {

// The keys, made once: generating them is the slow part, and they are never changed.
struct JwsFuzzKeys {
  ossl::Pkey ca_key = pki::generate_key(pki::KeyType::ecdsa_p256);
  ossl::X509Ptr ca_cert;
  ossl::Pkey account_key = pki::generate_key(pki::KeyType::ecdsa_p256);
  ossl::Pkey other_key = pki::generate_key(pki::KeyType::ecdsa_p256);

  JwsFuzzKeys() {
    pki::RootProfile profile;
    profile.user_host = "fuzz@devcert";  // the subject needs one: an empty name entry is refused
    ca_cert = pki::build_root(profile, ca_key.get());
  }
};

const JwsFuzzKeys& jws_fuzz_keys() {
  static const JwsFuzzKeys keys;
  return keys;
}

// A fresh server for each input, so that an input found by fuzzing fails again on its own, and
// nothing an input leaves (nonces, rows) looks like a leak to libFuzzer: a CA, a Store in memory,
// an account with one ready order.
struct JwsFuzzServer {
  acme::Store store{":memory:"};
  std::unique_ptr<acme::Service> service;
  std::string kid;

  JwsFuzzServer() {
    const JwsFuzzKeys& keys = jws_fuzz_keys();
    pki::CertificateAuthority ca;
    X509_up_ref(keys.ca_cert.get());
    ca.cert.reset(keys.ca_cert.get());
    EVP_PKEY_up_ref(keys.ca_key.get());
    ca.key.reset(keys.ca_key.get());
    acme::ServiceConfig config;
    config.base_url = "https://localhost:8555";
    config.now = [] { return int64_t{1764460800}; };  // fixed: a rerun of an input behaves the same
    service = std::make_unique<acme::Service>(config, std::move(ca), store);
    acme::Response r = post("/new-account", R"({"termsOfServiceAgreed":true})", true);
    kid = r.header("Location");
    DEVCERT_FUZZ_CHECK(r.status == 201 && !kid.empty());
    r = post("/new-order", R"({"identifiers":[{"type":"dns","value":"fuzz.example.test"}]})", false);
    DEVCERT_FUZZ_CHECK(r.status == 201);
  }

  acme::Response post(const std::string& target, std::string_view payload, bool jwk,
                      EVP_PKEY* key = nullptr) {
    if (!key) key = jws_fuzz_keys().account_key.get();
    nlohmann::json header = {{"alg", "ES256"}, {"nonce", service->nonce()}, {"url", service->config().base_url + target}};
    if (jwk) header["jwk"] = acme::jwk_from_key(key);
    else header["kid"] = kid;
    return service->handle({"POST", target, "application/jose+json", acme::sign_jws(key, header, payload)});
  }
};

constexpr std::array<const char*, 12> kJwsFuzzTargets = {
    "/new-account", "/new-order",     "/revoke-cert", "/key-change", "/account/1", "/account/1/orders",
    "/order/1",     "/order/1/finalize", "/authz/1",  "/chall/1",    "/cert/1",    "/new-order?x"};

// The parser alone: whatever it accepts has the shape the service relies on.
void jws_parse_alone(std::string_view data) {
  for (bool mac : {false, true}) {
    acme::Jws jws;
    try {
      jws = acme::parse_jws(data, mac);
    } catch (const acme::Problem&) {
      continue;
    }
    const nlohmann::json& h = jws.header;
    DEVCERT_FUZZ_CHECK(h.is_object() && h.contains("alg") && h["alg"].is_string());
    DEVCERT_FUZZ_CHECK(h.contains("url") && h["url"].is_string());
    if (mac) {
      DEVCERT_FUZZ_CHECK(h["alg"] == "HS256" && h.contains("kid") && !h.contains("jwk"));
      continue;
    }
    DEVCERT_FUZZ_CHECK(h.contains("jwk") != h.contains("kid"));
    DEVCERT_FUZZ_CHECK(jws.signing_input() == jws.protected_b64 + "." + jws.payload_b64);
    if (!h.contains("jwk")) continue;
    try {
      ossl::Pkey key = acme::key_from_jwk(h["jwk"]);
      DEVCERT_FUZZ_CHECK(key);
      // A key that parsed has a thumbprint, and its own JWK gives the same one.
      DEVCERT_FUZZ_CHECK(acme::thumbprint(acme::jwk_from_key(key.get())) == acme::thumbprint(h["jwk"]));
      acme::verify_jws(jws, key.get());
    } catch (const acme::Problem&) {
    }
  }
}

}  // namespace

void jws(std::string_view data) {
  if (data.empty()) return;
  jws_parse_alone(data);
  JwsFuzzServer server;
  auto selector = static_cast<unsigned char>(data[0]);
  std::string target = kJwsFuzzTargets[selector % kJwsFuzzTargets.size()];
  std::string_view rest = data.substr(1);
  acme::Response r;
  switch (selector >> 6) {
    case 0:  // the raw body
      r = server.service->handle({"POST", target, "application/jose+json", std::string(rest)});
      break;
    case 1:  // the payload, signed by the account
      r = server.post(target, rest, false);
      break;
    case 2:  // the payload, signed by a key of its own sent as jwk
      r = server.post(target, rest, true, jws_fuzz_keys().other_key.get());
      break;
    default:  // the raw body as another method or content type
      r = server.service->handle({selector & 1 ? "GET" : "HEAD", selector & 2 ? "/renewal-info/" + std::string(rest) : target,
                                  selector & 4 ? "application/json" : "application/jose+json", std::string(rest)});
      break;
  }
  // Every answer, refusal or not, carries a fresh nonce (RFC 8555 section 6.5) and a status.
  DEVCERT_FUZZ_CHECK(!r.header("Replay-Nonce").empty());
  DEVCERT_FUZZ_CHECK(r.status >= 200 && r.status < 600);
  if (r.status >= 400) {
    DEVCERT_FUZZ_CHECK(r.header("Content-Type") == "application/problem+json");
    nlohmann::json problem = nlohmann::json::parse(r.body, nullptr, false);
    DEVCERT_FUZZ_CHECK(problem.is_object() && problem.contains("type") && problem["type"].is_string());
  }
}

}  // namespace devcert::fuzz
