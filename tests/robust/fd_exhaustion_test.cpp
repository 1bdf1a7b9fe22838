// `devcert serve` out of file descriptors (issue 7): a crowd of silent connections beyond its
// limit must not stop an open WebSocket from echoing, nor make the server spin or die, and once
// the crowd leaves, new clients are served and the descriptors are back to where they were.
#include <thread>

#include <gtest/gtest.h>

#include "robust/robust_support.h"
#include "wss/fixture.h"
#include "wss/raw_client.h"

namespace devcert::wss::test {
namespace {

using namespace std::chrono_literals;

long open_fds(pid_t pid) {
  long n = 0;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != stdfs::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

TEST(ServeOutOfDescriptors, KeepsServingAndRecoversWhenTheCrowdLeaves) {
  DEVCERT_REQUIRE_TOOL(devcert::test::have_tool("prlimit"), "prlimit (util-linux)");
  TempDir tmp;
  auto env = devcert::test::devcert_env(tmp / "caroot", tmp.path());
  ASSERT_EQ(devcert::test::run_process({DEVCERT_BIN, "init"}, env).exit_code, 0);
  std::string ca_pem = devcert::test::read_text(tmp / "caroot" / "rootCA.pem");
  // prlimit execs devcert: the pid is the server's. 32 descriptors: ~20 for connections.
  pid_t pid = devcert::test::spawn_quiet({"prlimit", "--nofile=32:32", DEVCERT_BIN, "serve", "--host",
                                          "127.0.0.1", "--port", "0"},
                                         env, {}, tmp / "serve.log", tmp / "serve.err");
  ASSERT_GT(pid, 0);
  devcert::test::ChildGuard server(pid);
  std::uint16_t port = 0;
  for (int i = 0; i < 200 && port == 0; ++i) {
    std::this_thread::sleep_for(50ms);
    std::string out = devcert::test::read_text(tmp / "serve.log");
    if (out.find("listening") != std::string::npos) port = port_after(out, "wss://127.0.0.1:");
  }
  ASSERT_NE(port, 0) << devcert::test::read_text(tmp / "serve.err");
  long fds_before = open_fds(pid);

  // A WebSocket opened before the crowd.
  asio::io_context ioc;
  ssl::context tls = make_client_context(Trust::only(ca_pem));
  websocket::stream<ssl::stream<tcp::socket>> ws(ioc, tls);
  ws.next_layer().next_layer().connect({asio::ip::address_v4::loopback(), port});
  set_read_timeout(ws.next_layer().next_layer().native_handle());
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), "localhost");
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake("localhost", "/");

  // The crowd: silent TCP connections, three times what the server can hold.
  std::vector<std::unique_ptr<tcp::socket>> crowd;
  for (int i = 0; i < 60; ++i) {
    crowd.push_back(std::make_unique<tcp::socket>(ioc));
    crowd.back()->connect({asio::ip::address_v4::loopback(), port});
  }
  std::this_thread::sleep_for(1s);
  EXPECT_GE(open_fds(pid), 30) << "the crowd did not fill the server's descriptor table";
  for (int i = 0; i < 3; ++i) {
    std::string message = "still here " + std::to_string(i);
    ws.write(asio::buffer(message));
    beast::flat_buffer echo;
    error_code ec;
    ws.read(echo, ec);
    ASSERT_FALSE(ec) << "the open WebSocket stopped echoing: " << ec.message();
    EXPECT_EQ(beast::buffers_to_string(echo.data()), message);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "the server died";

  crowd.clear();
  ws.close(websocket::close_code::normal);
  auto d = diagnose::diagnose(walk_to("127.0.0.1", port, ca_pem));
  EXPECT_EQ(first_failure(d), "") << describe(d);
  long fds_after = open_fds(pid);
  for (int i = 0; i < 150 && fds_after != fds_before; ++i) {
    std::this_thread::sleep_for(100ms);
    fds_after = open_fds(pid);
  }
  EXPECT_EQ(fds_after, fds_before);
  EXPECT_EQ(server.stop(), 0) << devcert::test::read_text(tmp / "serve.err");
}

}  // namespace
}  // namespace devcert::wss::test
