// An ACME client for the in-process tests: it signs requests with its account key and hands
// them to a Service directly, the way a real client would send them over HTTPS.
#pragma once

#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/jws.h"
#include "acme/service.h"
#include "pki/keys.h"

namespace devcert::acme::testing {

inline std::string csr_der(EVP_PKEY* key, const std::string& sans, const std::string& cn = "") {
  ossl::X509Req req(X509_REQ_new());
  X509_REQ_set_pubkey(req.get(), key);
  if (!cn.empty())
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  if (!sans.empty()) {
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, sans.c_str());
    sk_X509_EXTENSION_push(exts, ext);
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  X509_REQ_sign(req.get(), key, EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256());
  unsigned char* der = nullptr;
  int len = i2d_X509_REQ(req.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

struct Reply {
  Response response;
  nlohmann::json json;  // the parsed body, null when it is not JSON
  int status() const { return response.status; }
  // "badNonce" for urn:ietf:params:acme:error:badNonce, "" when the reply is no problem.
  std::string problem() const {
    constexpr std::string_view prefix = "urn:ietf:params:acme:error:";
    std::string type = json.is_object() ? json.value("type", "") : "";
    return type.starts_with(prefix) ? type.substr(prefix.size()) : "";
  }
  std::string detail() const { return json.is_object() ? json.value("detail", "") : ""; }
  std::string location() const { return response.header("Location"); }
};

class Client {
 public:
  Client(Service& service, ossl::Pkey key, std::string alg = "ES256")
      : service_(&service), key_(std::move(key)), alg_(std::move(alg)) {}
  // The same account key and kid, speaking to another Service (one on the same database).
  void rebind(Service& service) { service_ = &service; }

  static Reply parse(Response r) {
    Reply out{std::move(r), nullptr};
    out.json = nlohmann::json::parse(out.response.body, nullptr, false);
    if (out.json.is_discarded()) out.json = nullptr;
    return out;
  }

  std::string nonce() { return service_->handle({"HEAD", "/new-nonce", "", ""}).header("Replay-Nonce"); }
  std::string url(const std::string& path) const { return service_->config().base_url + path; }
  std::string path_of(const std::string& full) const { return full.substr(service_->config().base_url.size()); }

  // The protected header this client sends to `path`: kid once it has an account, else jwk.
  nlohmann::json header(const std::string& path) {
    nlohmann::json h = {{"alg", alg_}, {"nonce", nonce()}, {"url", url(path)}};
    if (kid.empty()) h["jwk"] = jwk_from_key(key_.get());
    else h["kid"] = kid;
    return h;
  }
  Reply post_raw(const std::string& path, const std::string& body) {
    return parse(service_->handle({"POST", path, "application/jose+json", body}));
  }
  Reply post(const std::string& path, const std::string& payload, nlohmann::json h = nullptr) {
    if (h.is_null()) h = header(path);
    return post_raw(path, sign_jws(key_.get(), h, payload));
  }
  Reply post(const std::string& path, const nlohmann::json& payload) { return post(path, payload.dump()); }
  Reply get(const std::string& path) { return post(path, std::string()); }  // POST-as-GET

  Reply new_account(nlohmann::json payload = nlohmann::json::object()) {
    kid.clear();
    Reply r = post("/new-account", payload);
    if (r.status() == 200 || r.status() == 201) kid = r.location();
    return r;
  }
  Reply new_order(const std::vector<std::pair<std::string, std::string>>& ids) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [t, v] : ids) list.push_back({{"type", t}, {"value", v}});
    return post("/new-order", nlohmann::json{{"identifiers", list}});
  }
  Reply finalize(const Reply& order, const std::string& der) {
    return post(path_of(order.json["finalize"]), nlohmann::json{{"csr", base64url_encode(der)}});
  }
  EVP_PKEY* key() const { return key_.get(); }
  void set_key(ossl::Pkey key, std::string alg) {
    key_ = std::move(key);
    alg_ = std::move(alg);
  }

  std::string kid;

 private:
  Service* service_;
  ossl::Pkey key_;
  std::string alg_;
};

}  // namespace devcert::acme::testing
