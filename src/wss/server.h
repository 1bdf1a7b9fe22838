// The bundled wss:// echo server: TLS 1.2/1.3, WebSocket echo on any path, the test page on
// GET /, one log line per connection that says in user terms why a client gave up.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "wss/asio.h"
#include "wss/handshake_failure.h"
#include "wss/server_stream.h"
#include "wss/tls.h"

namespace devcert::wss {

struct ServerLimits {
  // Covers the TLS handshake, the HTTP request and the WebSocket upgrade: a client that
  // trickles bytes (slowloris) is dropped after this, whatever it sends.
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
  // A WebSocket with no traffic gets a ping at half this; no answer by the end: closed.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // Bigger messages are refused with close 1009. 4 MiB leaves room for the 1 MiB self test.
  std::size_t max_message = 4 * 1024 * 1024;
  std::size_t max_request_header = 8 * 1024;
  // Open connections at most; past it a new one is accepted and closed at once, with a log line.
  // Twice what one browser can open to a host (Chrome allows 255 WebSockets in all, Firefox 200,
  // plus 6 HTTP connections), and it bounds memory: a connection holds at most one message of
  // max_message bytes (about 2 GiB for 512 connections that each hold an unfinished 4 MiB one).
  std::size_t max_connections = 512;
};

// What happened on one connection, reported once when it ends.
struct ConnectionRecord {
  // refused: over max_connections, closed before the TLS handshake.
  enum class Kind { handshake_failed, http, websocket, refused, error };
  Kind kind = Kind::error;
  std::string peer;  // "127.0.0.1:54321", "[::1]:54321"
  std::optional<TlsFacts> tls;
  std::optional<HandshakeFailure> failure;  // set when kind == handshake_failed
  unsigned requests = 0;                    // plain HTTP requests answered
  unsigned messages = 0;                    // WebSocket messages echoed
  int close_code = -1;                      // WebSocket close code sent or received, -1: none
  std::string outcome;                      // the user-facing words
};

// "[::1]:54321 TLSv1.3 TLS_AES_128_GCM_SHA256 sni=localhost alpn=http/1.1: websocket: ...",
// with what the client chose (SNI, path, close reason) escaped by text::printable().
std::string format_log_line(const ConnectionRecord& record);

class Server {
 public:
  using Observer = std::function<void(const ConnectionRecord&)>;

  // `on_connection` runs on the server thread once per finished connection.
  Server(ssl::context tls, ServerLimits limits = {}, Observer on_connection = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds before start(); port 0 picks a free port. Returns the bound endpoint. Throws
  // devcert::Error with the fix when the address cannot be used.
  tcp::endpoint listen(const tcp::endpoint& endpoint);
  const std::vector<tcp::endpoint>& endpoints() const { return bound_; }

  // Serves on a background thread until stop().
  void start();
  // Stops accepting, sends close 1001 (going away) on every open WebSocket, closes the other
  // connections at once and the WebSockets after a short grace period, then waits for the
  // thread (idempotent).
  void stop();

  std::size_t connections_finished() const;

 private:
  // An open connection, touched only on the server thread, so that stop() can end it.
  struct Open {
    LingeringTcpStream* tcp;
    ServerWsStream* ws = nullptr;  // set once the WebSocket is up: stop() closes it with 1001
    bool writing = false;          // an echo is being written: the session closes after it
    bool going_away = false;       // close 1001 sent because the server is stopping
    bool upgrading = false;  // the 101 is on its way: stop() lets the session send 1001 after it
  };

  awaitable<void> accept_loop(tcp::acceptor& acceptor);
  awaitable<void> session(tcp::socket socket);
  void refuse(tcp::socket socket);
  awaitable<void> serve_http(ServerWsStream& ws, beast::flat_buffer& buffer,
                             ConnectionRecord& rec, Open& conn);
  awaitable<void> echo(ServerWsStream& ws, http::request<http::string_body> req,
                       ConnectionRecord& rec, Open& conn);
  void close_going_away(Open& conn);
  void forget(std::uint64_t id);
  void finish(const ConnectionRecord& rec);

  asio::io_context ioc_{1};
  ssl::context tls_;
  ServerLimits limits_;
  Observer on_connection_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<tcp::endpoint> bound_;
  std::unordered_map<std::uint64_t, Open> open_;
  std::uint64_t next_id_ = 0;
  // After stop(): how long WebSocket clients get to answer close 1001 before their sockets close.
  asio::steady_timer grace_{ioc_};
  std::thread thread_;
  std::promise<void> done_;
  mutable std::mutex mutex_;
  std::size_t finished_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool stopping_ = false;  // server thread only
};

}  // namespace devcert::wss
