#include "diagnose/diagnose.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <memory>

#include "diagnose/causes.h"
#include "diagnose/frames.h"
#include "diagnose/transport.h"
#include "diagnose/upgrade.h"
#include "pki/inspect.h"
#include "pki/keys.h"
#include "util/text.h"

namespace devcert::diagnose {
namespace {

// The largest echo message read back: Python's websockets refuses more by default (max_size).
constexpr std::uint64_t kMaxMessage = 1 << 20;
// Frames read while waiting for the echo: enough for a 30-byte message a byte per frame between
// pings, few enough that a server streaming pings cannot keep the stage busy.
constexpr int kMaxEchoFrames = 256;

// Raised inside the walk when a link breaks; the walk records it and stops.
struct Broken {
  std::string cause;
  std::string message;
  std::string fix;  // "" = the cause's standard fix
};

bool has_san_of_type(X509* cert, int type) {
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  bool found = false;
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i)
    found = found || sk_GENERAL_NAME_value(sans, i)->type == type;
  GENERAL_NAMES_free(sans);
  return found;
}

bool has_ca_issuers_url(X509* cert) {
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  bool found = false;
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); ++i)
    found = found || OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia, i)->method) == NID_ad_ca_issuers;
  AUTHORITY_INFO_ACCESS_free(aia);
  return found;
}

std::string subject_cn(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

// What the certificate does name, for a mismatch message: its first SANs, or its CN.
std::string names_of(X509* cert) {
  pki::CertificateReport r = pki::inspect_certificate(cert, nullptr);
  std::string out;
  for (size_t i = 0; i < r.sans.size() && i < 5; ++i)
    out += (out.empty() ? "" : ", ") + r.sans[i].first + ":" + r.sans[i].second;
  if (r.sans.size() > 5) out += " and " + std::to_string(r.sans.size() - 5) + " more";
  if (out.empty()) out = subject_cn(cert).empty() ? "no names" : "CN " + subject_cn(cert);
  return "it names " + out;
}

struct VerifyResult {
  int error = X509_V_OK;
  int depth = 0;
};

VerifyResult verify_chain(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted) {
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted);
  VerifyResult r;
  if (X509_verify_cert(ctx.get()) != 1) {
    r.error = X509_STORE_CTX_get_error(ctx.get());
    r.depth = X509_STORE_CTX_get_error_depth(ctx.get());
  }
  ERR_clear_error();
  return r;
}

ossl::X509Store store_of(const std::string& pem) {
  ossl::X509Store store(X509_STORE_new());
  for (auto& cert : pki::load_certificates(pem, "--ca")) X509_STORE_add_cert(store.get(), cert.get());
  return store;
}

class Walk {
 public:
  explicit Walk(const DiagnoseOptions& o) : opts_(o) {}

  Diagnosis run() {
    d_.endpoint = parse_url(opts_.url);
    require_header_value("--origin", opts_.origin);
    require_header_value("--subprotocol", opts_.subprotocol);
    const Endpoint& ep = d_.endpoint;
    stage("url", [&] { return ep.url() + (ep.tls() ? "" : " (no TLS)"); });
    if (!ep.tls())
      d_.warnings.push_back("ws:// is not encrypted: browsers refuse it from https:// pages (mixed "
                            "content); use wss:// with a devcert certificate");
    stage("dns", [&] { return resolve_host(); });
    stage("tcp", [&] { return connect(); });
    if (ep.tls()) {
      stage("tls", [&] { return handshake(); });
      stage("certificate", [&] { return check_certificate(); });
      stage("trust", [&] { return check_trust(); });
      stage("hostname", [&] { return check_hostname(); });
    } else {
      for (const char* name : {"tls", "certificate", "trust", "hostname"})
        d_.stages.push_back({name, Stage::Status::skipped, "ws:// has no TLS", 0});
    }
    stage("websocket", [&] { return upgrade(); });
    stage("echo", [&] { return echo(); });
    if (!broken_) {
      d_.ok = true;
      d_.message = std::string(cause_info("ok").meaning);
    }
    for (auto& w : d_.warnings) w = text::printable(w);
    return d_;
  }

 private:
  // Runs one stage unless an earlier one broke; a Broken thrown inside marks it failed.
  template <class F>
  void stage(const char* name, F&& body) {
    if (broken_) {
      d_.stages.push_back({name, Stage::Status::skipped, "", 0});
      return;
    }
    auto start = Clock::now();
    // One deadline for the whole stage, however the server spreads its bytes.
    deadline_ = start + opts_.timeout;
    if (conn_) conn_->set_deadline(deadline_);
    Stage s{name, Stage::Status::ok, "", 0};
    // Details and messages quote what the server sent (names, headers, payloads): escaped here,
    // where every one of them enters the diagnosis.
    try {
      s.detail = text::printable(body());
      if (skipped_) {
        s.status = Stage::Status::skipped;
        skipped_ = false;
      }
    } catch (const Broken& b) {
      broken_ = true;
      s.status = Stage::Status::failed;
      s.detail = text::printable(b.message);
      d_.ok = false;
      d_.stage = name;
      d_.cause = b.cause;
      d_.message = s.detail;
      d_.fix = text::printable(b.fix.empty() ? std::string(cause_info(b.cause).fix) : b.fix);
    }
    s.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    d_.stages.push_back(std::move(s));
  }

  std::string resolve_host() {
    Resolution r = resolve(d_.endpoint.host, d_.endpoint.port, deadline_);
    if (r.timed_out)
      throw Broken{"dns_timeout", "no answer from the resolver for " + d_.endpoint.host + " within " +
                                      seconds() + " s (--timeout)", ""};
    if (r.addresses.empty())
      throw Broken{"dns_failed", d_.endpoint.host + " does not resolve (" + r.error + ")", ""};
    addresses_ = r.addresses;
    std::string list;
    for (const auto& a : addresses_) list += (list.empty() ? "" : ", ") + a.text;
    return d_.endpoint.host + " -> " + list;
  }

  std::string connect() {
    std::vector<std::string> failures;
    bool any_timeout = false;
    for (size_t i = 0; i < addresses_.size(); ++i) {
      Dial dl = dial(addresses_[i], deadline_);
      if (dl.outcome == DialOutcome::connected) {
        conn_ = std::make_unique<Connection>(dl.fd, deadline_);
        address_ = addresses_[i].text;
        if (i > 0)
          // The classic: localhost resolves to ::1 first, the server listens on 127.0.0.1 only.
          d_.warnings.push_back("nothing listens on " + addresses_[0].text + " (" + failures.front() +
                                "), the first address of " + d_.endpoint.host +
                                "; clients that try only the first address (Node before 20, many "
                                "libraries) fail. Make the server listen on both 127.0.0.1 and ::1");
        return "connected to " + addresses_[i].text + " port " + std::to_string(d_.endpoint.port);
      }
      any_timeout = any_timeout || dl.outcome == DialOutcome::timeout;
      failures.push_back(addresses_[i].text + ": " + dl.detail);
    }
    std::string all;
    for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
    if (any_timeout)
      throw Broken{"connection_timeout", "no answer from port " + std::to_string(d_.endpoint.port) + " (" + all + ")", ""};
    throw Broken{"connection_refused",
                 "nothing listens on port " + std::to_string(d_.endpoint.port) + " (" + all + ")", ""};
  }

  bool plain_http_on_port() {
    for (const auto& a : addresses_) {
      if (a.text != address_) continue;
      Dial dl = dial(a, deadline_);
      if (dl.outcome != DialOutcome::connected) return false;
      Connection plain(dl.fd, deadline_);
      plain.write_all("GET / HTTP/1.1\r\nHost: " + d_.endpoint.authority() + "\r\nConnection: close\r\n\r\n");
      std::string head = plain.read_until("\r\n", 64);
      return head.starts_with("HTTP/");
    }
    return false;
  }

  std::string handshake() {
    // Two thirds of the stage for the handshake, the rest for the plain-HTTP probe after a
    // failure: a plain HTTP server often waits for a request end that a TLS hello never has.
    conn_->set_deadline(Clock::now() + opts_.timeout * 2 / 3);
    std::string why = conn_->start_tls(d_.endpoint.host, !d_.endpoint.host_is_ip);
    if (!why.empty()) {
      IoEnd end = conn_->end();
      // OpenSSL's limit on the Certificate message (100 KiB), which Node, Python and curl share.
      if (why.find("excessive message size") != std::string::npos)
        throw Broken{"certificate_too_large",
                     "the server's certificate message is larger than OpenSSL reads (100 KiB): " + why, ""};
      if (plain_http_on_port())
        throw Broken{"not_tls", "the port answers plain HTTP to a TLS hello (" + why + ")", ""};
      if (end == IoEnd::timeout)
        throw Broken{"connection_timeout", "the server accepted the connection but never answered the TLS hello", ""};
      if (end == IoEnd::reset)
        throw Broken{"connection_reset", "the server reset the connection during the TLS handshake (" + conn_->detail() + ")", ""};
      if (why.find("protocol version") != std::string::npos || why.find("unsupported protocol") != std::string::npos)
        throw Broken{"tls_version_too_old", "the server refused every TLS version offered (" + why + ")", ""};
      throw Broken{"tls_handshake_failed", "TLS handshake failed: " + why, ""};
    }
    SSL* ssl = conn_->ssl();
    int version = SSL_version(ssl);
    std::string facts = std::string(SSL_get_version(ssl)) + ", " + SSL_get_cipher_name(ssl);
    const unsigned char* alpn = nullptr;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    facts += alpn_len ? ", ALPN " + std::string(reinterpret_cast<const char*>(alpn), alpn_len) : ", no ALPN";
    if (version < TLS1_2_VERSION)
      throw Broken{"tls_version_too_old", "the server negotiated " + std::string(SSL_get_version(ssl)) +
                                              "; browsers, Node and Python require TLS 1.2 or newer", ""};
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    if (!chain || sk_X509_num(chain) == 0)
      throw Broken{"tls_handshake_failed", "the server sent no certificate", ""};
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      pki::CertificateReport r = pki::inspect_certificate(sk_X509_value(chain, i), nullptr);
      d_.peer_certificates.push_back({text::printable(r.subject), text::printable(r.issuer)});
    }
    leaf_.reset(X509_dup(sk_X509_value(chain, 0)));
    untrusted_.reset(sk_X509_new_null());
    for (int i = 1; i < sk_X509_num(chain); ++i) sk_X509_push(untrusted_.get(), X509_dup(sk_X509_value(chain, i)));
    return facts;
  }

  std::string check_certificate() {
    X509* leaf = leaf_.get();
    pki::CertificateReport report = pki::inspect_certificate(leaf, nullptr);
    std::string who = subject_cn(leaf);
    if (who.empty() && !report.sans.empty()) who = report.sans.front().second;
    int served = 1 + sk_X509_num(untrusted_.get());
    std::string detail = (who.empty() ? std::string("leaf") : "'" + who + "'") + ", " + report.key + ", valid until " +
                         report.not_after + ", " + std::to_string(served) + " certificate" +
                         (served > 1 ? "s" : "") + " served";
    if (X509_cmp_time(X509_get0_notBefore(leaf), nullptr) > 0)
      throw Broken{"not_yet_valid", "the certificate is not valid before " + report.not_before, ""};
    if (X509_cmp_time(X509_get0_notAfter(leaf), nullptr) < 0)
      throw Broken{"expired", "the certificate expired on " + report.not_after, ""};
    EVP_PKEY* key = X509_get0_pubkey(leaf);
    int bits = key ? EVP_PKEY_get_bits(key) : 0;
    if (key && ((pki::is_rsa(key) && bits < 2048) || (EVP_PKEY_is_a(key, "EC") && bits < 256)))
      throw Broken{"weak_key", "the certificate's key is " + report.key + ", below what clients accept", ""};
    uint32_t flags = X509_get_extension_flags(leaf);
    if ((flags & EXFLAG_XKUSAGE) && !(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER))
      throw Broken{"missing_server_auth", "the certificate's extendedKeyUsage lacks serverAuth", ""};
    return detail;
  }

  std::string map_failure(const VerifyResult& v) {
    std::string text = X509_verify_cert_error_string(v.error);
    switch (v.error) {
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        throw Broken{"self_signed", "the certificate is self-signed (" + text + ")", ""};
      case X509_V_ERR_CERT_HAS_EXPIRED:
        throw Broken{"expired", "a certificate in the chain has expired (depth " + std::to_string(v.depth) + ")", ""};
      case X509_V_ERR_CERT_NOT_YET_VALID:
        throw Broken{"not_yet_valid", "a certificate in the chain is not valid yet (depth " + std::to_string(v.depth) + ")", ""};
      case X509_V_ERR_PERMITTED_VIOLATION:
      case X509_V_ERR_EXCLUDED_VIOLATION:
      case X509_V_ERR_SUBTREE_MINMAX:
      case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
      case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
        throw Broken{"name_constraint_violation", "the issuing CA may not vouch for this name (" + text + ")", ""};
      case X509_V_ERR_INVALID_PURPOSE:
        throw Broken{"missing_server_auth", "a certificate in the chain is not for TLS servers (" + text + ")", ""};
      case X509_V_ERR_EE_KEY_TOO_SMALL:
      case X509_V_ERR_CA_KEY_TOO_SMALL:
        throw Broken{"weak_key", text, ""};
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
        // The last certificate served is not a root, and it names where its issuer can be
        // fetched (AIA caIssuers, as public CA certificates do): the server left out an
        // intermediate that clients do not have. Without that pointer the issuer is unknown.
        int n = sk_X509_num(untrusted_.get());
        X509* top = n ? sk_X509_value(untrusted_.get(), n - 1) : leaf_.get();
        bool self_issued = X509_check_issued(top, top) == X509_V_OK;
        if (!self_issued && has_ca_issuers_url(top))
          throw Broken{"chain_incomplete",
                       "the server sent " + std::to_string(n + 1) + " certificate" + (n ? "s" : "") +
                           " but not the intermediate that issued '" + subject_cn(top) + "'",
                       ""};
        throw Broken{"unknown_issuer", "issued by a CA this machine does not trust (" + text + ")", ""};
      }
      default:
        throw Broken{"unknown_issuer", "the chain does not verify: " + text, ""};
    }
  }

  std::string check_trust() {
    if (!opts_.ca_pem.empty()) {
      ossl::X509Store only = store_of(opts_.ca_pem);
      VerifyResult v = verify_chain(only.get(), leaf_.get(), untrusted_.get());
      if (v.error != X509_V_OK) map_failure(v);
      return "chains to a root in --ca";
    }
    ossl::X509Store system(X509_STORE_new());
    X509_STORE_set_default_paths(system.get());
    VerifyResult v = verify_chain(system.get(), leaf_.get(), untrusted_.get());
    bool from_devcert = false;
    if (!opts_.devcert_ca_pem.empty()) {
      ossl::X509Store devcert = store_of(opts_.devcert_ca_pem);
      from_devcert = verify_chain(devcert.get(), leaf_.get(), untrusted_.get()).error == X509_V_OK;
    }
    if (v.error == X509_V_OK)
      return from_devcert ? "issued by your devcert CA, trusted by the system store" : "chains to a root in the system store";
    if (from_devcert)
      throw Broken{"ca_not_installed", "issued by your devcert CA, which is not installed in the system store", ""};
    return map_failure(v);
  }

  std::string check_hostname() {
    const Endpoint& ep = d_.endpoint;
    X509* leaf = leaf_.get();
    bool has_dns = has_san_of_type(leaf, GEN_DNS), has_ip = has_san_of_type(leaf, GEN_IPADD);
    if (ep.host_is_ip) {
      if (X509_check_ip_asc(leaf, ep.host.c_str(), 0) == 1) return "IP " + ep.host + " is in the SAN";
      if (!has_dns && !has_ip && subject_cn(leaf) == ep.host)
        throw Broken{"cn_only", ep.host + " is only in the CN; clients read only the SAN", ""};
      throw Broken{"ip_mismatch", ep.host + " is not an IP SAN of the certificate (" + names_of(leaf) + ")",
                   "devcert issue " + ep.host};
    }
    // SAN only, as browsers do: OpenSSL's fallback to the CN is switched off.
    if (X509_check_host(leaf, ep.host.c_str(), ep.host.size(), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr) == 1)
      return ep.host + " is in the SAN";
    if (!has_dns && !has_ip && X509_check_host(leaf, ep.host.c_str(), ep.host.size(), 0, nullptr) == 1)
      throw Broken{"cn_only", ep.host + " is only in the CN; browsers, Node and Python read only the SAN", ""};
    throw Broken{"hostname_mismatch", "the certificate does not name " + ep.host + " (" + names_of(leaf) + ")",
                 "devcert issue " + ep.host};
  }

  // --timeout as typed in a message: "1.5".
  std::string seconds() const {
    std::string s = std::to_string(opts_.timeout.count() / 1000.0);
    return s.substr(0, s.find('.') + 2);
  }

  // Why the connection stopped, as a cause: for a read or write that came up short.
  [[noreturn]] void connection_lost(const std::string& waiting_for) {
    switch (conn_->end()) {
      case IoEnd::timeout:
        throw Broken{"response_timeout", "no " + waiting_for + " within " + seconds() + " s (--timeout)", ""};
      case IoEnd::reset:
        throw Broken{"connection_reset", "the server reset the connection (" + conn_->detail() + ") instead of " +
                                             "sending its " + waiting_for, ""};
      case IoEnd::failed:
        throw Broken{"connection_reset", "the connection failed (" + conn_->detail() + ") instead of sending its " +
                                             waiting_for, ""};
      case IoEnd::closed:
      case IoEnd::none:
        break;
    }
    throw Broken{"not_websocket", "the server closed the connection instead of sending its " + waiting_for, ""};
  }

  std::string upgrade() {
    const Endpoint& ep = d_.endpoint;
    UpgradeRequest req;
    req.target = ep.path;
    req.host = ep.authority();
    req.origin = opts_.origin.empty() ? std::string(ep.tls() ? "https://" : "http://") + ep.authority() : opts_.origin;
    req.subprotocol = opts_.subprotocol;
    req.key = make_websocket_key();
    if (!conn_->write_all(req.to_string())) connection_lost("answer to the upgrade request");
    std::string head = conn_->read_until("\r\n\r\n", kMaxResponseHead);
    if (!head.ends_with("\r\n\r\n")) {
      if (head.size() >= kMaxResponseHead)
        throw Broken{"bad_response", "the response head is over " + std::to_string(kMaxResponseHead / 1024) +
                                         " KiB without ending (Node refuses such a head)", ""};
      if (head.empty()) connection_lost("answer to the upgrade request");
      if (conn_->end() == IoEnd::closed)
        throw Broken{"bad_response", "the server closed the connection in the middle of its response head", ""};
      connection_lost("complete response head (" + std::to_string(head.size()) + " bytes came)");
    }
    auto resp = parse_http_response(head);
    if (!resp) throw Broken{"bad_response", "the answer to the upgrade request is not HTTP: '" + head.substr(0, 60) + "'", ""};
    std::string status = "HTTP " + std::to_string(resp->status) + (resp->reason.empty() ? "" : " " + resp->reason);
    if (resp->status == 403)
      throw Broken{"origin_rejected", status + " to an upgrade with Origin: " + req.origin, ""};
    if (resp->status != 101) throw Broken{"not_websocket", status + " instead of 101 Switching Protocols", ""};
    std::string upgrade = resp->header("upgrade").value_or("");
    if (!header_has_token(upgrade, "websocket"))
      throw Broken{"not_websocket", "101 without 'Upgrade: websocket' (Upgrade: '" + upgrade + "')", ""};
    if (resp->header("sec-websocket-accept").value_or("") != expected_accept(req.key))
      throw Broken{"bad_accept", "Sec-WebSocket-Accept is '" + resp->header("sec-websocket-accept").value_or("") +
                                     "', expected '" + expected_accept(req.key) + "'", ""};
    std::string selected = resp->header("sec-websocket-protocol").value_or("");
    if (!req.subprotocol.empty() && selected != req.subprotocol)
      throw Broken{"subprotocol_mismatch", "asked for subprotocol '" + req.subprotocol + "', the server " +
                                               (selected.empty() ? "selected none" : "selected '" + selected + "'"), ""};
    if (req.subprotocol.empty() && !selected.empty())
      throw Broken{"subprotocol_mismatch", "the server selected subprotocol '" + selected + "' that was not requested", ""};
    return "101 Switching Protocols, Origin " + req.origin + (selected.empty() ? "" : ", subprotocol " + selected);
  }

  // The next data message, answering pings on the way; nullopt when the server closed the
  // WebSocket or the connection instead (`closed` says how: code and reason).
  std::optional<std::string> read_message(std::string& closed) {
    std::string message;
    bool in_message = false;
    for (int frames = 0; frames < kMaxEchoFrames; ++frames) {
      std::optional<Frame> f;
      try {
        f = read_frame(*conn_, kMaxMessage);
      } catch (const BadFrame& e) {
        throw Broken{"bad_frame", std::string("the server sent ") + e.what(), ""};
      }
      if (!f && conn_->end() == IoEnd::closed) {
        closed = "closed the connection without a close frame";
        return std::nullopt;
      }
      if (!f) connection_lost("message back");
      if (f->opcode == Opcode::ping) {
        if (!conn_->write_all(encode_client_frame(Opcode::pong, f->payload))) connection_lost("message back");
        continue;
      }
      if (f->opcode == Opcode::pong) continue;
      if (f->opcode == Opcode::close) {
        CloseReason why = parse_close(f->payload);
        closed = "closed the WebSocket (code " + std::to_string(why.code) +
                 (why.reason.empty() ? "" : ", reason '" + why.reason + "'") + ")";
        return std::nullopt;
      }
      if ((f->opcode == Opcode::continuation) != in_message)
        throw Broken{"bad_frame", in_message ? "the server started a new message inside a fragmented one"
                                             : "the server sent a continuation frame outside a message", ""};
      in_message = true;
      if (message.size() + f->payload.size() > kMaxMessage)
        throw Broken{"bad_frame", "the server sent a message over the " + std::to_string(kMaxMessage >> 20) +
                                      " MiB devcert reads (Python's websockets refuses it too: close 1009)", ""};
      message += f->payload;
      if (f->fin) return message;
    }
    throw Broken{"bad_frame", "the server sent " + std::to_string(kMaxEchoFrames) + " frames without completing a message", ""};
  }

  std::string echo() {
    if (!opts_.echo) {
      skipped_ = true;
      return "--no-echo";
    }
    unsigned char rnd[8];
    RAND_bytes(rnd, sizeof rnd);
    std::string payload = "devcert probe ";
    for (unsigned char c : rnd) payload += "0123456789abcdef"[c >> 4], payload += "0123456789abcdef"[c & 15];
    if (!conn_->write_all(encode_client_frame(Opcode::text, payload))) connection_lost("message back");
    std::string closed;
    std::optional<std::string> message = read_message(closed);
    if (!message) {
      skipped_ = true;
      return "the server " + closed + " instead of answering: not an echo server";
    }
    conn_->write_all(encode_client_frame(Opcode::close, std::string("\x03\xe8", 2)));
    if (*message != payload)
      throw Broken{"echo_mismatch", "sent '" + payload + "', received '" + message->substr(0, 60) + "'", ""};
    return "text message echoed";
  }

  const DiagnoseOptions& opts_;
  Diagnosis d_;
  bool broken_ = false;
  bool skipped_ = false;
  Clock::time_point deadline_;  // of the running stage
  std::vector<Address> addresses_;
  std::string address_;
  std::unique_ptr<Connection> conn_;
  ossl::X509Ptr leaf_;
  ossl::X509Stack untrusted_;
};

std::string_view status_text(Stage::Status s) {
  switch (s) {
    case Stage::Status::ok: return "ok";
    case Stage::Status::failed: return "failed";
    case Stage::Status::skipped: return "skipped";
  }
  return "?";
}

}  // namespace

const std::vector<std::string>& stage_names() {
  static const std::vector<std::string> names{"url", "dns", "tcp", "tls", "certificate",
                                              "trust", "hostname", "websocket", "echo"};
  return names;
}

Diagnosis diagnose(const DiagnoseOptions& options) { return Walk(options).run(); }

nlohmann::json to_json(const Diagnosis& d) {
  const CauseInfo& info = cause_info(d.cause);
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : d.stages)
    stages.push_back({{"name", s.name}, {"status", status_text(s.status)}, {"detail", s.detail}, {"ms", s.ms}});
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : d.peer_certificates) peers.push_back({{"subject", p.subject}, {"issuer", p.issuer}});
  return {{"ok", d.ok},
          {"url", d.endpoint.url()},
          {"stage", d.stage},
          {"cause", d.cause},
          {"message", d.message},
          {"fix", d.fix},
          {"clients",
           {{"chrome", info.clients.chrome},
            {"firefox", info.clients.firefox},
            {"node", info.clients.node},
            {"python", info.clients.python}}},
          {"stages", stages},
          {"peer_certificates", peers},
          {"warnings", d.warnings}};
}

}  // namespace devcert::diagnose
