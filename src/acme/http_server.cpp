#include "acme/http_server.h"

#include <array>
#include <atomic>

#include "error.h"
#include "wss/acceptor.h"
#include "util/text.h"

namespace devcert::acme {
namespace {

namespace asio = wss::asio;
namespace beast = wss::beast;
namespace http = wss::http;
using wss::tcp;
using wss::use_tuple;

std::string peer_text(const tcp::socket& s) {
  wss::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "?";
  return wss::endpoint_text(ep);
}

}  // namespace

HttpServer::HttpServer(wss::ssl::context tls, Service& service, Log log, HttpLimits limits)
    : tls_(std::make_shared<wss::ssl::context>(std::move(tls))), service_(service), log_(std::move(log)), limits_(limits) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::set_tls(wss::ssl::context tls) {
  auto next = std::make_shared<wss::ssl::context>(std::move(tls));
  std::lock_guard lock(tls_mutex_);
  tls_ = std::move(next);
}

tcp::endpoint HttpServer::listen(const tcp::endpoint& endpoint) {
  auto acceptor = wss::open_acceptor(ioc_, endpoint, "devcert acme");
  tcp::endpoint bound = acceptor->local_endpoint();
  acceptors_.push_back(std::move(acceptor));
  return bound;
}

void HttpServer::start(unsigned threads) {
  if (started_) return;
  started_ = true;
  for (auto& a : acceptors_) asio::co_spawn(ioc_, accept_loop(*a), asio::detached);
  threads_.emplace_back([this] { ioc_.run(); });
  for (unsigned i = 1; i < threads; ++i) {
    auto& ioc = *more_.emplace_back(std::make_unique<asio::io_context>(1));
    idle_.push_back(asio::make_work_guard(ioc));  // it has no connection yet
    threads_.emplace_back([&ioc] { ioc.run(); });
  }
}

asio::io_context& HttpServer::next_context() {
  std::size_t i = next_++ % (more_.size() + 1);
  return i == 0 ? ioc_ : *more_[i - 1];
}

void HttpServer::stop() {
  if (!started_) return;
  started_ = false;
  ioc_.stop();
  for (auto& ioc : more_) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  idle_.clear();
}

wss::awaitable<void> HttpServer::accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    // Each connection on one thread's io_context: its coroutine and its timers never run at once.
    auto [ec, socket] = co_await acceptor.async_accept(next_context(), use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of descriptors and the like: wait a moment rather than spin.
      asio::steady_timer t(ioc_, std::chrono::milliseconds(50));
      co_await t.async_wait(use_tuple);
      continue;
    }
    if (open_.load() >= limits_.max_connections) {
      wss::error_code ignored;
      socket.close(ignored);
      continue;
    }
    // A response is one write; without this it can wait for the ACK of the previous one.
    wss::error_code nodelay;
    socket.set_option(tcp::no_delay(true), nodelay);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

wss::awaitable<void> HttpServer::session(tcp::socket socket) {
  struct Count {
    std::atomic<std::size_t>& n;
    explicit Count(std::atomic<std::size_t>& c) : n(c) { ++n; }
    ~Count() { --n; }
  } count(open_);
  std::string peer = peer_text(socket);
  std::shared_ptr<wss::ssl::context> tls;
  {
    std::lock_guard lock(tls_mutex_);
    tls = tls_;
  }
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
  beast::get_lowest_layer(stream).expires_after(limits_.handshake_timeout);
  auto [hs] = co_await stream.async_handshake(wss::ssl::stream_base::server, use_tuple);
  if (hs) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header));
    parser.body_limit(limits_.max_body);
    beast::get_lowest_layer(stream).expires_after(limits_.request_timeout);
    auto [rec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) {
      if (rec == http::error::body_limit || rec == http::error::header_limit) {
        Problem p("malformed", rec == http::error::body_limit
                                   ? "the request body is over " + std::to_string(limits_.max_body) + " bytes"
                                   : "the request header is over " + std::to_string(limits_.max_header) + " bytes",
                  413);
        http::response<http::string_body> res{http::status::payload_too_large, 11};
        res.set(http::field::content_type, "application/problem+json");
        res.set(http::field::connection, "close");
        res.body() = p.to_json().dump();
        res.prepare_payload();
        co_await http::async_write(stream, res, use_tuple);
        log_(peer, "refused a request: " + std::string(p.what()));
        // Read what the client is still sending (bounded in bytes and time) before closing:
        // closing on unread data makes the kernel reset the connection, and the client would
        // see the reset instead of the 413.
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        std::array<char, 16 * 1024> sink;
        for (std::size_t drained = 0; drained < 4 * limits_.max_body * 16;) {
          auto [dec, got] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
          if (dec) break;
          drained += got;
        }
      }
      break;
    }
    http::request<http::string_body> req = parser.release();
    Request rq{std::string(req.method_string()), std::string(req.target()),
               std::string(req[http::field::content_type]), std::move(req.body())};
    // The query string is not part of an ACME URL.
    if (auto q = rq.target.find('?'); q != std::string::npos) rq.target.resize(q);
    Response out = service_.handle(rq);
    if (!out.log.empty()) log_(peer, out.log);
    http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
    res.set(http::field::server, "devcert-acme");
    for (const auto& [name, value] : out.headers) res.insert(name, value);
    res.keep_alive(req.keep_alive());
    if (rq.method == "HEAD") {
      res.content_length(0);
    } else {
      res.body() = std::move(out.body);
      res.prepare_payload();
    }
    auto [wec, w] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(use_tuple);
}

}  // namespace devcert::acme
