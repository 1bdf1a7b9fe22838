#include "diagnose/diagnose.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/http.hpp>

#include "diagnose/beast_errors.h"
#include "diagnose/broken.h"
#include "diagnose/causes.h"
#include "diagnose/certificate_checks.h"
#include "diagnose/client_tls.h"
#include "diagnose/fixes.h"
#include "diagnose/raw_reply.h"
#include "diagnose/resolve.h"
#include "diagnose/tap_stream.h"
#include "pki/inspect.h"
#include "util/text.h"

namespace devcert::diagnose {
namespace {

namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
template <class T>
using awaitable = asio::awaitable<T>;
// Each operation hands back its error_code: a failure is a finding to classify, not an exception.
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using WsStream = websocket::stream<TapStream>;

// Control frames read while waiting for a message: a server streaming pings cannot keep a stage
// busy until its deadline, and is named for it.
constexpr int kMaxControlFrames = 256;
// Beast reads a response head of at most 8 KiB (http::basic_parser's header_limit); the copy
// kept of it for describe_refused_reply needs no more.
constexpr std::size_t kMaxResponseHead = 8 * 1024;

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "0123456789abcdef"[data[i] >> 4], out += "0123456789abcdef"[data[i] & 15];
  return out;
}

// base64(SHA-1(key + RFC 6455 GUID)): the Sec-WebSocket-Accept a correct server sends; Beast
// checks it, this names the value it expected.
std::string websocket_accept(const std::string& key) {
  std::string in = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  std::string out(4 * ((sizeof digest + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, sizeof digest)));
  return out;
}

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size));
  return bytes;
}

std::string size_name(std::size_t size) {
  if (size >= 1024 * 1024 && size % (1024 * 1024) == 0) return std::to_string(size / (1024 * 1024)) + " MiB";
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + " KiB";
  return std::to_string(size) + " B";
}

class Walk {
 public:
  Walk(const DiagnoseOptions& o, asio::io_context& ioc) : opts_(o), ioc_(ioc) {}

  awaitable<void> run() {
    d_.endpoint = parse_url(opts_.url);
    require_header_value("--origin", opts_.origin);
    require_header_value("--subprotocol", opts_.subprotocol);
    const Endpoint& ep = d_.endpoint;
    co_await stage("url", &Walk::describe_url);
    if (!ep.tls())
      d_.warnings.push_back("ws:// is not encrypted: browsers refuse it from https:// pages (mixed "
                            "content); use wss:// with a devcert certificate");
    co_await stage("dns", &Walk::resolve_host);
    co_await stage("tcp", &Walk::connect);
    if (ep.tls()) {
      co_await stage("tls", &Walk::handshake);
      co_await stage("certificate", &Walk::check_certificate);
      co_await stage("trust", &Walk::check_trust);
      co_await stage("hostname", &Walk::check_hostname);
    } else {
      for (const char* name : {"tls", "certificate", "trust", "hostname"})
        d_.stages.push_back({name, Stage::Status::skipped, "ws:// has no TLS", 0});
    }
    if (opts_.extent != DiagnoseOptions::Extent::trust) {
      co_await stage("websocket", &Walk::upgrade);
      co_await stage("echo", &Walk::echo_text);
    }
    if (opts_.extent == DiagnoseOptions::Extent::self_test) {
      co_await stage("binary echo", &Walk::echo_binary);
      co_await stage(size_name(opts_.large_message) + " echo", &Walk::echo_large);
      co_await stage("ping", &Walk::ping);
      co_await stage("close", &Walk::close);
    } else if (ws_ && !broken_ && !skipped_any_) {
      // Leave as a client should (close 1000), within the last stage's deadline, whatever comes.
      co_await ws_->async_close(websocket::close_code::normal, use_tuple);
    }
    if (!broken_) {
      d_.ok = true;
      d_.message = std::string(cause_info("ok").meaning);
    } else {
      name_every_problem();
    }
    for (auto& w : d_.warnings) w = text::printable(w);
  }

  Diagnosis result() { return std::move(d_); }

 private:
  using Body = awaitable<std::string> (Walk::*)();

  // Runs one stage unless an earlier one broke; a Broken thrown inside marks it failed.
  awaitable<void> stage(std::string name, Body body) {
    if (broken_) {
      d_.stages.push_back({name, Stage::Status::skipped, "", 0});
      co_return;
    }
    auto start = Clock::now();
    // One deadline for the whole stage, however the server spreads its bytes: Beast's tcp_stream
    // cancels every read and write still pending when it passes.
    deadline_ = start + opts_.timeout;
    if (tcp_ || tls_) lowest().expires_at(deadline_);
    Stage s{name, Stage::Status::ok, "", 0};
    std::optional<Broken> broke;
    // Details and messages quote what the server sent (names, headers, payloads): escaped here,
    // where every one of them enters the diagnosis.
    try {
      s.detail = text::printable(co_await (this->*body)());
      if (skipped_) {
        s.status = Stage::Status::skipped;
        skipped_ = false;
        skipped_any_ = true;
      }
    } catch (const Broken& b) {
      broke = b;
    }
    if (broke) {
      broken_ = true;
      first_broken_ = broke;
      s.status = Stage::Status::failed;
      s.detail = text::printable(broke->message);
      d_.ok = false;
      d_.stage = name;
      d_.cause = broke->cause;
      d_.message = s.detail;
      d_.fix = text::printable(broke->fix.empty() ? std::string(cause_info(broke->cause).fix) : broke->fix);
    }
    s.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    d_.stages.push_back(std::move(s));
  }

  // The walk stopped at the first broken link; what the server presented is judged whole, so
  // the diagnosis lists every problem of its certificate and one fix for them all.
  void name_every_problem() {
    std::vector<Broken> problems{*first_broken_};
    bool judged_certificate = d_.stage == "certificate" || d_.stage == "trust" || d_.stage == "hostname";
    if (judged_certificate && chain_.leaf) {
      problems = every_problem(chain_, opts_.ca_name, !opts_.ca_pem.empty(), opts_.devcert_ca_pem, d_.endpoint);
      // The stages and every_problem judge alike; should they ever differ, the stage's verdict leads.
      if (problems.empty() || problems.front().cause != first_broken_->cause) problems.insert(problems.begin(), *first_broken_);
      else problems.front() = *first_broken_;
      d_.fix = text::printable(fix_for_all(problems, names_in(chain_.leaf), d_.endpoint));
    }
    for (const auto& p : problems) d_.problems.push_back({p.cause, text::printable(p.message)});
  }

  awaitable<std::string> describe_url() {
    co_return d_.endpoint.url() + (d_.endpoint.tls() ? "" : " (no TLS)");
  }

  awaitable<std::string> resolve_host() {
    Resolution r = resolve(d_.endpoint.host, d_.endpoint.port, deadline_);
    if (r.timed_out)
      throw Broken{"dns_timeout", "no answer from the resolver for " + d_.endpoint.host + " within " + seconds() +
                                      " s (--timeout)", ""};
    if (r.unanswered)
      throw Broken{"dns_timeout", "no answer from the resolver for " + d_.endpoint.host + " (" + r.error + ")", ""};
    if (r.addresses.empty()) throw Broken{"dns_failed", d_.endpoint.host + " does not resolve (" + r.error + ")", ""};
    addresses_ = r.addresses;
    std::string list;
    for (const auto& a : addresses_) list += (list.empty() ? "" : ", ") + a.text;
    co_return d_.endpoint.host + " -> " + list;
  }

  tcp::endpoint endpoint_of(const Address& a) const {
    return {asio::ip::make_address(a.text), d_.endpoint.port};
  }

  awaitable<std::string> connect() {
    std::vector<std::string> failures;
    bool any_timeout = false;
    for (size_t i = 0; i < addresses_.size(); ++i) {
      auto stream = std::make_unique<beast::tcp_stream>(ioc_);
      stream->expires_at(deadline_);
      auto [ec] = co_await stream->async_connect(endpoint_of(addresses_[i]), use_tuple);
      if (!ec) {
        tcp_ = std::move(stream);
        address_ = addresses_[i];
        if (i > 0)
          // The classic: localhost resolves to ::1 first, the server listens on 127.0.0.1 only.
          d_.warnings.push_back("nothing listens on " + addresses_[0].text + " (" + failures.front() +
                                "), the first address of " + d_.endpoint.host +
                                "; clients that try only the first address (Node before 20, many "
                                "libraries) fail. Make the server listen on both 127.0.0.1 and ::1");
        co_return "connected to " + addresses_[i].text + " port " + std::to_string(d_.endpoint.port);
      }
      // Ours (--timeout), or the kernel's: it gives up after net.ipv4.tcp_syn_retries unanswered
      // SYNs (~2 min by default, sooner where that is lowered), and that is no refusal either.
      bool ours = ec == beast::error::timeout;
      bool timed_out = ours || ec == asio::error::timed_out;
      any_timeout = any_timeout || timed_out;
      failures.push_back(addresses_[i].text + ": " + (ours ? "no answer within the timeout" : ec.message()));
      if (ours) break;  // the stage's time is spent
    }
    std::string all;
    for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
    if (any_timeout)
      throw Broken{"connection_timeout", "no answer from port " + std::to_string(d_.endpoint.port) + " (" + all + ")", ""};
    throw Broken{"connection_refused", "nothing listens on port " + std::to_string(d_.endpoint.port) + " (" + all + ")", ""};
  }

  // A second connection that sends a plain HTTP request: does this port speak HTTP, not TLS?
  // Only the first bytes of the answer are looked at (raw_reply.h).
  awaitable<bool> plain_http_on_port() {
    beast::tcp_stream plain(ioc_);
    plain.expires_at(deadline_);
    auto [cec] = co_await plain.async_connect(endpoint_of(address_), use_tuple);
    if (cec) co_return false;
    std::string request = "GET / HTTP/1.1\r\nHost: " + d_.endpoint.authority() + "\r\nConnection: close\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(plain, asio::buffer(request), use_tuple);
    if (wec) co_return false;
    char head[16];
    auto [rec, n] = co_await asio::async_read(plain, asio::buffer(head), use_tuple);
    co_return starts_like_http(std::string_view(head, n));
  }

  awaitable<std::string> handshake() {
    ctx_.emplace(make_client_context(opts_));
    tls_ = std::make_unique<TlsStream>(std::move(*tcp_), *ctx_);
    tcp_.reset();
    SSL* ssl = tls_->native_handle();
    const Endpoint& ep = d_.endpoint;
    if (!ep.host_is_ip) SSL_set_tlsext_host_name(ssl, ep.host.c_str());  // RFC 6066 3: names only
    expect_host(ssl, ep.host, ep.host_is_ip);
    SSL_set_cert_cb(ssl, &Walk::on_certificate_request, this);
    tls_->set_verify_callback([this](bool preverified, ssl::verify_context& vc) {
      if (!preverified) {
        X509_STORE_CTX* store = vc.native_handle();
        chain_.errors.push_back({X509_STORE_CTX_get_error(store), X509_STORE_CTX_get_error_depth(store)});
      }
      return true;  // go on: every error is collected and judged by the stages after this one
    });
    // Two thirds of the stage for the handshake, the rest for the plain-HTTP probe after a
    // failure: a plain HTTP server often waits for a request end that a TLS hello never has.
    lowest().expires_at(Clock::now() + opts_.timeout * 2 / 3);
    auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, use_tuple);
    lowest().expires_at(deadline_);
    if (ec) co_await handshake_failed(ec);
    int version = SSL_version(ssl);
    std::string facts = std::string(SSL_get_version(ssl)) + ", " + SSL_get_cipher_name(ssl);
    const unsigned char* alpn = nullptr;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    facts += alpn_len ? ", ALPN " + std::string(reinterpret_cast<const char*>(alpn), alpn_len) : ", no ALPN";
    if (client_certificate_requested_)
      facts += opts_.client_cert_pem.empty() ? "; the server asks for a client certificate, none sent"
                                             : "; client certificate sent";
    if (version < TLS1_2_VERSION)
      throw Broken{"tls_version_too_old", "the server negotiated " + std::string(SSL_get_version(ssl)) +
                                              "; browsers, Node and Python require TLS 1.2 or newer", ""};
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    if (!chain || sk_X509_num(chain) == 0) throw Broken{"tls_handshake_failed", "the server sent no certificate", ""};
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      pki::CertificateReport r = pki::inspect_certificate(sk_X509_value(chain, i), nullptr);
      d_.peer_certificates.push_back({text::printable(r.subject), text::printable(r.issuer)});
    }
    leaf_.reset(X509_dup(sk_X509_value(chain, 0)));
    untrusted_.reset(sk_X509_new_null());
    for (int i = 1; i < sk_X509_num(chain); ++i) sk_X509_push(untrusted_.get(), X509_dup(sk_X509_value(chain, i)));
    chain_.leaf = leaf_.get();
    chain_.untrusted = untrusted_.get();
    co_return facts;
  }

  static int on_certificate_request(SSL*, void* self) {
    static_cast<Walk*>(self)->client_certificate_requested_ = true;
    return 1;  // the certificate set on the context, if any, goes as it is
  }

  awaitable<void> handshake_failed(const error_code& ec) {
    std::string why = ec.message();
    if (tls_reason(ec) == SSL_R_EXCESSIVE_MESSAGE_SIZE)
      // OpenSSL's limit on the Certificate message (100 KiB), which Node, Python and curl share.
      throw Broken{"certificate_too_large",
                   "the server's certificate message is larger than OpenSSL reads (100 KiB): " + why, ""};
    if (auto client = client_certificate_refused(ec, client_certificate_requested_, !opts_.client_cert_pem.empty()))
      throw *client;
    if (client_certificate_requested_ && (is_end_of_stream(ec) || is_reset(ec)))
      throw client_certificate_dropped(tls_->native_handle(), !opts_.client_cert_pem.empty());
    if (co_await plain_http_on_port()) throw Broken{"not_tls", "the port answers plain HTTP to a TLS hello (" + why + ")", ""};
    if (ec == beast::error::timeout)
      throw Broken{"connection_timeout", "the server accepted the connection but never answered the TLS hello", ""};
    if (is_reset(ec))
      throw Broken{"connection_reset", "the server reset the connection during the TLS handshake (" + why + ")", ""};
    if (is_end_of_stream(ec))
      throw Broken{"tls_handshake_failed", "TLS handshake failed: the server closed the connection during the handshake", ""};
    if (is_protocol_version_refusal(ec))
      throw Broken{"tls_version_too_old", "the server refused every TLS version offered (" + why + ")", ""};
    throw Broken{"tls_handshake_failed", "TLS handshake failed: " + why, ""};
  }

  awaitable<std::string> check_certificate() { co_return judge_certificate(chain_); }
  awaitable<std::string> check_trust() { co_return judge_trust(chain_, opts_.ca_name, !opts_.ca_pem.empty(), opts_.devcert_ca_pem); }
  awaitable<std::string> check_hostname() { co_return judge_hostname(chain_, d_.endpoint); }

  beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *tcp_; }

  // --timeout as typed in a message: "1.5".
  std::string seconds() const {
    std::string s = std::to_string(opts_.timeout.count() / 1000.0);
    return s.substr(0, s.find('.') + 2);
  }

  // Why the connection stopped, as a cause: for a read or write that came up short.
  [[noreturn]] void connection_lost(const error_code& ec, const std::string& waiting_for) {
    if (ec == beast::error::timeout)
      throw Broken{"response_timeout", "no " + waiting_for + " within " + seconds() + " s (--timeout)", ""};
    if (auto client = client_certificate_refused(ec, client_certificate_requested_, !opts_.client_cert_pem.empty()))
      throw *client;
    if (is_reset(ec))
      throw Broken{"connection_reset", "the server reset the connection (" + ec.message() + ") instead of sending its " +
                                           waiting_for, ""};
    if (is_end_of_stream(ec))
      throw Broken{"not_websocket", "the server closed the connection instead of sending its " + waiting_for, ""};
    throw Broken{"connection_reset", "the connection failed (" + ec.message() + ") instead of sending its " + waiting_for, ""};
  }

  awaitable<std::string> upgrade() {
    const Endpoint& ep = d_.endpoint;
    ws_ = std::make_unique<WsStream>(lowest(), tls_.get());
    std::string origin =
        opts_.origin.empty() ? std::string(ep.tls() ? "https://" : "http://") + ep.authority() : opts_.origin;
    std::string key;
    ws_->set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
      req.set(http::field::origin, origin);
      if (!opts_.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, opts_.subprotocol);
      req.set(http::field::user_agent, "devcert-verify-server");
      key = std::string(req[http::field::sec_websocket_key]);
    }));
    ws_->read_message_max(kMaxMessage);
    ws_->next_layer().record(kMaxResponseHead + 1);
    websocket::response_type res;
    auto [ec] = co_await ws_->async_handshake(res, ep.authority(), ep.path, use_tuple);
    ws_->next_layer().stop_recording();
    if (ec) upgrade_failed(ec, res, origin, key);
    std::string selected(res[http::field::sec_websocket_protocol]);
    if (!opts_.subprotocol.empty() && selected != opts_.subprotocol)
      throw Broken{"subprotocol_mismatch", "asked for subprotocol '" + opts_.subprotocol + "', the server " +
                                               (selected.empty() ? "selected none" : "selected '" + selected + "'"), ""};
    if (opts_.subprotocol.empty() && !selected.empty())
      throw Broken{"subprotocol_mismatch", "the server selected subprotocol '" + selected + "' that was not requested", ""};
    co_return "101 Switching Protocols, Origin " + origin + (selected.empty() ? "" : ", subprotocol " + selected);
  }

  [[noreturn]] void upgrade_failed(const error_code& ec, const websocket::response_type& res, const std::string& origin,
                                   const std::string& key) {
    std::string_view seen = ws_->next_layer().recorded();
    if (seen.empty() && client_certificate_requested_ && (is_end_of_stream(ec) || is_reset(ec)))
      throw client_certificate_dropped(tls_->native_handle(), !opts_.client_cert_pem.empty());
    if (ec == http::error::header_limit)
      throw Broken{"bad_response", "the response head is over " + std::to_string(kMaxResponseHead / 1024) +
                                       " KiB without ending (Beast's limit; Node's is 16 KiB)", ""};
    if (ec == http::error::partial_message)
      throw Broken{"bad_response", "the server closed the connection in the middle of its response head", ""};
    if (ec == beast::error::timeout && !seen.empty())
      connection_lost(ec, "complete response head (" + std::to_string(seen.size()) + " bytes came)");
    if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
        ec != http::error::end_of_stream)
      throw Broken{"bad_response", describe_refused_reply(seen), ""};
    std::string status = "HTTP " + std::to_string(res.result_int()) + (res.reason().empty() ? "" : " " + std::string(res.reason()));
    if (ec == websocket::error::upgrade_declined) {
      if (res.result_int() == 403) throw Broken{"origin_rejected", status + " to an upgrade with Origin: " + origin, ""};
      throw Broken{"not_websocket", status + " instead of 101 Switching Protocols", ""};
    }
    if (ec == websocket::error::no_connection_upgrade)
      throw Broken{"not_websocket", "101 without 'Connection: Upgrade'", ""};
    if (ec == websocket::error::no_upgrade || ec == websocket::error::no_upgrade_websocket)
      throw Broken{"not_websocket", "101 without 'Upgrade: websocket' (Upgrade: '" + std::string(res[http::field::upgrade]) + "')", ""};
    if (ec == websocket::error::no_sec_accept || ec == websocket::error::bad_sec_accept)
      throw Broken{"bad_accept", "Sec-WebSocket-Accept is '" + std::string(res[http::field::sec_websocket_accept]) +
                                     "', expected '" + websocket_accept(key) + "'", ""};
    if (ec == websocket::error::bad_http_version) throw Broken{"bad_response", status + " is not HTTP/1.1", ""};
    connection_lost(ec, "answer to the upgrade request");
  }

  // The next data message; nullopt when the server closed the WebSocket or the connection
  // instead (`closed` says how: code and reason).
  awaitable<std::optional<std::string>> read_message(std::string& closed) {
    int control_frames = 0;
    bool flooded = false;
    ws_->control_callback([&](websocket::frame_type kind, std::string_view payload) {
      if (kind == websocket::frame_type::pong) pong_ = std::string(payload);
      if (++control_frames > kMaxControlFrames && !flooded) {
        flooded = true;
        lowest().cancel();
      }
    });
    beast::flat_buffer buffer;
    auto [ec, n] = co_await ws_->async_read(buffer, use_tuple);
    ws_->control_callback();
    if (flooded)
      throw Broken{"bad_frame", "the server sent " + std::to_string(kMaxControlFrames) +
                                    " control frames without completing a message", ""};
    if (!ec) co_return beast::buffers_to_string(buffer.data());
    if (ec == websocket::error::closed) {
      const websocket::close_reason& why = ws_->reason();
      closed = "closed the WebSocket (code " + std::to_string(why.code) +
               (why.reason.empty() ? "" : ", reason '" + std::string(why.reason.data(), why.reason.size()) + "'") + ")";
      co_return std::nullopt;
    }
    if (is_end_of_stream(ec)) {
      closed = "closed the connection without a close frame";
      co_return std::nullopt;
    }
    if (std::string refused = frame_error(ec); !refused.empty()) throw Broken{"bad_frame", "the server sent " + refused, ""};
    connection_lost(ec, "message back");
  }

  // Sends `payload` and expects it back alike. Unless `required`, a server that closes instead
  // is not an echo server, and the stage is skipped.
  awaitable<std::string> echo(std::string payload, bool binary, bool required) {
    ws_->text(!binary);
    auto [wec, wn] = co_await ws_->async_write(asio::buffer(payload), use_tuple);
    if (wec) connection_lost(wec, "message back");
    std::string closed;
    std::optional<std::string> message = co_await read_message(closed);
    if (!message) {
      if (required) throw Broken{"echo_mismatch", "the server " + closed + " instead of echoing", ""};
      skipped_ = true;
      co_return "the server " + closed + " instead of answering: not an echo server";
    }
    if (*message != payload)
      throw Broken{"echo_mismatch", binary ? "sent " + std::to_string(payload.size()) + " bytes, received " +
                                                 std::to_string(message->size()) + " different ones"
                                           : "sent '" + payload + "', received '" + message->substr(0, 60) + "'", ""};
    if (ws_->got_text() == binary)
      throw Broken{"echo_mismatch", std::string("the echo came back as a ") + (binary ? "text" : "binary") + " message", ""};
    co_return size_name(payload.size()) + (binary ? " binary" : " text") + " message echoed";
  }

  awaitable<std::string> echo_text() {
    if (!opts_.echo) {
      skipped_ = true;
      co_return "--no-echo";
    }
    unsigned char rnd[8];
    RAND_bytes(rnd, sizeof rnd);
    co_return co_await echo("devcert probe " + hex(rnd, sizeof rnd), false,
                            opts_.extent == DiagnoseOptions::Extent::self_test);
  }
  awaitable<std::string> echo_binary() { co_return co_await echo(random_bytes(256), true, true); }
  awaitable<std::string> echo_large() { co_return co_await echo(random_bytes(opts_.large_message), true, true); }

  awaitable<std::string> ping() {
    pong_.clear();
    const std::string payload = "devcert ping";
    auto [pec] = co_await ws_->async_ping(websocket::ping_data(payload), use_tuple);
    if (pec) connection_lost(pec, "pong");
    // Control frames are read inside a read of data: an echo lets the pong arrive.
    std::string after = "after ping", closed;
    ws_->text(true);
    auto [wec, wn] = co_await ws_->async_write(asio::buffer(after), use_tuple);
    if (wec) connection_lost(wec, "pong");
    std::optional<std::string> message = co_await read_message(closed);
    if (!message) throw Broken{"echo_mismatch", "the server " + closed + " instead of answering the ping", ""};
    if (pong_ != payload) throw Broken{"echo_mismatch", "no pong with the ping's payload before the next message", ""};
    co_return "pong received";
  }

  awaitable<std::string> close() {
    auto [ec] = co_await ws_->async_close(websocket::close_code::normal, use_tuple);
    if (ec) connection_lost(ec, "answer to close 1000");
    int answered = ws_->reason().code;
    if (answered != websocket::close_code::normal)
      throw Broken{"echo_mismatch", "the server answered close 1000 with " + std::to_string(answered), ""};
    co_return "close 1000 answered with 1000";
  }

  const DiagnoseOptions& opts_;
  asio::io_context& ioc_;
  Diagnosis d_;
  bool broken_ = false;
  std::optional<Broken> first_broken_;  // what broke the walk, as the stage threw it
  bool skipped_ = false;      // the running stage chose to skip itself
  bool skipped_any_ = false;  // some stage did
  Clock::time_point deadline_;  // of the running stage
  std::vector<Address> addresses_;
  Address address_;
  std::unique_ptr<beast::tcp_stream> tcp_;  // until TLS takes it over
  std::optional<ssl::context> ctx_;
  std::unique_ptr<TlsStream> tls_;
  std::unique_ptr<WsStream> ws_;
  bool client_certificate_requested_ = false;
  ossl::X509Ptr leaf_;
  ossl::X509Stack untrusted_;
  PresentedChain chain_;
  std::string pong_;
};

}  // namespace

Diagnosis diagnose(const DiagnoseOptions& options) {
  asio::io_context ioc;
  Walk walk(options, ioc);
  std::exception_ptr failure;
  asio::co_spawn(ioc, walk.run(), [&](std::exception_ptr e) { failure = e; });
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  return walk.result();
}

}  // namespace devcert::diagnose
