// The clients of the server soak (server_soak.cpp), as coroutines on one io_context: hundreds
// of healthy echo clients, and the abusive kinds a server on a developer's machine meets
// (garbage bytes, plain HTTP, slow-loris, oversized frames). Each runs sessions back to back
// until the deadline and counts what the server did with it.
#pragma once

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "wss/asio.h"
#include "wss/raw_client.h"

namespace devcert::wss::soak {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Target {
  std::string host = "localhost";
  std::string port;
  tcp::endpoint endpoint;
  ssl::context* tls = nullptr;
  Clock::time_point deadline;
};

// Outcomes, one counter each; touched from the load thread only.
struct Stats {
  std::uint64_t connections = 0;      // TCP connections opened
  std::uint64_t healthy_sessions = 0;
  std::uint64_t echoes = 0;           // echoes received intact
  std::uint64_t healthy_failures = 0;
  std::string first_failure;
  std::uint64_t garbage_dropped = 0, garbage_kept = 0;
  std::uint64_t plain_http_told = 0, plain_http_other = 0;
  std::uint64_t slowloris_dropped = 0, slowloris_kept = 0;
  std::uint64_t oversized_1009 = 0, oversized_other = 0;

  void fail(const std::string& what) {
    ++healthy_failures;
    if (first_failure.empty()) first_failure = what;
  }
};

inline bool over(const Target& t) { return Clock::now() >= t.deadline; }

inline awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_tuple);
}

// TCP, TLS (verified against the test CA, host checked) and the WebSocket upgrade.
inline awaitable<std::string> open_websocket(WsStream& ws, const Target& t, Stats& s) {
  auto& tcp_layer = beast::get_lowest_layer(ws);
  tcp_layer.expires_after(30s);  // a guard against a hung server, not a timing assertion
  auto [cec] = co_await tcp_layer.async_connect(t.endpoint, use_tuple);
  if (cec) co_return "connect: " + cec.message();
  ++s.connections;
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), t.host.c_str());
  X509_VERIFY_PARAM_set1_host(SSL_get0_param(ws.next_layer().native_handle()), t.host.c_str(), 0);
  auto [tec] = co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_tuple);
  if (tec) co_return "TLS handshake: " + tec.message();
  tcp_layer.expires_never();
  websocket::stream_base::timeout timeouts{30s, 60s, false};
  ws.set_option(timeouts);
  auto [wec] = co_await ws.async_handshake(t.host + ":" + t.port, "/soak", use_tuple);
  if (wec) co_return "upgrade: " + wec.message();
  co_return "";
}

// Sessions of a few messages with pauses between, every echo compared byte for byte, closed
// with 1000; then a new connection.
inline awaitable<void> healthy_client(const Target& t, Stats& s, unsigned seed) {
  std::mt19937 rng(seed);
  auto ex = co_await asio::this_coro::executor;
  co_await pause(std::chrono::milliseconds(rng() % 2000));  // spread the first handshakes
  while (!over(t)) {
    WsStream ws(ex, *t.tls);
    if (std::string why = co_await open_websocket(ws, t, s); !why.empty()) {
      s.fail(why);
      co_await pause(500ms);
      continue;
    }
    ++s.healthy_sessions;
    int messages = 5 + static_cast<int>(rng() % 20);
    beast::flat_buffer in;
    for (int m = 0; m < messages && !over(t); ++m) {
      bool text = rng() % 2;
      std::size_t size = rng() % 100 == 0 ? 64 * 1024 : 1 + rng() % 4096;
      std::string payload(size, 'a');
      for (auto& c : payload) c = static_cast<char>(text ? 'a' + rng() % 26 : rng() % 256);
      ws.text(text);
      auto [wec, wn] = co_await ws.async_write(asio::buffer(payload), use_tuple);
      if (wec) {
        s.fail("write: " + wec.message());
        break;
      }
      in.clear();
      auto [rec, rn] = co_await ws.async_read(in, use_tuple);
      if (rec || beast::buffers_to_string(in.data()) != payload || ws.got_text() != text) {
        s.fail(rec ? "read: " + rec.message() : "the echo differs from the message");
        break;
      }
      ++s.echoes;
      co_await pause(std::chrono::milliseconds(200 + rng() % 1300));
    }
    if (ws.is_open()) co_await ws.async_close(websocket::close_code::normal, use_tuple);
  }
}

// Reads until the server closes; false when it has not closed after `limit`.
inline awaitable<bool> read_until_closed(beast::tcp_stream& stream, std::string& got, std::chrono::seconds limit) {
  stream.expires_after(limit);
  char buf[4096];
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), use_tuple);
    got.append(buf, n);
    if (ec) co_return ec != beast::error::timeout;
  }
}

// Connects a plain TCP stream again and again until the run is over, counting each connection,
// and hands it to `talk`; 100 ms between connections.
template <typename Talk>
awaitable<void> raw_connections(const Target& t, Stats& s, Talk talk) {
  auto ex = co_await asio::this_coro::executor;
  while (!over(t)) {
    beast::tcp_stream stream(ex);
    stream.expires_after(30s);
    auto [cec] = co_await stream.async_connect(t.endpoint, use_tuple);
    if (cec) continue;
    ++s.connections;
    co_await talk(stream);
    co_await pause(100ms);
  }
}

// Random bytes where a TLS ClientHello belongs: the server must hang up.
inline awaitable<void> garbage_client(const Target& t, Stats& s, unsigned seed) {
  std::mt19937 rng(seed);
  co_await raw_connections(t, s, [&](beast::tcp_stream& stream) -> awaitable<void> {
    std::string junk(1 + rng() % 2048, '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 256);
    if (rng() % 2) junk.replace(0, std::min<std::size_t>(3, junk.size()), "\x16\x03\x01");  // a record header
    co_await asio::async_write(stream, asio::buffer(junk), use_tuple);
    std::string got;
    if (co_await read_until_closed(stream, got, 30s)) ++s.garbage_dropped;
    else ++s.garbage_kept;
  });
}

// An http:// request on the TLS port: the server answers in clear text to use https://.
inline awaitable<void> plain_http_client(const Target& t, Stats& s) {
  co_await raw_connections(t, s, [&](beast::tcp_stream& stream) -> awaitable<void> {
    std::string request = "GET / HTTP/1.1\r\nHost: localhost:" + t.port + "\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(request), use_tuple);
    std::string got;
    bool closed = co_await read_until_closed(stream, got, 30s);
    if (closed && got.find("use https:// or wss://") != std::string::npos) ++s.plain_http_told;
    else ++s.plain_http_other;
  });
}

// One byte a second: half the time inside the TLS ClientHello, half inside the HTTP request
// after a complete TLS handshake. The server's handshake deadline must drop it; the client
// gives up waiting after 40 s (counted as kept).
inline awaitable<void> slowloris_client(const Target& t, Stats& s, unsigned seed) {
  std::mt19937 rng(seed);
  auto ex = co_await asio::this_coro::executor;
  while (!over(t)) {
    bool after_tls = rng() % 2;
    auto stream = std::make_shared<ssl::stream<beast::tcp_stream>>(ex, *t.tls);
    auto& tcp_layer = stream->next_layer();
    tcp_layer.expires_after(30s);
    auto [cec] = co_await tcp_layer.async_connect(t.endpoint, use_tuple);
    if (cec) continue;
    ++s.connections;
    if (after_tls) {
      SSL_set_tlsext_host_name(stream->native_handle(), t.host.c_str());
      auto [tec] = co_await stream->async_handshake(ssl::stream_base::client, use_tuple);
      if (tec) {
        ++s.slowloris_kept;  // should not happen: counted so the test sees it
        continue;
      }
    }
    tcp_layer.expires_never();
    // A reader alongside the writer notices the server hanging up.
    auto closed = std::make_shared<bool>(false);
    asio::co_spawn(ex, [stream, closed, after_tls]() -> awaitable<void> {
      char buf[512];
      for (;;) {
        auto [ec, n] = after_tls ? co_await stream->async_read_some(asio::buffer(buf), use_tuple)
                                 : co_await stream->next_layer().async_read_some(asio::buffer(buf), use_tuple);
        if (ec) break;
      }
      *closed = true;
    }, asio::detached);
    std::string trickle = after_tls ? "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                                    : std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(64, 'z');
    auto started = Clock::now();
    std::size_t at = 0;
    while (!*closed && !over(t) && Clock::now() - started < 40s) {
      auto [wec, wn] = after_tls ? co_await asio::async_write(*stream, asio::buffer(&trickle[at % trickle.size()], 1), use_tuple)
                                 : co_await asio::async_write(tcp_layer, asio::buffer(&trickle[at % trickle.size()], 1), use_tuple);
      if (wec) break;
      ++at;
      co_await pause(1s);
    }
    co_await pause(50ms);  // a write error can come just before the reader sees the close
    if (*closed) ++s.slowloris_dropped;
    else if (!over(t)) ++s.slowloris_kept;
    error_code ignored;
    tcp_layer.socket().close(ignored);
    while (!*closed) co_await pause(10ms);  // the reader ends on the closed socket
  }
}

// A WebSocket frame whose header claims 1 GiB: close 1009 before any payload is read.
inline awaitable<void> oversized_client(const Target& t, Stats& s) {
  auto ex = co_await asio::this_coro::executor;
  while (!over(t)) {
    ssl::stream<beast::tcp_stream> stream(ex, *t.tls);
    auto& tcp_layer = stream.next_layer();
    tcp_layer.expires_after(30s);
    auto [cec] = co_await tcp_layer.async_connect(t.endpoint, use_tuple);
    if (cec) continue;
    ++s.connections;
    SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str());
    auto [tec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    std::string upgrade = "GET /big HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    std::string head;
    auto [uec, un] = co_await asio::async_write(stream, asio::buffer(upgrade), use_tuple);
    auto [hec, hn] = co_await asio::async_read_until(stream, asio::dynamic_buffer(head), "\r\n\r\n", use_tuple);
    if (tec || uec || hec || head.find(" 101 ") == std::string::npos) {
      ++s.oversized_other;
      continue;
    }
    std::string rest = head.substr(hn);
    std::string header = test::frame(test::kBinary, "", true, true, 1ull << 30);
    co_await asio::async_write(stream, asio::buffer(header + std::string(1000, 'x')), use_tuple);
    char buf[4096];
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), use_tuple);
      rest.append(buf, n);
      if (ec) break;
    }
    if (test::close_code(test::parse_frames(rest)) == 1009) ++s.oversized_1009;
    else ++s.oversized_other;
    co_await pause(200ms);
  }
}

}  // namespace devcert::wss::soak
