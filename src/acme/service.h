// The ACME protocol (RFC 8555, with RFC 8737 tls-alpn-01, RFC 8738 IP identifiers and RFC 9773
// renewal information) as a function from a request to a response, with no network: the HTTP
// server feeds it, and the tests call it directly.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/problem.h"
#include "acme/store.h"
#include "pki/ca.h"
#include "pki/constraints.h"

namespace devcert::acme {

struct Request {
  std::string method;  // GET, HEAD, POST
  std::string target;  // the path, "/new-order"
  std::string content_type;
  std::string body;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string log;  // the log line this outcome deserves, "" for none (polling, nonces)
  std::string header(std::string_view name) const;
};

// What a challenge check is given, and reports.
struct ValidationJob {
  int64_t authz = 0;
  int64_t challenge = 0;
  std::string type;  // http-01, tls-alpn-01
  Identifier identifier;
  std::string token;
  std::string key_authorization;
};
// nullopt: the challenge passed; else the problem (connection, incorrectResponse, tls, dns).
using Validator = std::function<std::optional<Problem>(const ValidationJob&)>;

struct ServiceConfig {
  std::string base_url = "https://localhost:8555";  // no trailing slash
  int leaf_days = 90;  // what ACME clients' renewal logic assumes (they renew at 2/3 or 30 days left)
  // Off: a name inside the CA's constraints is authorized at once. On: http-01 and tls-alpn-01
  // are really checked, by `dispatch`.
  bool validate = false;
  bool require_eab = false;  // listening beyond loopback: every new account needs a bound key
  std::function<int64_t()> now;  // seconds since the epoch; time() when empty
  // Runs a challenge check away from the caller and calls Service::complete with the result;
  // when empty, the check runs inline.
  std::function<void(ValidationJob)> dispatch;
  Validator validator;
};

class Service {
 public:
  Service(ServiceConfig config, pki::CertificateAuthority ca, Store& store);

  Response handle(const Request& request);
  // A finished challenge check: the challenge and its authorization become valid or invalid.
  void complete(const ValidationJob& job, const std::optional<Problem>& problem);

  const ServiceConfig& config() const { return config_; }
  // The URLs' base, once a server bound to port 0 knows its port; before serving.
  void set_base_url(std::string base) { config_.base_url = std::move(base); }
  std::string directory_url() const { return config_.base_url + "/directory"; }
  // A fresh nonce, as newNonce gives it.
  std::string nonce();

 private:
  struct Signed;  // a verified POST: its JWS, payload, and the account that signed it (if kid)

  Response route(const Request& request);
  Signed authenticate(const Request& request, bool jwk_allowed, bool kid_allowed);
  Account account_from_kid(const std::string& kid);
  ossl::Pkey account_key(const Account& a);

  Response directory();
  Response new_account(const Signed& s);
  Response account_update(const Signed& s, int64_t id);
  Response account_orders(const Signed& s, int64_t id);
  Response key_change(const Signed& s);
  Response new_order(const Signed& s);
  Response get_order(const Signed& s, int64_t id);
  Response get_authz(const Signed& s, int64_t id);
  Response post_challenge(const Signed& s, int64_t id);
  Response finalize(const Signed& s, int64_t id);
  Response get_certificate(const Signed& s, int64_t id);
  Response revoke(const Signed& s);
  Response renewal_info(const std::string& cert_id);

  int64_t now() const;
  std::string url(const std::string& path) const { return config_.base_url + path; }
  nlohmann::json account_json(const Account& a) const;
  nlohmann::json order_json(Order& o);
  nlohmann::json authz_json(const Authz& a) const;
  nlohmann::json challenge_json(const Challenge& c) const;
  // An order's status as its authorizations make it now (pending to ready or invalid).
  void refresh(Order& o);
  void complete_locked(const ValidationJob& job, const std::optional<Problem>& problem);
  bool consume_nonce(const std::string& nonce);

  ServiceConfig config_;
  pki::CertificateAuthority ca_;
  std::string ca_pem_;
  std::optional<pki::PermittedSet> permitted_;  // the root's name constraints, read once  // base64url of the root's subjectKeyIdentifier: the ARI id's first half
  Store& store_;
  std::mutex mutex_;
  std::unordered_set<std::string> nonces_;
  std::deque<std::string> nonce_order_;  // oldest first, so the set stays bounded
  std::unordered_map<std::string, ossl::Pkey> account_keys_;  // by thumbprint
};

// RFC 9773's certificate identifier of `cert`: base64url(AKI keyIdentifier) "." base64url(serial).
std::string ari_id(X509* cert);

}  // namespace devcert::acme
