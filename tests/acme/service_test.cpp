// The ACME protocol in-process: every endpoint and every problem a client can meet, against a
// Service on a fresh CA and a fresh database.
#include "acme/service.h"

#include <gtest/gtest.h>

#include <ctime>

#include "acme/jws.h"
#include "acme/store.h"
#include "acme/acme_test_client.h"
#include "pki/ca.h"
#include "pki/keys.h"
#include "support/helpers.h"

namespace devcert::acme {
namespace {

using testing::Client;
using testing::Reply;
using testing::csr_der;

class AcmeService : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void start(bool validate = false, bool require_eab = false) {
    service_.reset();
    store_.reset();
    pki::CaRoot root(tmp_.path() / "ca");
    pki::RootProfile profile;
    profile.user_host = "tester@acme-test";
    if (!root.exists()) root.init(profile);
    store_ = std::make_unique<Store>(tmp_.path() / "ca" / "acme.db");
    ServiceConfig config;
    config.base_url = "https://localhost:8555";
    config.validate = validate;
    config.require_eab = require_eab;
    config.now = [this] { return now_; };
    config.validator = [this](const ValidationJob& job) -> std::optional<Problem> {
      jobs_.push_back(job);
      if (fail_checks_) return Problem("connection", "nothing listens on port 5002 of " + job.identifier.value);
      return std::nullopt;
    };
    service_ = std::make_unique<Service>(config, root.load(), *store_);
    root_cert_ = root.load_cert();
  }

  Client client(pki::KeyType type = pki::KeyType::ecdsa_p256, std::string alg = "ES256") {
    return Client(*service_, pki::generate_key(type), alg);
  }
  // A client with an account.
  Client account() {
    Client c = client();
    EXPECT_EQ(c.new_account().status(), 201);
    return c;
  }
  // An order for `names` finalized; returns the order reply after finalize.
  Reply issued(Client& c, const std::vector<std::pair<std::string, std::string>>& ids, const std::string& sans) {
    Reply order = c.new_order(ids);
    EXPECT_EQ(order.status(), 201) << order.response.body;
    ossl::Pkey leaf_key = pki::generate_key(pki::KeyType::ecdsa_p256);
    Reply done = c.finalize(order, csr_der(leaf_key.get(), sans));
    EXPECT_EQ(done.status(), 200) << done.response.body;
    return done;
  }
  std::string certificate_pem(Client& c, const Reply& order) {
    return c.get(c.path_of(order.json["certificate"])).response.body;
  }

  test::TempDir tmp_;
  int64_t now_ = 1800000000;
  bool fail_checks_ = false;
  std::vector<ValidationJob> jobs_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Service> service_;
  ossl::X509Ptr root_cert_;
};

TEST_F(AcmeService, DirectoryNamesEveryResourceAndMeta) {
  Reply d = Client::parse(service_->handle({"GET", "/directory", "", ""}));
  ASSERT_EQ(d.status(), 200);
  for (const char* name : {"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo"})
    EXPECT_TRUE(d.json.contains(name) && d.json[name].get<std::string>().starts_with("https://localhost:8555/")) << name;
  EXPECT_EQ(d.json["meta"]["externalAccountRequired"], false);
  EXPECT_FALSE(d.response.header("Replay-Nonce").empty());
  EXPECT_EQ(d.response.header("Link"), "<https://localhost:8555/directory>;rel=\"index\"");
}

TEST_F(AcmeService, NewNonceIsHead200AndGet204AndNeverRepeats) {
  Response head = service_->handle({"HEAD", "/new-nonce", "", ""});
  Response get = service_->handle({"GET", "/new-nonce", "", ""});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(get.status, 204);
  EXPECT_EQ(head.header("Cache-Control"), "no-store");
  EXPECT_NE(head.header("Replay-Nonce"), get.header("Replay-Nonce"));
  EXPECT_EQ(Client::parse(service_->handle({"POST", "/new-nonce", "", ""})).status(), 405);
}

TEST_F(AcmeService, AnAccountIsCreatedOnceAndFoundByItsKey) {
  Client c = client();
  Reply first = c.new_account({{"contact", {"mailto:dev@example.test"}}, {"termsOfServiceAgreed", true}});
  ASSERT_EQ(first.status(), 201) << first.response.body;
  EXPECT_EQ(first.location(), "https://localhost:8555/account/1");
  EXPECT_EQ(first.json["status"], "valid");
  EXPECT_EQ(first.json["contact"][0], "mailto:dev@example.test");
  Reply again = c.new_account();
  EXPECT_EQ(again.status(), 200);
  EXPECT_EQ(again.location(), first.location());
  Reply existing = c.new_account({{"onlyReturnExisting", true}});
  EXPECT_EQ(existing.status(), 200);
  Reply unknown = client().new_account({{"onlyReturnExisting", true}});
  EXPECT_EQ(unknown.status(), 400);
  EXPECT_EQ(unknown.problem(), "accountDoesNotExist");
}

TEST_F(AcmeService, ContactsMustBeOneMailtoAddress) {
  EXPECT_EQ(client().new_account({{"contact", {"tel:+1555"}}}).problem(), "unsupportedContact");
  EXPECT_EQ(client().new_account({{"contact", {"mailto:a@b.test,c@d.test"}}}).problem(), "invalidContact");
}

TEST_F(AcmeService, AWholeOrderIssuesACertificateTheRootVerifiesForItsNames) {
  Client c = account();
  Reply order = c.new_order({{"dns", "localhost"}, {"ip", "127.0.0.1"}, {"ip", "::1"}, {"dns", "*.app.test"}});
  ASSERT_EQ(order.status(), 201) << order.response.body;
  EXPECT_EQ(order.json["status"], "ready");  // inside the constraints: authorized at once
  ASSERT_EQ(order.json["authorizations"].size(), 4u);
  Reply authz = c.get(c.path_of(order.json["authorizations"][3]));
  EXPECT_EQ(authz.json["status"], "valid");
  EXPECT_EQ(authz.json["identifier"]["value"], "app.test");
  EXPECT_EQ(authz.json["wildcard"], true);

  ossl::Pkey leaf_key = pki::generate_key(pki::KeyType::ecdsa_p256);
  Reply done = c.finalize(order, csr_der(leaf_key.get(), "DNS:localhost,IP:127.0.0.1,IP:::1,DNS:*.app.test"));
  ASSERT_EQ(done.status(), 200) << done.response.body;
  EXPECT_EQ(done.json["status"], "valid");
  Reply cert = c.get(c.path_of(done.json["certificate"]));
  ASSERT_EQ(cert.status(), 200);
  EXPECT_EQ(cert.response.header("Content-Type"), "application/pem-certificate-chain");
  std::vector<ossl::X509Ptr> chain = pki::load_certificates(cert.response.body, "the download");
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(pki::fingerprint_sha256(chain[1].get()), pki::fingerprint_sha256(root_cert_.get()));
  EXPECT_TRUE(pki::key_matches_certificate(leaf_key.get(), chain[0].get()));
  // OpenSSL builds the chain to the root and matches each name.
  for (const char* host : {"localhost", "x.app.test"}) {
    ossl::X509Store store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), root_cert_.get());
    ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].get(), nullptr);
    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), host, 0);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), std::time(nullptr) + 3600);
    EXPECT_EQ(X509_verify_cert(ctx.get()), 1) << host << ": " << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  }
  // 90 days by default.
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(chain[0].get()), X509_get0_notAfter(chain[0].get()));
  EXPECT_NEAR(days, 90, 1);
  // The account lists the order.
  Reply orders = c.get(c.path_of(c.kid) + "/orders");
  ASSERT_EQ(orders.json["orders"].size(), 1u);
  EXPECT_EQ(orders.json["orders"][0], order.location());
}

TEST_F(AcmeService, ACommonNameOnlyCsrIsTakenForItsName) {
  Client c = account();
  Reply order = c.new_order({{"dns", "app.localhost"}});
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  EXPECT_EQ(c.finalize(order, csr_der(key.get(), "", "app.localhost")).status(), 200);
}

TEST_F(AcmeService, ANameOutsideTheConstraintsIsRefusedWithWhatTheCaMaySign) {
  Client c = account();
  Reply r = c.new_order({{"dns", "localhost"}, {"dns", "www.google.com"}, {"ip", "8.8.8.8"}});
  EXPECT_EQ(r.status(), 400);
  EXPECT_EQ(r.problem(), "rejectedIdentifier");
  EXPECT_TRUE(test::has(r.detail(), "may sign only")) << r.detail();
  EXPECT_TRUE(test::has(r.detail(), "localhost")) << r.detail();
  EXPECT_TRUE(test::has(r.detail(), "To widen the CA: devcert init --permit www.google.com --permit 8.8.8.8"))
      << r.detail();
  ASSERT_EQ(r.json["subproblems"].size(), 2u);
  EXPECT_EQ(r.json["subproblems"][0]["identifier"]["value"], "www.google.com");
  EXPECT_EQ(r.json["subproblems"][1]["identifier"]["value"], "8.8.8.8");
  EXPECT_EQ(store_->count("orders"), 0u);
}

TEST_F(AcmeService, IdentifierTypesMustFitTheirValues) {
  Client c = account();
  EXPECT_EQ(c.new_order({{"dns", "127.0.0.1"}}).problem(), "malformed");
  EXPECT_EQ(c.new_order({{"ip", "localhost"}}).problem(), "malformed");
  EXPECT_EQ(c.new_order({{"email", "a@localhost"}}).problem(), "unsupportedIdentifier");
  EXPECT_EQ(c.post("/new-order", nlohmann::json{{"identifiers", nlohmann::json::array()}}).problem(), "malformed");
}

TEST_F(AcmeService, ACsrNamingOtherNamesIsBadCsrWithTheDifference) {
  Client c = account();
  Reply order = c.new_order({{"dns", "a.localhost"}, {"dns", "b.localhost"}});
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  Reply r = c.finalize(order, csr_der(key.get(), "DNS:a.localhost,DNS:c.localhost"));
  EXPECT_EQ(r.status(), 400);
  EXPECT_EQ(r.problem(), "badCSR");
  EXPECT_TRUE(test::has(r.detail(), "missing: b.localhost")) << r.detail();
  EXPECT_TRUE(test::has(r.detail(), "not in the order: c.localhost")) << r.detail();
  // The account key may not be the certificate's.
  Reply same = c.finalize(order, csr_der(c.key(), "DNS:a.localhost,DNS:b.localhost"));
  EXPECT_EQ(same.problem(), "badCSR");
  EXPECT_TRUE(test::has(same.detail(), "account key")) << same.detail();
  // Not a CSR at all.
  EXPECT_EQ(c.finalize(order, "not a csr").problem(), "badCSR");
  // The order is still ready: a bad CSR does not spend it.
  EXPECT_EQ(c.get(c.path_of(order.location())).json["status"], "ready");
}

TEST_F(AcmeService, AReplayedNonceIsBadNonceWithAFreshOne) {
  Client c = account();
  nlohmann::json h = c.header("/new-order");
  std::string body = acme::sign_jws(c.key(), h, R"({"identifiers":[{"type":"dns","value":"localhost"}]})");
  EXPECT_EQ(c.post_raw("/new-order", body).status(), 201);
  Reply replay = c.post_raw("/new-order", body);
  EXPECT_EQ(replay.status(), 400);
  EXPECT_EQ(replay.problem(), "badNonce");
  EXPECT_FALSE(replay.response.header("Replay-Nonce").empty());
  // A nonce this server never gave.
  h = c.header("/new-order");
  h["nonce"] = "bm90LWEtbm9uY2U";
  EXPECT_EQ(c.post("/new-order", "{}", h).problem(), "badNonce");
}

TEST_F(AcmeService, AUrlThatIsNotTheRequestedOneIsUnauthorized) {
  Client c = account();
  nlohmann::json h = c.header("/new-order");
  h["url"] = "https://localhost:8555/revoke-cert";
  Reply r = c.post("/new-order", R"({"identifiers":[{"type":"dns","value":"localhost"}]})", h);
  EXPECT_EQ(r.status(), 403);
  EXPECT_EQ(r.problem(), "unauthorized");
}

TEST_F(AcmeService, KidAndJwkTogetherOrNeitherAreMalformed) {
  Client c = account();
  nlohmann::json both = c.header("/new-order");
  both["jwk"] = jwk_from_key(c.key());
  EXPECT_EQ(c.post("/new-order", "{}", both).problem(), "malformed");
  nlohmann::json neither = c.header("/new-order");
  neither.erase("kid");
  EXPECT_EQ(c.post("/new-order", "{}", neither).problem(), "malformed");
  // A new account must be signed with its own key, never a kid.
  nlohmann::json kid = c.header("/new-account");
  EXPECT_EQ(c.post("/new-account", "{}", kid).problem(), "malformed");
}

TEST_F(AcmeService, AnUnknownAccountIsAccountDoesNotExist) {
  Client c = account();
  c.kid = "https://localhost:8555/account/99";
  EXPECT_EQ(c.new_order({{"dns", "localhost"}}).problem(), "accountDoesNotExist");
  c.kid = "https://elsewhere.test/account/1";
  EXPECT_EQ(c.new_order({{"dns", "localhost"}}).problem(), "accountDoesNotExist");
}

TEST_F(AcmeService, SignaturesAreCheckedForEveryAlgorithm) {
  Client rsa(*service_, pki::generate_key(pki::KeyType::rsa_2048), "RS256");
  EXPECT_EQ(rsa.new_account().status(), 201);
  Client p384(*service_, pki::generate_key(pki::KeyType::ecdsa_p384), "ES384");
  EXPECT_EQ(p384.new_account().status(), 201);
  ossl::PkeyCtx kctx(EVP_PKEY_CTX_new_from_name(nullptr, "ED25519", nullptr));
  EVP_PKEY* raw = nullptr;
  EVP_PKEY_keygen_init(kctx.get());
  EVP_PKEY_generate(kctx.get(), &raw);
  Client ed(*service_, ossl::Pkey(raw), "EdDSA");
  EXPECT_EQ(ed.new_account().status(), 201);
  EXPECT_EQ(ed.new_order({{"dns", "localhost"}}).status(), 201);
  // An alg the key cannot make, and alg none.
  Client wrong(*service_, pki::generate_key(pki::KeyType::ecdsa_p256), "RS256");
  EXPECT_EQ(wrong.new_account().problem(), "badSignatureAlgorithm");
  Reply none = wrong.post_raw("/new-account", R"({"protected":")" +
      base64url_encode(R"({"alg":"none","nonce":"x","url":"https://localhost:8555/new-account","jwk":{}})") +
      R"(","payload":"","signature":""})");
  EXPECT_EQ(none.problem(), "badSignatureAlgorithm");
  EXPECT_TRUE(none.json.contains("algorithms"));
  // A signature over other bytes.
  Client c = account();
  nlohmann::json h = c.header("/new-order");
  nlohmann::json jws = nlohmann::json::parse(sign_jws(c.key(), h, "{}"));
  jws["payload"] = base64url_encode(R"({"identifiers":[{"type":"dns","value":"localhost"}]})");
  Reply forged = c.post_raw("/new-order", jws.dump());
  EXPECT_EQ(forged.problem(), "malformed");
  EXPECT_TRUE(test::has(forged.detail(), "does not verify")) << forged.detail();
}

TEST_F(AcmeService, RequestsThatAreNotJoseOrNotPostAreRefused) {
  Client c = account();
  Reply order = c.new_order({{"dns", "localhost"}});
  Reply json = Client::parse(service_->handle({"POST", c.path_of(order.location()), "application/json", "{}"}));
  EXPECT_EQ(json.status(), 415);
  EXPECT_EQ(Client::parse(service_->handle({"GET", c.path_of(order.location()), "", ""})).status(), 405);
  EXPECT_EQ(c.get("/nothing-here").status(), 404);
  EXPECT_EQ(c.post_raw("/new-order", "{not json").problem(), "malformed");
  EXPECT_EQ(c.post_raw("/new-order", R"({"protected":"","payload":"","signature":"","extra":1})").problem(), "malformed");
}

TEST_F(AcmeService, AnotherAccountsResourcesAreNotServed) {
  Client a = account(), b = account();
  Reply order = issued(a, {{"dns", "localhost"}}, "DNS:localhost");
  EXPECT_EQ(b.get(b.path_of(order.location())).status(), 404);
  EXPECT_EQ(b.get(b.path_of(order.json["certificate"])).status(), 404);
  EXPECT_EQ(b.get(b.path_of(order.json["authorizations"][0])).status(), 404);
  EXPECT_EQ(b.get(b.path_of(a.kid)).problem(), "unauthorized");
}

TEST_F(AcmeService, RevocationByTheAccountOrByTheCertificatesKey) {
  Client a = account(), b = account();
  Reply order = issued(a, {{"dns", "localhost"}}, "DNS:localhost");
  std::vector<ossl::X509Ptr> chain = pki::load_certificates(certificate_pem(a, order), "download");
  nlohmann::json payload = {{"certificate", base64url_encode(pki::certificate_der(chain[0].get()))}};
  EXPECT_EQ(b.post("/revoke-cert", payload).problem(), "unauthorized");
  nlohmann::json bad_reason = payload;
  bad_reason["reason"] = 7;
  EXPECT_EQ(a.post("/revoke-cert", bad_reason).problem(), "badRevocationReason");
  payload["reason"] = 4;
  Reply ok = a.post("/revoke-cert", payload);
  EXPECT_EQ(ok.status(), 200) << ok.response.body;
  EXPECT_EQ(a.post("/revoke-cert", payload).problem(), "alreadyRevoked");

  // Signed by the certificate's own key, with no account at all.
  Reply second = a.new_order({{"dns", "localhost"}});
  ossl::Pkey leaf_key = pki::generate_key(pki::KeyType::ecdsa_p256);
  Reply done = a.finalize(second, csr_der(leaf_key.get(), "DNS:localhost"));
  std::vector<ossl::X509Ptr> chain2 = pki::load_certificates(certificate_pem(a, done), "download");
  Client holder(*service_, std::move(leaf_key));
  Reply by_key = holder.post("/revoke-cert", nlohmann::json{{"certificate", base64url_encode(pki::certificate_der(chain2[0].get()))}});
  EXPECT_EQ(by_key.status(), 200) << by_key.response.body;
  // A stranger's jwk is not the certificate's key.
  Client stranger = client();
  Reply third = issued(a, {{"dns", "localhost"}}, "DNS:localhost");
  std::vector<ossl::X509Ptr> chain3 = pki::load_certificates(certificate_pem(a, third), "download");
  EXPECT_EQ(stranger.post("/revoke-cert", nlohmann::json{{"certificate", base64url_encode(pki::certificate_der(chain3[0].get()))}}).problem(),
            "unauthorized");
}

TEST_F(AcmeService, RenewalInfoSuggestsTheLastThirdAndNowOnceRevoked) {
  Client c = account();
  Reply order = issued(c, {{"dns", "localhost"}}, "DNS:localhost");
  std::vector<ossl::X509Ptr> chain = pki::load_certificates(certificate_pem(c, order), "download");
  std::string id = ari_id(chain[0].get());
  Reply info = Client::parse(service_->handle({"GET", "/renewal-info/" + id, "", ""}));
  ASSERT_EQ(info.status(), 200) << info.response.body;
  EXPECT_EQ(info.response.header("Retry-After"), "21600");
  std::string start = info.json["suggestedWindow"]["start"], end = info.json["suggestedWindow"]["end"];
  // 90 days from an hour before issue: the window is at days 60 and 75.
  std::tm tm{};
  strptime(start.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  int64_t start_t = timegm(&tm);
  strptime(end.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  int64_t end_t = timegm(&tm);
  std::tm nb{};
  ASN1_TIME_to_tm(X509_get0_notBefore(chain[0].get()), &nb);
  int64_t not_before = timegm(&nb);
  EXPECT_NEAR(static_cast<double>(start_t - not_before) / 86400, 60.0, 0.1);
  EXPECT_NEAR(static_cast<double>(end_t - not_before) / 86400, 75.0, 0.1);
  EXPECT_EQ(Client::parse(service_->handle({"GET", "/renewal-info/AAAA.BBBB", "", ""})).status(), 404);

  c.post("/revoke-cert", nlohmann::json{{"certificate", base64url_encode(pki::certificate_der(chain[0].get()))}});
  Reply after = Client::parse(service_->handle({"GET", "/renewal-info/" + id, "", ""}));
  strptime(after.json["suggestedWindow"]["end"].get<std::string>().c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  EXPECT_EQ(timegm(&tm), now_);
}

TEST_F(AcmeService, ReplacesIsTakenOnceForTheAccountsOwnCertificate) {
  Client c = account(), other = account();
  Reply order = issued(c, {{"dns", "localhost"}}, "DNS:localhost");
  std::vector<ossl::X509Ptr> chain = pki::load_certificates(certificate_pem(c, order), "download");
  std::string id = ari_id(chain[0].get());
  nlohmann::json ids = {{{"type", "dns"}, {"value", "localhost"}}};
  EXPECT_EQ(other.post("/new-order", nlohmann::json{{"identifiers", ids}, {"replaces", id}}).problem(), "unauthorized");
  EXPECT_EQ(c.post("/new-order", nlohmann::json{{"identifiers", ids}, {"replaces", "AAAA.BBBB"}}).problem(), "malformed");
  Reply renewal = c.post("/new-order", nlohmann::json{{"identifiers", ids}, {"replaces", id}});
  ASSERT_EQ(renewal.status(), 201) << renewal.response.body;
  EXPECT_EQ(renewal.json["replaces"], id);
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  ASSERT_EQ(c.finalize(renewal, csr_der(key.get(), "DNS:localhost")).status(), 200);
  Reply twice = c.post("/new-order", nlohmann::json{{"identifiers", ids}, {"replaces", id}});
  EXPECT_EQ(twice.status(), 409);
  EXPECT_EQ(twice.problem(), "alreadyReplaced");
}

TEST_F(AcmeService, KeyChangeMovesTheAccountToTheNewKey) {
  Client c = account(), other = account();
  ossl::Pkey new_key = pki::generate_key(pki::KeyType::ecdsa_p256);
  auto inner = [&](EVP_PKEY* key, const std::string& alg) {
    nlohmann::json h = {{"alg", alg}, {"jwk", jwk_from_key(key)}, {"url", c.url("/key-change")}};
    return sign_jws(key, h, nlohmann::json{{"account", c.kid}, {"oldKey", jwk_from_key(c.key())}}.dump());
  };
  // The new key of another account is a conflict, with that account's URL.
  Reply conflict = c.post("/key-change", inner(other.key(), "ES256"));
  EXPECT_EQ(conflict.status(), 409);
  EXPECT_EQ(conflict.location(), other.kid);
  // An inner JWS with a nonce is refused.
  nlohmann::json with_nonce = {{"alg", "ES256"}, {"jwk", jwk_from_key(new_key.get())}, {"url", c.url("/key-change")}, {"nonce", c.nonce()}};
  EXPECT_EQ(c.post("/key-change", sign_jws(new_key.get(), with_nonce, nlohmann::json{{"account", c.kid}, {"oldKey", jwk_from_key(c.key())}}.dump())).problem(), "malformed");

  Reply changed = c.post("/key-change", inner(new_key.get(), "ES256"));
  ASSERT_EQ(changed.status(), 200) << changed.response.body;
  // The old key no longer signs for the account; the new one does.
  EXPECT_EQ(c.new_order({{"dns", "localhost"}}).problem(), "malformed");
  std::string kid = c.kid;
  c.set_key(std::move(new_key), "ES256");
  EXPECT_EQ(c.new_order({{"dns", "localhost"}}).status(), 201);
  EXPECT_EQ(c.new_account().location(), kid);
}

TEST_F(AcmeService, ADeactivatedAccountCanDoNothingMore) {
  Client c = account();
  Reply off = c.post(c.path_of(c.kid), nlohmann::json{{"status", "deactivated"}});
  ASSERT_EQ(off.status(), 200);
  EXPECT_EQ(off.json["status"], "deactivated");
  Reply after = c.new_order({{"dns", "localhost"}});
  EXPECT_EQ(after.status(), 401);
  EXPECT_EQ(after.problem(), "unauthorized");
}

TEST_F(AcmeService, AnAccountUpdatesItsContact) {
  Client c = account();
  Reply r = c.post(c.path_of(c.kid), nlohmann::json{{"contact", {"mailto:new@example.test"}}});
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(c.get(c.path_of(c.kid)).json["contact"][0], "mailto:new@example.test");
}

TEST_F(AcmeService, ADeactivatedAuthorizationLeavesTheOrderUnfinishable) {
  start(true);
  Client c = account();
  Reply order = c.new_order({{"dns", "localhost"}});
  Reply off = c.post(c.path_of(order.json["authorizations"][0]), nlohmann::json{{"status", "deactivated"}});
  ASSERT_EQ(off.status(), 200) << off.response.body;
  EXPECT_EQ(off.json["status"], "deactivated");
  EXPECT_EQ(c.get(c.path_of(order.location())).json["status"], "invalid");
}

TEST_F(AcmeService, WithValidationAChallengeMustPassBeforeFinalize) {
  start(true);
  Client c = account();
  Reply order = c.new_order({{"dns", "localhost"}});
  ASSERT_EQ(order.json["status"], "pending");
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  Reply early = c.finalize(order, csr_der(key.get(), "DNS:localhost"));
  EXPECT_EQ(early.status(), 403);
  EXPECT_EQ(early.problem(), "orderNotReady");
  Reply authz = c.get(c.path_of(order.json["authorizations"][0]));
  ASSERT_EQ(authz.json["challenges"].size(), 2u);
  EXPECT_EQ(authz.response.header("Retry-After"), "1");
  nlohmann::json http01 = authz.json["challenges"][0];
  EXPECT_EQ(http01["type"], "http-01");
  Reply ch = c.post(c.path_of(http01["url"]), nlohmann::json::object());
  ASSERT_EQ(ch.status(), 200);
  EXPECT_EQ(ch.response.header("Link"), "<" + order.json["authorizations"][0].get<std::string>() + ">;rel=\"up\"");
  ASSERT_EQ(jobs_.size(), 1u);
  EXPECT_EQ(jobs_[0].key_authorization, http01["token"].get<std::string>() + "." + thumbprint(jwk_from_key(c.key())));
  EXPECT_EQ(c.get(c.path_of(order.location())).json["status"], "ready");
  EXPECT_EQ(c.finalize(order, csr_der(key.get(), "DNS:localhost")).status(), 200);
  // A wildcard cannot be proven by http-01 or tls-alpn-01.
  EXPECT_EQ(c.new_order({{"dns", "*.app.test"}}).problem(), "rejectedIdentifier");
}

TEST_F(AcmeService, WithValidationAFailedChallengeMakesTheOrderInvalidWithWhatWasTried) {
  start(true);
  fail_checks_ = true;
  Client c = account();
  Reply order = c.new_order({{"dns", "localhost"}});
  Reply authz = c.get(c.path_of(order.json["authorizations"][0]));
  c.post(c.path_of(authz.json["challenges"][1]["url"]), nlohmann::json::object());
  Reply after = c.get(c.path_of(order.location()));
  EXPECT_EQ(after.json["status"], "invalid");
  EXPECT_EQ(after.json["error"]["type"], "urn:ietf:params:acme:error:connection");
  EXPECT_TRUE(test::has(after.json["error"]["detail"], "port 5002")) << after.json.dump();
}

TEST_F(AcmeService, ExternalAccountBindingIsRequiredAndBindsOnce) {
  start(false, true);
  EabKey key{"kid-1", "alice", std::string(32, 'k'), 0, 0};
  store_->add_eab(key);
  Reply without = client().new_account();
  EXPECT_EQ(without.problem(), "externalAccountRequired");
  EXPECT_TRUE(test::has(without.detail(), "devcert acme eab add")) << without.detail();
  auto binding = [&](Client& c, const std::string& hmac) {
    nlohmann::json h = {{"alg", "HS256"}, {"kid", "kid-1"}, {"url", c.url("/new-account")}};
    return nlohmann::json::parse(sign_hs256(hmac, h, jwk_from_key(c.key()).dump()));
  };
  Client wrong = client();
  EXPECT_EQ(wrong.new_account({{"externalAccountBinding", binding(wrong, std::string(32, 'x'))}}).problem(), "unauthorized");
  Client alice = client();
  Reply ok = alice.new_account({{"externalAccountBinding", binding(alice, key.hmac_key)}});
  ASSERT_EQ(ok.status(), 201) << ok.response.body;
  EXPECT_EQ(store_->eab("kid-1")->account, 1);
  Client again = client();
  Reply reused = again.new_account({{"externalAccountBinding", binding(again, key.hmac_key)}});
  EXPECT_EQ(reused.problem(), "unauthorized");
  EXPECT_TRUE(test::has(reused.detail(), "bound")) << reused.detail();
  Reply directory = Client::parse(service_->handle({"GET", "/directory", "", ""}));
  EXPECT_EQ(directory.json["meta"]["externalAccountRequired"], true);
}

TEST_F(AcmeService, AccountsOrdersAndCertificatesOutliveTheServer) {
  Client c = account();
  Reply order = issued(c, {{"dns", "localhost"}}, "DNS:localhost");
  std::string pem = certificate_pem(c, order);
  std::string kid = c.kid;
  start();  // a new Service and Store on the same file
  Client back(*service_, pki::generate_key(pki::KeyType::ecdsa_p256));
  back.kid = kid;
  // The same account key speaks for the account on the restarted service.
  Client same(std::move(c));
  same.rebind(*service_);
  EXPECT_EQ(same.get(same.path_of(order.json["certificate"])).response.body, pem);
  EXPECT_EQ(same.get(same.path_of(order.location())).json["status"], "valid");
  EXPECT_EQ(back.new_order({{"dns", "localhost"}}).problem(), "malformed");  // a kid is not a key
}

TEST_F(AcmeService, EveryResponseCarriesANonceAndTheIndexLink) {
  Client c = account();
  for (const Reply& r : {c.new_order({{"dns", "localhost"}}), c.new_order({{"dns", "google.com"}}), c.get("/nothing")}) {
    EXPECT_FALSE(r.response.header("Replay-Nonce").empty()) << r.response.body;
    EXPECT_TRUE(test::has(r.response.header("Link"), "rel=\"index\""));
  }
}

}  // namespace
}  // namespace devcert::acme
