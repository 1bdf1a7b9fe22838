// Independent WebSocket implementations against ours: Debian's python3-websockets and node-ws
// as clients of `devcert serve` and as servers for devcert's client. Scripts in tests/peers/.
#include <gtest/gtest.h>

#include "wss/fixture.h"

namespace devcert::wss::test {
namespace {

using devcert::test::run_devcert;
using devcert::test::run_process;


bool have_python_websockets() {
  return run_process({"/usr/bin/python3", "-c", "import websockets"}).exit_code == 0;
}
bool have_node_ws() {
  return devcert::test::have_tool("node") &&
         run_process({"node", "-e", "require('ws')"}, kNodeEnv).exit_code == 0;
}

// `devcert serve --port 0` with a fresh CA; the test talks to the port it prints.
class ServePeer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_devcert({"init"}, dir / "caroot").exit_code, 0);
    serve = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{DEVCERT_BIN, "serve", "--port", "0"},
        std::map<std::string, std::string>{{"DEVCERT_CAROOT", (dir / "caroot").string()},
                                           {"NO_COLOR", "1"}});
    ASSERT_TRUE(serve->wait_for_output("Ctrl-C stops")) << serve->out() << serve->err();
    port = port_after(serve->out(), "wss://localhost:");
    ASSERT_NE(port, 0);
  }
  void TearDown() override {
    if (serve) EXPECT_EQ(serve->stop(SIGTERM), 0) << serve->err();
  }
  std::string root() const { return (dir / "caroot" / "rootCA.pem").string(); }
  std::string url(const std::string& host = "localhost") const {
    return url_for(host, port) + "peer";
  }

  TempDir dir;
  std::unique_ptr<BackgroundProcess> serve;
  std::uint16_t port = 0;
};

TEST_F(ServePeer, PythonWebsocketsClient) {
  DEVCERT_REQUIRE_TOOL(have_python_websockets(), "Debian's python3-websockets");
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto r = run_process({"/usr/bin/python3", kPeers + "python_client.py", url(host), root()});
    EXPECT_EQ(r.exit_code, 0) << host << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("ok   close 1009 over the limit"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0 failed"), std::string::npos) << r.out;
  }
  // The server saw the untrusting client's alert and said what to do.
  ASSERT_TRUE(serve->wait_for_output("does not trust this certificate")) << serve->out();
}

TEST_F(ServePeer, NodeWsClient) {
  DEVCERT_REQUIRE_TOOL(have_node_ws(), "Debian's node-ws");
  for (const std::string host : {"localhost", "::1"}) {
    auto r = run_process({"node", kPeers + "node_client.js", url(host), root()}, kNodeEnv);
    EXPECT_EQ(r.exit_code, 0) << host << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("ok   fragmented echo"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0 failed"), std::string::npos) << r.out;
  }
  // Node hangs up without an alert; the log still names the likely cause and the fix.
  ASSERT_TRUE(serve->wait_for_output("closed the connection during the TLS handshake: if it is "
                                     "Node or a browser, it does not trust this certificate"))
      << serve->out();
}

// A peer echo server with a devcert leaf; devcert's client runs every step against it.
void check_peer_server(const std::vector<std::string>& argv_prefix,
                       const std::map<std::string, std::string>& env) {
  TestCa ca;
  TempDir dir;
  ServerIdentity leaf = ca.leaf();
  devcert::test::write_text(dir / "cert.pem", pki::certificate_pem(leaf.cert.get()));
  devcert::test::write_text(dir / "key.pem", pki::private_key_pem(leaf.key.get()));
  std::vector<std::string> argv = argv_prefix;
  argv.push_back((dir / "cert.pem").string());
  argv.push_back((dir / "key.pem").string());
  BackgroundProcess peer(argv, env);
  ASSERT_TRUE(peer.wait_for_output("listening ")) << peer.out() << peer.err();
  std::uint16_t port = port_after(peer.out(), "listening ");
  ASSERT_NE(port, 0);
  for (const std::string& host : kLoopbackNames) {
    SCOPED_TRACE(host);
    expect_healthy_echo(port, ca.pem(), host);
  }
  TestCa other;
  auto d = diagnose::diagnose(walk_to("localhost", port, other.pem()));
  EXPECT_EQ(first_failure(d), "trust") << describe(d);
}

TEST(PeerServer, PythonWebsocketsServer) {
  DEVCERT_REQUIRE_TOOL(have_python_websockets(), "Debian's python3-websockets");
  check_peer_server({"/usr/bin/python3", kPeers + "python_server.py"}, {});
}

TEST(PeerServer, NodeWsServer) {
  DEVCERT_REQUIRE_TOOL(have_node_ws(), "Debian's node-ws");
  check_peer_server({"node", kPeers + "node_server.js"}, kNodeEnv);
}

}  // namespace
}  // namespace devcert::wss::test
