#include "wss/server.h"

#include <array>

#include "error.h"
#include "wss/acceptor.h"
#include "templates/templates.h"
#include "util/text.h"

namespace devcert::wss {
namespace {

// Runs a function when the scope ends, however the coroutine leaves it.
template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  F f_;
};

http::response<http::string_body> page_response(const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::server, "devcert");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  std::string_view target = req.target();
  target = target.substr(0, target.find('?'));
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "only GET (the test page) and WebSocket upgrades are served here\n";
  } else if (target == "/" || target == "/index.html") {
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.body() = std::string(templates::find("index.html").value_or("devcert echo server\n"));
  } else if (target == "/favicon.ico") {
    res.result(http::status::no_content);
  } else {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "not found: the test page is at /, and a WebSocket upgrade on any path echoes\n";
  }
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

// Answer for plain HTTP on the TLS port, written in clear text: curl and a browser's
// http:// address bar show it instead of an empty reply.
constexpr std::string_view kUseHttps =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nContent-Length: 47\r\n\r\n"
    "This port speaks TLS: use https:// or wss://.\r\n";

}  // namespace

std::string format_log_line(const ConnectionRecord& rec) {
  std::string line = rec.peer;
  if (rec.tls) {
    line += " " + rec.tls->version + " " + rec.tls->cipher;
    line += " sni=" + (rec.tls->sni.empty() ? std::string("-") : text::printable(rec.tls->sni));
    line += " alpn=" + (rec.tls->alpn.empty() ? std::string("-") : text::printable(rec.tls->alpn));
  }
  return line + ": " + rec.outcome;
}

Server::Server(ssl::context tls, ServerLimits limits, Observer on_connection)
    : tls_(std::move(tls)), limits_(limits), on_connection_(std::move(on_connection)) {}

Server::~Server() { stop(); }

tcp::endpoint Server::listen(const tcp::endpoint& endpoint) {
  auto acceptor = open_acceptor(ioc_, endpoint, "devcert serve");
  tcp::endpoint bound = acceptor->local_endpoint();
  bound_.push_back(bound);
  acceptors_.push_back(std::move(acceptor));
  return bound;
}

void Server::start() {
  if (started_) return;
  started_ = true;
  for (auto& acceptor : acceptors_)
    asio::co_spawn(ioc_, accept_loop(*acceptor), asio::detached);
  thread_ = std::thread([this] {
    ioc_.run();
    done_.set_value();
  });
}

void Server::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  asio::post(ioc_, [this] {
    stopping_ = true;
    error_code ignored;
    for (auto& acceptor : acceptors_) acceptor->close(ignored);
    for (auto& [id, conn] : open_) {
      if (!conn.ws) {
        if (!conn.upgrading) conn.tcp->close();  // else the session sends 1001 once it is up
      } else if (!conn.writing) {
        close_going_away(conn);
      }
    }
    if (open_.empty()) return;
    grace_.expires_after(std::chrono::seconds(1));
    grace_.async_wait([this](error_code ec) {
      if (ec) return;
      for (auto& [id, conn] : open_) conn.tcp->close();
    });
  });
  // Closed sockets end their sessions at once; the deadline only guards against a bug.
  if (done_.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready)
    ioc_.stop();
  thread_.join();
}

std::size_t Server::connections_finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

// A close frame while the session's read is pending: Beast allows one close (a write) beside
// one read, and the read then ends with websocket::error::closed.
void Server::close_going_away(Open& conn) {
  conn.going_away = true;
  conn.ws->async_close(websocket::close_code::going_away, [](error_code) {});
}

void Server::forget(std::uint64_t id) {
  open_.erase(id);
  if (stopping_ && open_.empty()) grace_.cancel();
}

void Server::finish(const ConnectionRecord& rec) {
  if (on_connection_) on_connection_(rec);
  std::lock_guard lock(mutex_);
  ++finished_;
}

awaitable<void> Server::accept_loop(tcp::acceptor& acceptor) {
  asio::steady_timer backoff(ioc_);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of file descriptors and the like: wait a little instead of spinning.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    if (open_.size() >= limits_.max_connections) refuse(std::move(socket));
    else asio::co_spawn(ioc_, session(std::move(socket)), asio::detached);
  }
}

// Accepted and closed at once rather than left in the listen backlog: the client sees its
// connection end at once (in the backlog it would wait for its own timeout with no word why),
// and the log says why. No TLS handshake is spent on it, so a flood of them stays cheap.
void Server::refuse(tcp::socket socket) {
  ConnectionRecord rec;
  rec.kind = ConnectionRecord::Kind::refused;
  error_code ec;
  rec.peer = endpoint_text(socket.remote_endpoint(ec));
  socket.close(ec);
  rec.outcome = "refused: " + std::to_string(open_.size()) +
                " connections are open, the most allowed (devcert serve --max-connections N "
                "raises it); closed at once";
  finish(rec);
}

awaitable<void> Server::session(tcp::socket socket) {
  ConnectionRecord rec;
  error_code ec;
  rec.peer = endpoint_text(socket.remote_endpoint(ec));
  // An echo is a request/response exchange: Nagle's algorithm would hold each reply's last
  // segment until the peer's delayed ACK (tens of milliseconds per message).
  socket.set_option(tcp::no_delay(true), ec);
  ServerWsStream ws(std::move(socket), tls_);
  auto& tcp_layer = beast::get_lowest_layer(ws);
  std::uint64_t id = next_id_++;
  Open& conn = open_.emplace(id, Open{&tcp_layer}).first->second;
  ScopeExit forget_on_exit([this, id] { forget(id); });
  try {
    tcp_layer.expires_after(limits_.handshake_timeout);
    auto [hs_ec] = co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_tuple);
    if (hs_ec) {
      rec.kind = ConnectionRecord::Kind::handshake_failed;
      rec.failure = classify_handshake_failure(hs_ec);
      rec.outcome = "handshake failed: " +
                    explain(*rec.failure, hs_ec, SSL_get_verify_result(ws.next_layer().native_handle()));
      if (*rec.failure == HandshakeFailure::plain_http && tcp_layer.socket().is_open()) {
        tcp_layer.expires_after(std::chrono::seconds(2));
        co_await asio::async_write(tcp_layer, asio::buffer(kUseHttps), use_tuple);
      }
      finish(rec);
      co_return;
    }
    rec.tls = tls_facts(ws.next_layer().native_handle());
    beast::flat_buffer buffer;
    co_await serve_http(ws, buffer, rec, conn);
  } catch (const std::exception& e) {
    rec.kind = ConnectionRecord::Kind::error;
    rec.outcome = "internal error: " + text::printable(e.what());
  }
  finish(rec);
}

awaitable<void> Server::serve_http(ServerWsStream& ws, beast::flat_buffer& buffer,
                                   ConnectionRecord& rec, Open& conn) {
  auto& tcp_layer = beast::get_lowest_layer(ws);
  rec.kind = ConnectionRecord::Kind::http;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_request_header));
    parser.body_limit(64 * 1024);
    tcp_layer.expires_after(rec.requests == 0 ? limits_.handshake_timeout : limits_.idle_timeout);
    auto [ec, n] = co_await http::async_read(ws.next_layer(), buffer, parser, use_tuple);
    if (ec) {
      bool hung_up = ec == http::error::end_of_stream || ec == asio::error::eof ||
                     ec == ssl::error::stream_truncated;
      if (hung_up && rec.requests > 0)
        rec.outcome = "served " + std::to_string(rec.requests) + " HTTP request(s)";
      else if (hung_up)
        rec.outcome = "closed after the TLS handshake without a request";
      else if (ec == beast::error::timeout)
        rec.outcome = "no complete HTTP request in time: dropped (slow client)";
      else
        rec.outcome = "bad HTTP request: " + ec.message();
      co_return;
    }
    http::request<http::string_body> req = parser.release();
    if (websocket::is_upgrade(req)) {
      co_await echo(ws, std::move(req), rec, conn);
      co_return;
    }
    auto res = page_response(req);
    ++rec.requests;
    tcp_layer.expires_after(limits_.handshake_timeout);
    auto [wec, wn] = co_await http::async_write(ws.next_layer(), res, use_tuple);
    if (wec || !res.keep_alive()) {
      rec.outcome = wec ? "HTTP write failed: " + wec.message()
                        : "served " + std::to_string(rec.requests) + " HTTP request(s)";
      if (!wec) co_await ws.next_layer().async_shutdown(use_tuple);
      co_return;
    }
  }
}

awaitable<void> Server::echo(ServerWsStream& ws, http::request<http::string_body> req,
                             ConnectionRecord& rec, Open& conn) {
  rec.kind = ConnectionRecord::Kind::websocket;
  beast::get_lowest_layer(ws).expires_never();  // the WebSocket stream keeps its own timers
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = limits_.handshake_timeout;
  timeouts.idle_timeout = limits_.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "devcert"); }));
  ws.read_message_max(limits_.max_message);
  // Beast splits outgoing messages into 4 KiB frames by default: one write per frame for no gain.
  ws.auto_fragment(false);
  std::string path = text::printable(req.target());
  conn.upgrading = true;
  auto [ec] = co_await ws.async_accept(req, use_tuple);
  if (ec) {
    rec.outcome = "WebSocket upgrade on " + path + " refused: " + ec.message();
    co_return;
  }
  conn.ws = &ws;
  if (stopping_) close_going_away(conn);
  beast::flat_buffer message;
  for (;;) {
    auto [rec_ec, n] = co_await ws.async_read(message, use_tuple);
    if (conn.going_away) {
      rec.close_code = websocket::close_code::going_away;
      rec.outcome = "websocket on " + path + ": " + std::to_string(rec.messages) +
                    " message(s) echoed, closed by the server with 1001 (stopping)";
      co_return;
    }
    if (rec_ec == websocket::error::closed) {
      rec.close_code = ws.reason().code;
      rec.outcome = "websocket on " + path + ": " + std::to_string(rec.messages) +
                    " message(s) echoed, closed by the client with " +
                    std::to_string(rec.close_code);
      if (const auto& reason = ws.reason().reason; !reason.empty())
        rec.outcome += " (" + text::printable({reason.data(), reason.size()}) + ")";
      co_return;
    }
    if (rec_ec) {
      std::string why = rec_ec.message();
      if (rec_ec == websocket::error::message_too_big) {
        rec.close_code = websocket::close_code::too_big;
        why = "a message over " + std::to_string(limits_.max_message) + " bytes, closed with 1009";
      } else if (rec_ec == websocket::error::bad_frame_payload) {
        rec.close_code = websocket::close_code::bad_payload;
        why = "invalid UTF-8 in a text message, closed with 1007";
      } else if (rec_ec.category() == beast::websocket::make_error_code(
                                           websocket::error::bad_unmasked_frame).category()) {
        rec.close_code = websocket::close_code::protocol_error;
        why = "protocol violation (" + rec_ec.message() + "), closed with 1002";
      } else if (rec_ec == beast::error::timeout) {
        why = "idle timeout";
      } else if (rec_ec == asio::error::eof || rec_ec == asio::error::connection_reset ||
                 rec_ec == asio::error::broken_pipe || rec_ec == ssl::error::stream_truncated) {
        why = "the client went away without a close frame (a closed tab does this)";
      } else if ((rec_ec == asio::error::operation_aborted && !stopping_) ||
                 rec_ec.category() == asio::error::get_ssl_category()) {
        // Beast sent its close frame (1002, 1007 or 1009), then the TLS shutdown failed: the
        // client never answered (timeout) or kept sending. That error hides the original cause.
        why = "failed by the server (a protocol violation, invalid UTF-8, or a message over " +
              std::to_string(limits_.max_message) +
              " bytes: close 1002, 1007 or 1009); the client never finished the closing handshake";
      }
      rec.outcome = "websocket on " + path + ": " + std::to_string(rec.messages) +
                    " message(s) echoed, then " + why;
      co_return;
    }
    ws.text(ws.got_text());
    conn.writing = true;
    auto [wec, wn] = co_await ws.async_write(message.data(), use_tuple);
    conn.writing = false;
    message.consume(message.size());
    if (stopping_ && !wec && !conn.going_away) close_going_away(conn);
    if (wec) {
      rec.outcome = "websocket on " + path + ": write failed: " + wec.message();
      co_return;
    }
    ++rec.messages;
  }
}

}  // namespace devcert::wss
