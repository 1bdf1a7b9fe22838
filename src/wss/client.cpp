#include "wss/client.h"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "error.h"

namespace devcert::wss {
namespace {

using Clock = std::chrono::steady_clock;

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool is_hostname_error(int verify_error) {
  return verify_error == X509_V_ERR_HOSTNAME_MISMATCH ||
         verify_error == X509_V_ERR_IP_ADDRESS_MISMATCH;
}

// "DNS:localhost, IP:127.0.0.1" from the subjectAltName, or "no subjectAltName".
std::string san_list(X509* cert) {
  if (!cert) return "no certificate";
  ossl::GeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return "no subjectAltName";
  std::string out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    std::string item;
    if (name->type == GEN_DNS) {
      item = "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                                  ASN1_STRING_length(name->d.dNSName));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ip)), ASN1_STRING_length(ip));
      if (bytes.size() == 4) {
        asio::ip::address_v4::bytes_type b;
        std::copy(bytes.begin(), bytes.end(), b.begin());
        item = "IP:" + asio::ip::address_v4(b).to_string();
      } else if (bytes.size() == 16) {
        asio::ip::address_v6::bytes_type b;
        std::copy(bytes.begin(), bytes.end(), b.begin());
        item = "IP:" + asio::ip::address_v6(b).to_string();
      }
    }
    if (!item.empty()) out += (out.empty() ? "" : ", ") + item;
  }
  return out.empty() ? "no DNS or IP names" : out;
}

std::string subject_cn(X509* cert) {
  char buf[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size));
  return bytes;
}

std::string size_name(std::size_t size) {
  if (size >= 1024 * 1024 && size % (1024 * 1024) == 0)
    return std::to_string(size / (1024 * 1024)) + " MiB";
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + " KiB";
  return std::to_string(size) + " B";
}

}  // namespace

std::string host_port(const std::string& host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

struct EchoClient::Impl {
  ClientOptions opts;
  asio::any_io_executor executor;
  ssl::context ctx;
  std::unique_ptr<WsStream> ws;
  bool failed = false;  // a step failed: every later step is skipped
  bool handshake_reached_verify = false;
  int verify_error = X509_V_OK;
  int verify_depth = -1;
  ossl::X509Ptr leaf;
  ossl::X509Ptr issuer;
  std::string pong;

  Impl(asio::any_io_executor ex, ClientOptions o)
      : opts(std::move(o)), executor(std::move(ex)), ctx(make_client_context(opts.trust)) {}

  Step begin(std::string name) const {
    Step step;
    step.name = std::move(name);
    step.status = failed ? Step::Status::skipped : Step::Status::ok;
    return step;
  }
  Step end(Step step, Clock::time_point start, bool ok, std::string detail) {
    step.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    step.status = ok ? Step::Status::ok : Step::Status::failed;
    step.detail = std::move(detail);
    if (!ok) failed = true;
    return step;
  }
};

EchoClient::EchoClient(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {
  if (impl_->opts.origin.empty())
    impl_->opts.origin = "https://" + host_port(impl_->opts.host, impl_->opts.port);
}

EchoClient::~EchoClient() = default;

awaitable<Step> EchoClient::connect() {
  Impl& s = *impl_;
  Step step = s.begin("tcp");
  if (!step.ok()) co_return step;
  auto start = Clock::now();
  s.ws = std::make_unique<WsStream>(s.executor, s.ctx);
  tcp::resolver resolver(s.executor);
  std::string dial = s.opts.connect_to.empty() ? s.opts.host : s.opts.connect_to;
  auto [rec, results] = co_await resolver.async_resolve(dial, std::to_string(s.opts.port), use_tuple);
  if (rec) co_return s.end(step, start, false, "cannot resolve " + dial + ": " + rec.message());
  auto& tcp_layer = beast::get_lowest_layer(*s.ws);
  tcp_layer.expires_after(s.opts.timeout);
  auto [ec, endpoint] = co_await tcp_layer.async_connect(results, use_tuple);
  if (ec)
    co_return s.end(step, start, false,
                    "cannot connect to " + host_port(dial, s.opts.port) + ": " + ec.message());
  error_code ignored;
  tcp_layer.socket().set_option(tcp::no_delay(true), ignored);
  std::string addr = endpoint.address().to_string();
  co_return s.end(step, start, true, "connected to " + host_port(addr, endpoint.port()));
}

awaitable<Step> EchoClient::tls_handshake() {
  Impl& s = *impl_;
  Step step = s.begin("tls");
  if (!step.ok()) co_return step;
  auto start = Clock::now();
  SSL* ssl = s.ws->next_layer().native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  // Browsers match the subjectAltName only; the CN fallback would hide a CN-only certificate.
  X509_VERIFY_PARAM_set_hostflags(
      param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  if (is_ip_literal(s.opts.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, s.opts.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, s.opts.host.c_str(), 0);
    // SNI carries names only (RFC 6066 3: "literal IPv4 and IPv6 addresses are not permitted").
    SSL_set_tlsext_host_name(ssl, s.opts.host.c_str());
  }
  s.ws->next_layer().set_verify_callback([&s](bool preverified, ssl::verify_context& vc) {
    X509_STORE_CTX* store = vc.native_handle();
    s.handshake_reached_verify = true;
    int depth = X509_STORE_CTX_get_error_depth(store);
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (depth == 0 && cert && !s.leaf) {
      X509_up_ref(cert);
      s.leaf.reset(cert);
    }
    if (depth == 1 && cert && !s.issuer) {
      X509_up_ref(cert);
      s.issuer.reset(cert);
    }
    if (!preverified && s.verify_error == X509_V_OK) {
      s.verify_error = X509_STORE_CTX_get_error(store);
      s.verify_depth = depth;
    }
    return preverified;
  });
  auto& tcp_layer = beast::get_lowest_layer(*s.ws);
  tcp_layer.expires_after(s.opts.timeout);
  auto [ec] = co_await s.ws->next_layer().async_handshake(ssl::stream_base::client, use_tuple);
  if (ec && s.verify_error == X509_V_OK)
    co_return s.end(step, start, false, "TLS handshake failed: " + ec.message());
  tls_ = tls_facts(ssl);
  std::string detail = tls_->version + " " + tls_->cipher;
  if (!tls_->alpn.empty()) detail += ", ALPN " + tls_->alpn;
  // A verification failure is reported by the certificate or hostname step, not here.
  Step result = s.end(step, start, true, detail);
  if (ec) s.failed = false;
  co_return result;
}

Step EchoClient::certificate() const {
  const Impl& s = *impl_;
  Step step = s.begin("certificate");
  if (!step.ok() || !s.handshake_reached_verify) {
    step.status = Step::Status::skipped;
    return step;
  }
  std::string who = s.leaf ? "\"" + subject_cn(s.leaf.get()) + "\"" : "the server's certificate";
  if (s.verify_error != X509_V_OK && !is_hostname_error(s.verify_error)) {
    step.status = Step::Status::failed;
    step.detail = who + ": " + X509_verify_cert_error_string(s.verify_error) +
                  (s.verify_depth > 0 ? " (at depth " + std::to_string(s.verify_depth) + ")" : "");
    impl_->failed = true;
    return step;
  }
  step.detail = who + " verified";
  if (s.issuer) step.detail += ", issued by \"" + subject_cn(s.issuer.get()) + "\"";
  return step;
}

Step EchoClient::hostname() const {
  const Impl& s = *impl_;
  Step step = s.begin("hostname");
  if (!step.ok() || !s.handshake_reached_verify) {
    step.status = Step::Status::skipped;
    return step;
  }
  if (is_hostname_error(s.verify_error)) {
    step.status = Step::Status::failed;
    step.detail = "the certificate does not name " + s.opts.host + " (it names " +
                  san_list(s.leaf.get()) + ")";
    impl_->failed = true;
    return step;
  }
  step.detail = s.opts.host + " is in the subjectAltName";
  return step;
}

awaitable<Step> EchoClient::upgrade() {
  Impl& s = *impl_;
  Step step = s.begin("upgrade");
  if (!step.ok()) co_return step;
  auto start = Clock::now();
  beast::get_lowest_layer(*s.ws).expires_never();  // the WebSocket stream times itself now
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = s.opts.timeout;
  timeouts.idle_timeout = s.opts.timeout;
  timeouts.keep_alive_pings = false;
  s.ws->set_option(timeouts);
  std::string origin = s.opts.origin;
  s.ws->set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
    req.set(http::field::origin, origin);
    req.set(http::field::user_agent, std::string("devcert/") + DEVCERT_VERSION);
  }));
  websocket::response_type res;
  auto [ec] = co_await s.ws->async_handshake(res, host_port(s.opts.host, s.opts.port),
                                             s.opts.target, use_tuple);
  if (ec) {
    std::string why = ec.message();
    if (res.result_int() != 0 && res.result() != http::status::switching_protocols)
      why = "the server answered HTTP " + std::to_string(res.result_int()) + " " +
            std::string(res.reason()) + " instead of 101";
    co_return s.end(step, start, false, "WebSocket upgrade on " + s.opts.target + ": " + why);
  }
  co_return s.end(step, start, true, "101 Switching Protocols on " + s.opts.target +
                                         " (Origin " + origin + ")");
}

awaitable<Step> EchoClient::echo(std::string name, std::string payload, bool binary) {
  Impl& s = *impl_;
  Step step = s.begin(std::move(name));
  if (!step.ok()) co_return step;
  auto start = Clock::now();
  s.ws->text(!binary);
  auto [wec, wn] = co_await s.ws->async_write(asio::buffer(payload), use_tuple);
  if (wec) co_return s.end(step, start, false, "send failed: " + wec.message());
  beast::flat_buffer buffer;
  auto [rec, rn] = co_await s.ws->async_read(buffer, use_tuple);
  if (rec) co_return s.end(step, start, false, "no echo: " + rec.message());
  std::string got = beast::buffers_to_string(buffer.data());
  if (got != payload)
    co_return s.end(step, start, false, "the echo differs: sent " + std::to_string(payload.size()) +
                                            " bytes, got " + std::to_string(got.size()));
  if (s.ws->got_text() == binary)
    co_return s.end(step, start, false, std::string("the echo came back as a ") +
                                            (binary ? "text" : "binary") + " message");
  co_return s.end(step, start, true,
                  size_name(payload.size()) + (binary ? " binary" : " text") + " echoed");
}

awaitable<Step> EchoClient::ping() {
  Impl& s = *impl_;
  Step step = s.begin("ping");
  if (!step.ok()) co_return step;
  auto start = Clock::now();
  s.pong.clear();
  s.ws->control_callback([&s](websocket::frame_type kind, std::string_view payload) {
    if (kind == websocket::frame_type::pong) s.pong = std::string(payload);
  });
  const std::string payload = "devcert ping";
  auto [pec] = co_await s.ws->async_ping(websocket::ping_data(payload), use_tuple);
  if (pec) co_return s.end(step, start, false, "ping failed: " + pec.message());
  // Control frames are handled inside reads: a small echo lets the pong arrive.
  s.ws->text(true);
  auto [wec, wn] = co_await s.ws->async_write(asio::buffer(std::string_view("after ping")), use_tuple);
  beast::flat_buffer buffer;
  error_code rec;
  if (!wec) std::tie(rec, std::ignore) = co_await s.ws->async_read(buffer, use_tuple);
  s.ws->control_callback();
  if (wec || rec) co_return s.end(step, start, false, "no answer: " + (wec ? wec : rec).message());
  if (s.pong != payload) co_return s.end(step, start, false, "no pong before the next message");
  co_return s.end(step, start, true, "pong received");
}

awaitable<Step> EchoClient::close() {
  Impl& s = *impl_;
  Step step = s.begin("close");
  if (!step.ok()) co_return step;
  auto start = Clock::now();
  auto [ec] = co_await s.ws->async_close(websocket::close_code::normal, use_tuple);
  if (ec) co_return s.end(step, start, false, "close handshake failed: " + ec.message());
  int answered = s.ws->reason().code;
  if (answered != websocket::close_code::normal)
    co_return s.end(step, start, false,
                    "the server answered close 1000 with " + std::to_string(answered));
  co_return s.end(step, start, true, "close 1000 answered with 1000");
}

namespace {

awaitable<void> run_steps(ClientOptions options, bool full, std::vector<Step>& out) {
  EchoClient client(co_await asio::this_coro::executor, options);
  out.push_back(co_await client.connect());
  out.push_back(co_await client.tls_handshake());
  out.push_back(client.certificate());
  out.push_back(client.hostname());
  if (!full) co_return;
  out.push_back(co_await client.upgrade());
  out.push_back(co_await client.echo("text echo", "hello from devcert ✓", false));
  out.push_back(co_await client.echo("binary echo", random_bytes(256), true));
  out.push_back(co_await client.echo(size_name(options.large_message) + " echo",
                                     random_bytes(options.large_message), true));
  out.push_back(co_await client.ping());
  out.push_back(co_await client.close());
}

std::vector<Step> run_blocking(const ClientOptions& options, bool full) {
  asio::io_context ioc;
  std::vector<Step> steps;
  asio::co_spawn(ioc, run_steps(options, full, steps), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  ioc.run();
  return steps;
}

}  // namespace

std::vector<Step> run_echo_check(const ClientOptions& options) { return run_blocking(options, true); }

std::vector<Step> run_trust_check(const ClientOptions& options) {
  return run_blocking(options, false);
}

}  // namespace devcert::wss
