#include "acme/service.h"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <set>

#include "acme/jws.h"
#include "error.h"
#include "pki/constraints.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "pki/names.h"
#include "pki/profiles.h"
#include "util/text.h"

namespace devcert::acme {
namespace {

constexpr size_t kMaxNonces = 100000;  // outstanding; the oldest are forgotten first
constexpr size_t kMaxIdentifiers = 100;
constexpr int64_t kOrderLifetime = 7 * 24 * 3600;
constexpr int64_t kRetryAfter = 1;  // seconds: a local check is done in well under one

std::string rfc3339(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string random_token(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw Problem("serverInternal", "the random number generator failed", 500);
  return base64url_encode(raw);
}

int64_t time_of(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return static_cast<int64_t>(timegm(&tm));
}

// "/order/12/finalize" against "/order/" gives 12 and "/finalize".
std::optional<std::pair<int64_t, std::string_view>> id_after(std::string_view target, std::string_view prefix) {
  if (!target.starts_with(prefix)) return std::nullopt;
  std::string_view rest = target.substr(prefix.size());
  size_t end = 0;
  while (end < rest.size() && end < 18 && rest[end] >= '0' && rest[end] <= '9') ++end;
  if (end == 0) return std::nullopt;
  int64_t id = 0;
  std::from_chars(rest.data(), rest.data() + end, id);
  return std::make_pair(id, rest.substr(end));
}

Problem unauthorized(const std::string& detail) { return Problem("unauthorized", detail, 403); }
Problem malformed(const std::string& detail, int status = 400) { return Problem("malformed", detail, status); }

std::string identifier_text(const Identifier& id) { return id.value; }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// What the CA may sign, in words, for a refused identifier's detail.
std::string permitted_words(const std::optional<pki::PermittedSet>& set) {
  if (!set) return "any name";
  std::vector<std::string> parts = set->domains;
  for (const auto& r : set->ranges) parts.push_back(r.to_string());
  return join(parts);
}

// "devcert init --permit a.com --permit 10.9.0.1".
std::string widen(const std::vector<std::string>& permits) {
  std::string out = "devcert init";
  for (const auto& p : permits) out += " --permit " + p;
  return out;
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) { return EVP_PKEY_eq(a, b) == 1; }

}  // namespace

struct Service::Signed {
  Jws jws;
  std::string url;
  std::optional<Account> account;  // the kid's account
  ossl::Pkey key;  // the jwk's key, when the request carried one
  nlohmann::json payload;  // null for POST-as-GET
  bool post_as_get = false;
};

std::string Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (std::equal(n.begin(), n.end(), name.begin(), name.end(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); }))
      return v;
  return "";
}

std::string ari_id(X509* cert) {
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert);
  std::string key_id = aki ? std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki)),
                                         static_cast<size_t>(ASN1_STRING_length(aki)))
                           : "";
  // The serial's DER content octets: i2c gives them, sign byte included.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  unsigned char* der = nullptr;
  int len = i2d_ASN1_INTEGER(serial, &der);
  std::string encoded(reinterpret_cast<char*>(der), static_cast<size_t>(std::max(len, 0)));
  OPENSSL_free(der);
  // Skip the tag and the length (short or long form).
  size_t header = 2;
  if (encoded.size() > 1 && (static_cast<unsigned char>(encoded[1]) & 0x80)) header += encoded[1] & 0x7f;
  return base64url_encode(key_id) + "." + base64url_encode(encoded.substr(std::min(header, encoded.size())));
}

Service::Service(ServiceConfig config, pki::CertificateAuthority ca, Store& store)
    : config_(std::move(config)), ca_(std::move(ca)), store_(store) {
  ca_pem_ = pki::certificate_pem(ca_.cert.get());
  permitted_ = pki::read_name_constraints(ca_.cert.get());
}

int64_t Service::now() const { return config_.now ? config_.now() : static_cast<int64_t>(std::time(nullptr)); }

std::string Service::nonce() {
  std::string n = random_token(16);
  nonces_.insert(n);
  nonce_order_.push_back(n);
  while (nonce_order_.size() > kMaxNonces) {
    nonces_.erase(nonce_order_.front());
    nonce_order_.pop_front();
  }
  return n;
}

bool Service::consume_nonce(const std::string& n) {
  // Erased from the set only: the deque entry goes when it ages out, and erasing a name the
  // set no longer holds is harmless.
  return nonces_.erase(n) == 1;
}

Response Service::handle(const Request& request) {
  std::lock_guard lock(mutex_);
  Response r;
  try {
    r = route(request);
  } catch (const Problem& p) {
    r = Response{p.status(), {{"Content-Type", "application/problem+json"}}, p.to_json().dump(), ""};
    r.log = "refused " + request.method + " " + text::printable(request.target) + ": " + p.type() + ": " + p.what();
  } catch (const Error& e) {
    Problem p("serverInternal", e.what(), 500);
    r = Response{500, {{"Content-Type", "application/problem+json"}}, p.to_json().dump(), ""};
    r.log = "failed " + request.method + " " + text::printable(request.target) + ": " + e.what();
  }
  r.headers.emplace_back("Replay-Nonce", nonce());
  r.headers.emplace_back("Link", "<" + directory_url() + ">;rel=\"index\"");
  if (r.header("Cache-Control").empty()) r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Service::route(const Request& rq) {
  const std::string& t = rq.target;
  if (t == "/directory") {
    if (rq.method != "GET" && rq.method != "HEAD") throw malformed("use GET for the directory", 405);
    return directory();
  }
  if (t == "/new-nonce") {
    if (rq.method == "HEAD") return Response{200, {}, "", ""};
    if (rq.method == "GET") return Response{204, {}, "", ""};
    throw malformed("use HEAD or GET for a new nonce", 405);
  }
  if (t.starts_with("/renewal-info/")) {
    if (rq.method != "GET") throw malformed("use GET for renewal information (RFC 9773)", 405);
    return renewal_info(t.substr(std::string_view("/renewal-info/").size()));
  }
  if (rq.method != "POST")
    throw malformed("use POST (POST-as-GET with an empty payload to read a resource, RFC 8555 section 6.3)", 405);
  if (rq.content_type.substr(0, rq.content_type.find(';')) != "application/jose+json")
    throw malformed("the Content-Type must be application/jose+json", 415);

  if (t == "/new-account") return new_account(authenticate(rq, true, false));
  if (t == "/revoke-cert") return revoke(authenticate(rq, true, true));
  if (t == "/key-change") return key_change(authenticate(rq, false, true));
  if (t == "/new-order") return new_order(authenticate(rq, false, true));
  if (auto m = id_after(t, "/account/")) {
    if (m->second.empty()) return account_update(authenticate(rq, false, true), m->first);
    if (m->second == "/orders") return account_orders(authenticate(rq, false, true), m->first);
  }
  if (auto m = id_after(t, "/order/")) {
    if (m->second.empty()) return get_order(authenticate(rq, false, true), m->first);
    if (m->second == "/finalize") return finalize(authenticate(rq, false, true), m->first);
  }
  if (auto m = id_after(t, "/authz/"); m && m->second.empty()) return get_authz(authenticate(rq, false, true), m->first);
  if (auto m = id_after(t, "/chall/"); m && m->second.empty())
    return post_challenge(authenticate(rq, false, true), m->first);
  if (auto m = id_after(t, "/cert/"); m && m->second.empty())
    return get_certificate(authenticate(rq, false, true), m->first);
  throw malformed("there is no resource " + text::printable(t) + " here; the directory is " + directory_url(), 404);
}

ossl::Pkey Service::account_key(const Account& a) {
  // Building an EVP_PKEY from a JWK is a good part of a request's work; an account signs many.
  // Keyed by thumbprint, so a key change never finds the old key.
  auto it = account_keys_.find(a.thumbprint);
  if (it == account_keys_.end()) {
    if (account_keys_.size() >= 10000) account_keys_.clear();
    it = account_keys_.emplace(a.thumbprint, key_from_jwk(a.jwk)).first;
  }
  EVP_PKEY_up_ref(it->second.get());
  return ossl::Pkey(it->second.get());
}

Account Service::account_from_kid(const std::string& kid) {
  auto m = kid.starts_with(config_.base_url) ? id_after(std::string_view(kid).substr(config_.base_url.size()), "/account/")
                                             : std::nullopt;
  std::optional<Account> a = m && m->second.empty() ? store_.account(m->first) : std::nullopt;
  if (!a)
    throw Problem("accountDoesNotExist", "no account has the kid " + text::printable(kid) +
                                             "; register one with newAccount (this server's accounts live in "
                                             "the CAROOT's acme.db)");
  if (a->status != "valid") throw Problem("unauthorized", "the account " + kid + " is " + a->status, 401);
  return *a;
}

Service::Signed Service::authenticate(const Request& rq, bool jwk_allowed, bool kid_allowed) {
  Signed s;
  s.jws = parse_jws(rq.body);
  s.url = url(rq.target);
  const nlohmann::json& h = s.jws.header;
  if (h["url"] != s.url)
    throw unauthorized("the JWS url " + text::printable(h["url"].get<std::string>()) + " is not the URL requested, " +
                       s.url + " (RFC 8555 section 6.4)");
  EVP_PKEY* key = nullptr;
  if (h.contains("jwk")) {
    if (!jwk_allowed) throw malformed("this request must be signed by an account: send kid, not jwk");
    s.key = key_from_jwk(h["jwk"]);
    key = s.key.get();
  } else {
    if (!kid_allowed) throw malformed("a new account is signed with its key: send jwk, not kid");
    s.account = account_from_kid(h["kid"].get<std::string>());
    s.key = account_key(*s.account);
    key = s.key.get();
  }
  verify_jws(s.jws, key);
  if (!h.contains("nonce") || !h["nonce"].is_string() || !consume_nonce(h["nonce"].get<std::string>()))
    throw Problem("badNonce", h.contains("nonce") ? "the nonce was used already or never given; take the "
                                                    "Replay-Nonce of this response and sign again"
                                                  : "the protected header has no nonce");
  s.post_as_get = s.jws.payload_b64.empty();
  if (!s.post_as_get) {
    s.payload = parse_client_json(s.jws.payload);
    if (s.payload.is_discarded() || !s.payload.is_object()) throw malformed("the JWS payload is not a JSON object");
  }
  return s;
}

Response Service::directory() {
  nlohmann::json d = {{"newNonce", url("/new-nonce")},
                      {"newAccount", url("/new-account")},
                      {"newOrder", url("/new-order")},
                      {"revokeCert", url("/revoke-cert")},
                      {"keyChange", url("/key-change")},
                      // RFC 9773 section 4.1: a client appends "/" and the certificate's id.
                      {"renewalInfo", url("/renewal-info")},
                      {"meta",
                       {{"externalAccountRequired", config_.require_eab}}}};
  return Response{200, {{"Content-Type", "application/json"}}, d.dump(2), ""};
}

nlohmann::json Service::account_json(const Account& a) const {
  return {{"status", a.status},
          {"contact", a.contact},
          {"orders", url("/account/" + std::to_string(a.id) + "/orders")},
          {"createdAt", rfc3339(a.created)}};
}

Response Service::new_account(const Signed& s) {
  nlohmann::json jwk = s.jws.header["jwk"];
  std::string tp = thumbprint(jwk);
  if (std::optional<Account> existing = store_.account_by_thumbprint(tp)) {
    std::string loc = url("/account/" + std::to_string(existing->id));
    return Response{200, {{"Content-Type", "application/json"}, {"Location", loc}}, account_json(*existing).dump(2), ""};
  }
  const nlohmann::json& p = s.payload;
  if (p.is_object() && p.value("onlyReturnExisting", false))
    throw Problem("accountDoesNotExist", "no account has this key (onlyReturnExisting)");
  Account a;
  a.thumbprint = tp;
  a.jwk = jwk;
  a.created = now();
  if (p.is_object() && p.contains("contact")) {
    if (!p["contact"].is_array()) throw malformed("contact is not an array");
    for (const auto& c : p["contact"]) {
      if (!c.is_string() || !c.get<std::string>().starts_with("mailto:"))
        throw Problem("unsupportedContact", "only mailto: contacts are taken");
      std::string addr = c.get<std::string>().substr(7);
      if (addr.find('@') == std::string::npos || addr.find_first_of(",?\r\n ") != std::string::npos)
        throw Problem("invalidContact", "the contact " + text::printable(c.get<std::string>()) +
                                            " is not one mailto: address");
      a.contact.push_back(c);
    }
  }
  std::string eab_kid;
  if (p.is_object() && p.contains("externalAccountBinding")) {
    Jws eab = parse_jws(p["externalAccountBinding"].dump(), true);
    if (eab.header["url"] != s.url) throw malformed("the externalAccountBinding's url is not the newAccount URL");
    eab_kid = eab.header["kid"].get<std::string>();
    std::optional<EabKey> key = store_.eab(eab_kid);
    if (!key || !verify_hs256(eab, key->hmac_key))
      throw unauthorized("the external account binding does not verify: no key " + text::printable(eab_kid) +
                         " with that HMAC (devcert acme eab list shows the keys)");
    if (key->account != 0) throw unauthorized("the external account key " + key->name + " is bound to an account already; make another with: devcert acme eab add NAME");
    nlohmann::json bound = parse_client_json(eab.payload);
    if (bound != jwk) throw malformed("the externalAccountBinding's payload is not the account's jwk");
  } else if (config_.require_eab) {
    throw Problem("externalAccountRequired",
                  "this server listens beyond loopback, so a new account needs an external account binding; "
                  "the server's owner makes a key with: devcert acme eab add NAME");
  }
  a.eab_kid = eab_kid;
  a.id = store_.add_account(a);
  if (!eab_kid.empty() && !store_.bind_eab(eab_kid, a.id))
    throw unauthorized("the external account key was bound by another account at the same time");
  std::string loc = url("/account/" + std::to_string(a.id));
  return Response{201, {{"Content-Type", "application/json"}, {"Location", loc}}, account_json(a).dump(2),
                  "new account " + std::to_string(a.id) + (eab_kid.empty() ? "" : " (external account key " + eab_kid + ")")};
}

Response Service::account_update(const Signed& s, int64_t id) {
  Account a = *s.account;
  if (a.id != id) throw unauthorized("the account URL is not the signer's (kid)");
  std::string log;
  if (!s.post_as_get) {
    const nlohmann::json& p = s.payload;
    if (p.contains("contact")) {
      if (!p["contact"].is_array()) throw malformed("contact is not an array");
      nlohmann::json contact = nlohmann::json::array();
      for (const auto& c : p["contact"]) {
        if (!c.is_string() || !c.get<std::string>().starts_with("mailto:"))
          throw Problem("unsupportedContact", "only mailto: contacts are taken");
        contact.push_back(c);
      }
      a.contact = contact;
      log = "account " + std::to_string(a.id) + " updated its contact";
    }
    if (p.contains("status")) {
      if (p["status"] != "deactivated") throw malformed("an account's status can only be set to \"deactivated\"");
      a.status = "deactivated";
      log = "account " + std::to_string(a.id) + " deactivated";
    }
    store_.update_account(a);
  }
  return Response{200, {{"Content-Type", "application/json"}, {"Location", url("/account/" + std::to_string(a.id))}},
                  account_json(a).dump(2), log};
}

Response Service::account_orders(const Signed& s, int64_t id) {
  if (s.account->id != id) throw unauthorized("these are another account's orders");
  nlohmann::json list = nlohmann::json::array();
  for (int64_t o : store_.orders_of(id)) list.push_back(url("/order/" + std::to_string(o)));
  return Response{200, {{"Content-Type", "application/json"}}, nlohmann::json{{"orders", list}}.dump(2), ""};
}

Response Service::key_change(const Signed& s) {
  if (s.post_as_get) throw malformed("keyChange needs the inner JWS as its payload");
  Jws inner = parse_jws(s.jws.payload);
  if (!inner.header.contains("jwk")) throw malformed("the inner JWS of keyChange must carry the new key as jwk");
  if (inner.header.contains("nonce")) throw malformed("the inner JWS of keyChange must not have a nonce");
  if (inner.header["url"] != s.url) throw malformed("the inner JWS's url is not the keyChange URL");
  ossl::Pkey new_key = key_from_jwk(inner.header["jwk"]);
  verify_jws(inner, new_key.get());
  nlohmann::json p = parse_client_json(inner.payload);
  std::string kid = url("/account/" + std::to_string(s.account->id));
  if (!p.is_object() || p.value("account", "") != kid)
    throw malformed("the inner payload's account is not the signer's, " + kid);
  if (!p.contains("oldKey") || thumbprint(p["oldKey"]) != s.account->thumbprint)
    throw malformed("the inner payload's oldKey is not the account's current key");
  std::string tp = thumbprint(inner.header["jwk"]);
  if (std::optional<Account> other = store_.account_by_thumbprint(tp)) {
    Problem conflict("conflict", "the new key belongs to another account already", 409);
    Response r{409, {{"Content-Type", "application/problem+json"}, {"Location", url("/account/" + std::to_string(other->id))}},
               conflict.to_json().dump(), "refused key change of account " + std::to_string(s.account->id) + ": the new key is account " + std::to_string(other->id) + "'s"};
    return r;
  }
  Account a = *s.account;
  a.jwk = inner.header["jwk"];
  a.thumbprint = tp;
  store_.update_account(a);
  return Response{200, {{"Content-Type", "application/json"}, {"Location", kid}}, account_json(a).dump(2),
                  "account " + std::to_string(a.id) + " changed its key"};
}

Response Service::new_order(const Signed& s) {
  const nlohmann::json& p = s.payload;
  if (s.post_as_get || !p.contains("identifiers") || !p["identifiers"].is_array() || p["identifiers"].empty())
    throw malformed("a new order needs a non-empty identifiers array");
  if (p["identifiers"].size() > kMaxIdentifiers)
    throw Problem("rejectedIdentifier", "an order names at most " + std::to_string(kMaxIdentifiers) + " identifiers");
  if (p.contains("notBefore") || p.contains("notAfter"))
    throw malformed("notBefore and notAfter are not taken; every certificate is valid for " +
                    std::to_string(config_.leaf_days) + " days from now (devcert acme --days)");
  std::vector<pki::SubjectName> names;
  std::vector<Identifier> ids;
  std::vector<std::array<std::string, 3>> rejected;  // type, value, why
  const std::optional<pki::PermittedSet>& permitted = permitted_;
  std::vector<std::string> outside;
  std::vector<std::string> permits;
  for (const auto& j : p["identifiers"]) {
    if (!j.is_object() || !j.contains("type") || !j.contains("value") || !j["type"].is_string() || !j["value"].is_string())
      throw malformed("each identifier is an object with string type and value");
    std::string type = j["type"], value = j["value"];
    if (type != "dns" && type != "ip")
      throw Problem("unsupportedIdentifier", "the identifier type " + text::printable(type) + " is not taken; use dns or ip");
    pki::SubjectName name;
    try {
      name = pki::classify_name(value);
    } catch (const NameError& e) {
      rejected.push_back({type, text::printable(value), e.what()});
      outside.push_back(text::printable(value) + " (" + e.what() + ")");
      continue;
    }
    bool is_ip = name.kind == pki::NameKind::ip;
    if ((type == "ip") != is_ip || name.kind == pki::NameKind::email)
      throw malformed("the identifier " + text::printable(value) + " has type " + type + " but is " +
                      (is_ip ? "an IP address: use type ip (RFC 8738)" : "not an IP address: use type dns"));
    if (auto why = permitted ? pki::constraint_violation(*permitted, name) : std::nullopt) {
      rejected.push_back({type, name.value, *why});
      outside.push_back(*why);
      // What --permit takes: a wildcard's base domain, else the name or address itself.
      std::string permit = name.wildcard ? name.value.substr(2) : name.value;
      if (std::find(permits.begin(), permits.end(), permit) == permits.end()) permits.push_back(permit);
      continue;
    }
    if (config_.validate && name.wildcard) {
      rejected.push_back({type, name.value, "a wildcard is proven only by dns-01, which devcert does not check"});
      outside.push_back(name.value + " is a wildcard, proven only by dns-01, which devcert does not check; run devcert acme without --validate");
      continue;
    }
    Identifier id{type, name.value};
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    ids.push_back(id);
    names.push_back(name);
  }
  if (!rejected.empty()) {
    Problem refused("rejectedIdentifier", "devcert's CA may sign only names and addresses under " +
                                              permitted_words(permitted_) + "; refused: " + join(outside) +
                                              (permits.empty() ? std::string(".") : ". To widen the CA: " + widen(permits)));
    for (const auto& [type, value, why] : rejected) refused.with("rejectedIdentifier", type, value, why);
    throw refused;
  }

  Order o;
  o.account = s.account->id;
  o.created = now();
  o.expires = o.created + kOrderLifetime;
  o.identifiers = ids;
  if (p.contains("replaces")) {
    if (!p["replaces"].is_string()) throw malformed("replaces is not a string");
    std::string old = p["replaces"];
    std::optional<CertificateRecord> c = store_.certificate_by_ari_id(old);
    if (!c) throw malformed("replaces names no certificate this server issued: " + text::printable(old));
    if (c->account != o.account) throw unauthorized("replaces names another account's certificate");
    if (c->replaced_by != 0)
      throw Problem("alreadyReplaced", "the certificate " + old + " was replaced by order " + std::to_string(c->replaced_by), 409);
    o.replaces = old;
  }
  std::vector<Authz> authzs;
  for (const auto& name : names) {
    Authz a;
    a.account = o.account;
    a.wildcard = name.wildcard;
    a.identifier = {name.kind == pki::NameKind::ip ? "ip" : "dns", name.wildcard ? name.value.substr(2) : name.value};
    a.expires = o.expires;
    if (config_.validate) {
      a.status = "pending";
      for (const char* type : {"http-01", "tls-alpn-01"}) a.challenges.push_back({0, 0, type, random_token(32), "pending", 0, {}});
    } else {
      // Inside the constraints is the policy: authorized now, so every client skips its challenge.
      a.status = "valid";
    }
    authzs.push_back(a);
  }
  o.status = config_.validate ? "pending" : "ready";
  store_.add_order(o, authzs);
  std::vector<std::string> list;
  for (const auto& id : ids) list.push_back(identifier_text(id));
  return Response{201, {{"Content-Type", "application/json"}, {"Location", url("/order/" + std::to_string(o.id))}},
                  order_json(o).dump(2),
                  "new order " + std::to_string(o.id) + " of account " + std::to_string(o.account) + " for " + join(list) +
                      (config_.validate ? " (challenges pending)" : " (authorized by the CA's constraints)")};
}

void Service::refresh(Order& o) {
  if (o.status != "pending") return;
  bool all_valid = true;
  for (int64_t id : o.authzs) {
    std::optional<Authz> a = store_.authz(id);
    if (!a || a->status == "pending") {
      all_valid = false;
      continue;
    }
    if (a->status != "valid") {
      o.status = "invalid";
      o.error = Problem("unauthorized", "the authorization for " + a->identifier.value + " is " + a->status, 403).to_json();
      for (const auto& c : a->challenges)
        if (c.status == "invalid" && !c.error.is_null()) o.error = c.error;
      store_.update_order(o);
      return;
    }
  }
  if (all_valid) {
    o.status = "ready";
    store_.update_order(o);
  }
}

nlohmann::json Service::order_json(Order& o) {
  refresh(o);
  nlohmann::json ids = nlohmann::json::array(), authzs = nlohmann::json::array();
  for (const auto& i : o.identifiers) ids.push_back({{"type", i.type}, {"value", i.value}});
  for (int64_t a : o.authzs) authzs.push_back(url("/authz/" + std::to_string(a)));
  nlohmann::json j = {{"status", o.status},
                      {"expires", rfc3339(o.expires)},
                      {"identifiers", ids},
                      {"authorizations", authzs},
                      {"finalize", url("/order/" + std::to_string(o.id) + "/finalize")}};
  if (o.certificate) j["certificate"] = url("/cert/" + std::to_string(o.certificate));
  if (!o.error.is_null()) j["error"] = o.error;
  if (!o.replaces.empty()) j["replaces"] = o.replaces;
  return j;
}

Response Service::get_order(const Signed& s, int64_t id) {
  std::optional<Order> o = store_.order(id);
  if (!o || o->account != s.account->id) throw malformed("no order " + std::to_string(id) + " of this account", 404);
  Response r{200, {{"Content-Type", "application/json"}}, order_json(*o).dump(2), ""};
  if (o->status == "pending" || o->status == "processing") r.headers.emplace_back("Retry-After", std::to_string(kRetryAfter));
  return r;
}

nlohmann::json Service::challenge_json(const Challenge& c) const {
  nlohmann::json j = {{"type", c.type}, {"url", url("/chall/" + std::to_string(c.id))}, {"token", c.token}, {"status", c.status}};
  if (c.validated) j["validated"] = rfc3339(c.validated);
  if (!c.error.is_null()) j["error"] = c.error;
  return j;
}

nlohmann::json Service::authz_json(const Authz& a) const {
  nlohmann::json challenges = nlohmann::json::array();
  for (const auto& c : a.challenges) challenges.push_back(challenge_json(c));
  nlohmann::json j = {{"identifier", {{"type", a.identifier.type}, {"value", a.identifier.value}}},
                      {"status", a.status},
                      {"expires", rfc3339(a.expires)},
                      {"challenges", challenges}};
  if (a.wildcard) j["wildcard"] = true;
  return j;
}

Response Service::get_authz(const Signed& s, int64_t id) {
  std::optional<Authz> a = store_.authz(id);
  if (!a || a->account != s.account->id) throw malformed("no authorization " + std::to_string(id) + " of this account", 404);
  std::string log;
  if (!s.post_as_get) {
    if (s.payload.value("status", "") != "deactivated") throw malformed("an authorization's status can only be set to \"deactivated\"");
    if (a->status != "valid" && a->status != "pending")
      throw malformed("the authorization is " + a->status + "; only a valid or pending one can be deactivated");
    a->status = "deactivated";
    store_.update_authz(*a);
    log = "authorization " + std::to_string(id) + " for " + a->identifier.value + " deactivated";
  }
  Response r{200, {{"Content-Type", "application/json"}}, authz_json(*a).dump(2), log};
  if (a->status == "pending") r.headers.emplace_back("Retry-After", std::to_string(kRetryAfter));
  return r;
}

Response Service::post_challenge(const Signed& s, int64_t id) {
  std::optional<Challenge> c = store_.challenge(id);
  std::optional<Authz> a = c ? store_.authz(c->authz) : std::nullopt;
  if (!a || a->account != s.account->id) throw malformed("no challenge " + std::to_string(id) + " of this account", 404);
  std::string log;
  if (!s.post_as_get && c->status == "pending" && a->status == "pending") {
    ValidationJob job{a->id, c->id, c->type, a->identifier, c->token, c->token + "." + s.account->thumbprint};
    for (auto& each : a->challenges)
      if (each.id == c->id) each.status = "processing";
    c->status = "processing";
    store_.update_authz(*a);
    log = "checking " + c->type + " for " + a->identifier.value + " (account " + std::to_string(a->account) + ")";
    if (config_.dispatch) {
      config_.dispatch(job);
    } else {
      std::optional<Problem> problem = config_.validator ? config_.validator(job)
                                                         : std::optional<Problem>(Problem("serverInternal", "no validator", 500));
      complete_locked(job, problem);
      c = store_.challenge(id);
    }
  }
  Response r{200,
             {{"Content-Type", "application/json"}, {"Link", "<" + url("/authz/" + std::to_string(a->id)) + ">;rel=\"up\""}},
             challenge_json(*c).dump(2), log};
  if (c->status == "processing") r.headers.emplace_back("Retry-After", std::to_string(kRetryAfter));
  return r;
}

void Service::complete(const ValidationJob& job, const std::optional<Problem>& problem) {
  std::lock_guard lock(mutex_);
  complete_locked(job, problem);
}

void Service::complete_locked(const ValidationJob& job, const std::optional<Problem>& problem) {
  std::optional<Authz> a = store_.authz(job.authz);
  if (!a || a->status != "pending") return;
  for (auto& c : a->challenges) {
    if (c.id != job.challenge) continue;
    c.status = problem ? "invalid" : "valid";
    if (problem) c.error = problem->to_json();
    else c.validated = now();
  }
  a->status = problem ? "invalid" : "valid";
  store_.update_authz(*a);
}

Response Service::finalize(const Signed& s, int64_t id) {
  std::optional<Order> o = store_.order(id);
  if (!o || o->account != s.account->id) throw malformed("no order " + std::to_string(id) + " of this account", 404);
  refresh(*o);
  if (o->status != "ready")
    throw Problem("orderNotReady", "the order is " + o->status +
                                       (o->status == "pending" ? ": its authorizations are not all valid yet" : ""),
                  403);
  if (s.post_as_get || !s.payload.contains("csr") || !s.payload["csr"].is_string())
    throw malformed("finalize needs a csr (base64url DER)");
  std::string der = base64url_decode(s.payload["csr"].get<std::string>(), "the csr");
  pki::CertificateRequest csr;
  try {
    csr = pki::load_csr(der, "the CSR");
  } catch (const Error& e) {
    throw Problem("badCSR", e.what());
  }
  EVP_PKEY* key = csr.public_key.get();
  bool ec_ok = EVP_PKEY_is_a(key, "EC") && (pki::ec_curve_nid(key) == NID_X9_62_prime256v1 || pki::ec_curve_nid(key) == NID_secp384r1);
  if (!ec_ok && !EVP_PKEY_is_a(key, "RSA"))
    throw Problem("badCSR", "the CSR's key is " + pki::describe_key(key) +
                                "; browsers take ECDSA P-256 or P-384 and RSA 2048 bits or more");
  if (same_public_key(key, s.key.get()))
    throw Problem("badCSR", "the CSR's key is the account key; use a separate key for the certificate");
  std::vector<std::string> inputs = csr.names;
  if (!csr.common_name.empty()) inputs.push_back(csr.common_name);
  std::set<std::string> wanted, asked;
  std::vector<pki::SubjectName> names;
  for (const auto& i : o->identifiers) wanted.insert(i.value);
  for (const auto& in : inputs) {
    pki::SubjectName n;
    try {
      n = pki::classify_name(in);
    } catch (const NameError& e) {
      throw Problem("badCSR", "the CSR names " + text::printable(in) + ": " + e.what());
    }
    if (asked.insert(n.value).second) names.push_back(n);
  }
  if (asked != wanted) {
    std::vector<std::string> missing, extra;
    for (const auto& w : wanted)
      if (!asked.contains(w)) missing.push_back(w);
    for (const auto& a : asked)
      if (!wanted.contains(a)) extra.push_back(a);
    throw Problem("badCSR", "the CSR must name exactly the order's identifiers (" + join({wanted.begin(), wanted.end()}) + ")" +
                                (missing.empty() ? "" : "; missing: " + join(missing)) +
                                (extra.empty() ? "" : "; not in the order: " + join(extra)));
  }
  pki::LeafProfile profile;
  profile.days = config_.leaf_days;
  pki::Leaf leaf = pki::issue_leaf(ca_, names, profile, key);
  CertificateRecord c;
  c.order = o->id;
  c.account = o->account;
  const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf.cert.get());
  ossl::Bignum bn(ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = BN_bn2hex(bn.get());
  c.serial = hex;
  std::transform(c.serial.begin(), c.serial.end(), c.serial.begin(), [](unsigned char ch) { return std::tolower(ch); });
  OPENSSL_free(hex);
  c.ari_id = ari_id(leaf.cert.get());
  c.pem = pki::certificate_pem(leaf.cert.get()) + ca_pem_;
  c.not_before = time_of(X509_get0_notBefore(leaf.cert.get()));
  c.not_after = time_of(X509_get0_notAfter(leaf.cert.get()));
  store_.add_certificate(c, *o);
  return Response{200, {{"Content-Type", "application/json"}, {"Location", url("/order/" + std::to_string(o->id))}},
                  order_json(*o).dump(2),
                  "issued " + c.serial + " for " + join({asked.begin(), asked.end()}) + " (" +
                      std::to_string(config_.leaf_days) + " days) to account " + std::to_string(o->account) +
                      (o->replaces.empty() ? "" : ", replacing " + o->replaces)};
}

Response Service::get_certificate(const Signed& s, int64_t id) {
  std::optional<CertificateRecord> c = store_.certificate(id);
  if (!c || c->account != s.account->id) throw malformed("no certificate " + std::to_string(id) + " of this account", 404);
  return Response{200, {{"Content-Type", "application/pem-certificate-chain"}}, c->pem, ""};
}

Response Service::revoke(const Signed& s) {
  if (s.post_as_get || !s.payload.contains("certificate") || !s.payload["certificate"].is_string())
    throw malformed("revokeCert needs the certificate (base64url DER)");
  std::string der = base64url_decode(s.payload["certificate"].get<std::string>(), "the certificate");
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!cert) throw malformed("the certificate to revoke is not DER");
  std::optional<CertificateRecord> rec = store_.certificate_by_ari_id(ari_id(cert.get()));
  if (!rec || rec->pem.find(pki::certificate_pem(cert.get())) != 0)
    throw malformed("this server did not issue that certificate", 404);
  if (s.account) {
    if (s.account->id != rec->account) throw unauthorized("the certificate was issued to another account");
  } else if (!same_public_key(s.key.get(), X509_get0_pubkey(cert.get()))) {
    throw unauthorized("the request is signed with a jwk that is not the certificate's key");
  }
  int reason = 0;
  if (s.payload.contains("reason")) {
    if (!s.payload["reason"].is_number_integer()) throw Problem("badRevocationReason", "reason is not an integer");
    reason = s.payload["reason"].get<int>();
    static const std::set<int> kAllowed = {0, 1, 3, 4, 5, 9};
    if (!kAllowed.contains(reason))
      throw Problem("badRevocationReason",
                    "the reason " + std::to_string(reason) +
                        " is not taken; use 0 unspecified, 1 keyCompromise, 3 affiliationChanged, 4 superseded, "
                        "5 cessationOfOperation or 9 privilegeWithdrawn (RFC 5280 section 5.3.1)");
  }
  if (rec->revoked_reason >= 0) throw Problem("alreadyRevoked", "the certificate " + rec->serial + " is revoked already");
  store_.revoke(rec->id, reason, now());
  return Response{200, {}, "",
                  "revoked " + rec->serial + " (reason " + std::to_string(reason) + ") by " +
                      (s.account ? "account " + std::to_string(s.account->id) : std::string("its own key"))};
}

Response Service::renewal_info(const std::string& cert_id) {
  std::optional<CertificateRecord> c = store_.certificate_by_ari_id(cert_id);
  if (!c) throw malformed("no certificate of this server has the renewal id " + text::printable(cert_id), 404);
  int64_t life = c->not_after - c->not_before;
  int64_t start = c->not_before + life * 2 / 3, end = c->not_before + life * 5 / 6;
  if (c->revoked_reason >= 0) {
    // Revoked: renew now (RFC 9773 section 4.2: a window in the past means at once).
    end = now();
    start = end - 3600;
  }
  nlohmann::json j = {{"suggestedWindow", {{"start", rfc3339(start)}, {"end", rfc3339(end)}}}};
  return Response{200, {{"Content-Type", "application/json"}, {"Retry-After", "21600"}, {"Cache-Control", "public, max-age=0, no-cache"}}, j.dump(2), ""};
}

}  // namespace devcert::acme
