// One load client for every server in the wss benchmark: TLS + WebSocket handshakes per second,
// or echo round trips per second, over N concurrent connections, for a fixed time.
//
// usage: wss_load HOST PORT ROOT_PEM handshakes CONNECTIONS SECONDS
//        wss_load HOST PORT ROOT_PEM echo CONNECTIONS SECONDS MESSAGE_BYTES
// Prints the rate (per second) on stdout, errors on stderr.
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include "pki/keys.h"
#include "util/fs.h"
#include "wss/asio.h"
#include "wss/tls.h"

using namespace devcert::wss;
using Clock = std::chrono::steady_clock;

namespace {

struct Config {
  std::string host;
  std::string port;
  bool echo = false;
  std::size_t message = 64;
  Clock::time_point deadline;
};

std::atomic<std::uint64_t> done{0};
std::atomic<std::uint64_t> failures{0};

awaitable<bool> open(WsStream& ws, const Config& c, const tcp::resolver::results_type& where) {
  auto [cec, ep] = co_await beast::get_lowest_layer(ws).async_connect(where, use_tuple);
  if (cec) co_return false;
  error_code ignored;
  beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), ignored);
  ws.write_buffer_bytes(64 * 1024);  // masked writes in 64 KiB chunks instead of 4 KiB
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), c.host.c_str());
  X509_VERIFY_PARAM_set1_host(SSL_get0_param(ws.next_layer().native_handle()), c.host.c_str(), 0);
  auto [tec] = co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_tuple);
  if (tec) co_return false;
  auto [wec] = co_await ws.async_handshake(c.host + ":" + c.port, "/", use_tuple);
  co_return !wec;
}

awaitable<void> worker(ssl::context& ctx, Config c, tcp::resolver::results_type where) {
  auto ex = co_await asio::this_coro::executor;
  if (!c.echo) {
    while (Clock::now() < c.deadline) {
      WsStream ws(ex, ctx);
      if (!co_await open(ws, c, where)) {
        ++failures;
        continue;
      }
      auto [ec] = co_await ws.async_close(websocket::close_code::normal, use_tuple);
      if (ec) ++failures;
      else ++done;
    }
    co_return;
  }
  WsStream ws(ex, ctx);
  if (!co_await open(ws, c, where)) {
    ++failures;
    co_return;
  }
  ws.binary(true);
  std::string payload(c.message, 'x');
  beast::flat_buffer buffer;
  while (Clock::now() < c.deadline) {
    auto [wec, wn] = co_await ws.async_write(asio::buffer(payload), use_tuple);
    if (wec) break;
    buffer.clear();
    auto [rec, rn] = co_await ws.async_read(buffer, use_tuple);
    if (rec || buffer.size() != payload.size()) {
      ++failures;
      break;
    }
    ++done;
  }
  co_await ws.async_close(websocket::close_code::normal, use_tuple);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: wss_load HOST PORT ROOT_PEM handshakes|echo CONNECTIONS SECONDS [BYTES]\n";
    return 2;
  }
  Config c;
  c.host = argv[1];
  c.port = argv[2];
  std::string root = devcert::fs::read_file(argv[3]);
  c.echo = std::string(argv[4]) == "echo";
  int connections = std::stoi(argv[5]);
  double seconds = std::stod(argv[6]);
  if (argc > 7) c.message = std::stoul(argv[7]);

  asio::io_context ioc{1};
  ssl::context ctx = make_client_context(Trust::only(root));
  tcp::resolver resolver(ioc);
  auto where = resolver.resolve(c.host, c.port);
  auto start = Clock::now();
  c.deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < connections; ++i) asio::co_spawn(ioc, worker(ctx, c, where), asio::detached);
  ioc.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures) std::cerr << failures << " failures\n";
  std::cout << static_cast<std::uint64_t>(done / elapsed) << "\n";
  return done ? 0 : 1;
}
