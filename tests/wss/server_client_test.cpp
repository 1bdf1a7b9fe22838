// The server and the verifying client in one process, on loopback ephemeral ports.
#include <cstdlib>

#include <gtest/gtest.h>

#include "wss/fixture.h"
#include "wss/raw_client.h"

namespace devcert::wss::test {
namespace {

TEST(ServerClient, EveryStepPassesForEachLoopbackName) {
  TestCa ca;
  TestServer server(ca.leaf());
  for (const std::string& host : kLoopbackNames) {
    SCOPED_TRACE(host);
    auto steps = run_echo_check(client_for(host, server.port(), Trust::only(ca.pem())));
    ASSERT_EQ(first_failure(steps), "") << describe(steps);
    std::vector<std::string> names;
    for (const auto& s : steps) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"tcp", "tls", "certificate", "hostname", "upgrade",
                                               "text echo", "binary echo", "1 MiB echo", "ping",
                                               "close"}));
  }
  auto records = server.wait_for(3);
  ASSERT_EQ(records.size(), 3u);
  for (const auto& rec : records) {
    SCOPED_TRACE(format_log_line(rec));
    EXPECT_EQ(rec.kind, ConnectionRecord::Kind::websocket);
    EXPECT_EQ(rec.close_code, 1000);
    EXPECT_EQ(rec.messages, 4u);  // text, binary, 1 MiB, the message after the ping
    ASSERT_TRUE(rec.tls.has_value());
    EXPECT_TRUE(rec.tls->version == "TLSv1.3" || rec.tls->version == "TLSv1.2");
    EXPECT_EQ(rec.tls->alpn, "http/1.1");
  }
  // SNI only for the name (RFC 6066 forbids IP literals there): exactly one record has it.
  int with_sni = 0;
  for (const auto& rec : records) with_sni += rec.tls->sni == "localhost";
  EXPECT_EQ(with_sni, 1);
}

TEST(ServerClient, ClientTrustingAnotherCaFailsAtTheCertificateStep) {
  TestCa ca, other;
  TestServer server(ca.leaf());
  auto steps = run_echo_check(client_for("localhost", server.port(), Trust::only(other.pem())));
  EXPECT_EQ(first_failure(steps), "certificate") << describe(steps);
  EXPECT_TRUE(steps[1].ok()) << "the TLS step reports version and cipher even so";
  EXPECT_EQ(steps[3].status, Step::Status::skipped);
  EXPECT_EQ(steps.back().status, Step::Status::skipped);
  // The server's side of it: the client's unknown_ca alert, in words a user can act on.
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].failure, HandshakeFailure::untrusted_certificate) << records[0].outcome;
  EXPECT_NE(format_log_line(records[0]).find("the client does not trust this certificate: run "
                                             "`devcert install`"),
            std::string::npos);
}

TEST(ServerClient, LeafWithoutTheNameFailsAtTheHostnameStep) {
  TestCa ca;
  TestServer server(ca.leaf({"localhost"}));
  auto steps = run_echo_check(client_for("127.0.0.1", server.port(), Trust::only(ca.pem())));
  EXPECT_EQ(first_failure(steps), "hostname") << describe(steps);
  EXPECT_TRUE(steps[2].ok()) << describe(steps);
  EXPECT_NE(steps[3].detail.find("DNS:localhost"), std::string::npos) << steps[3].detail;
  // The same leaf is fine for the name it carries.
  expect_healthy_echo(server.port(), ca.pem(), "localhost");
}

TEST(ServerClient, SystemStoreTrustFollowsSslCertFile) {
  TestCa ca, other;
  TestServer server(ca.leaf());
  TempDir dir;
  devcert::test::write_text(dir / "ours.pem", ca.pem());
  devcert::test::write_text(dir / "other.pem", other.pem());
  stdfs::create_directory(dir / "empty");
  auto check = [&](const std::string& bundle) {
    ::setenv("SSL_CERT_FILE", (dir / bundle).c_str(), 1);
    ::setenv("SSL_CERT_DIR", (dir / "empty").c_str(), 1);
    auto steps = run_trust_check(client_for("localhost", server.port(), Trust::system()));
    ::unsetenv("SSL_CERT_FILE");
    ::unsetenv("SSL_CERT_DIR");
    return steps;
  };
  auto trusted = check("ours.pem");
  EXPECT_EQ(first_failure(trusted), "") << describe(trusted);
  EXPECT_EQ(trusted.size(), 4u);
  EXPECT_EQ(first_failure(check("other.pem")), "certificate");
}

TEST(ServerClient, PlainGetServesTheTestPage) {
  TestCa ca;
  TestServer server(ca.leaf());
  RawTls raw(server.port(), ca.pem());
  raw.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
           "GET /nothing-here HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  std::string answer = raw.read_all();
  raw.close();
  EXPECT_EQ(answer.find("HTTP/1.1 200 OK"), 0u) << answer.substr(0, 200);
  EXPECT_NE(answer.find("text/html"), std::string::npos);
  EXPECT_NE(answer.find("new WebSocket("), std::string::npos);
  EXPECT_NE(answer.find("1006"), std::string::npos) << "the page explains close code 1006";
  EXPECT_NE(answer.find("HTTP/1.1 404"), std::string::npos);
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].requests, 2u) << records[0].outcome;
}

TEST(ServerClient, StagesCanBeDrivenOneByOne) {
  TestCa ca;
  TestServer server(ca.leaf());
  ClientOptions options = client_for("localhost", server.port(), Trust::only(ca.pem()));
  asio::io_context ioc;
  std::vector<Step> steps;
  asio::co_spawn(ioc, [&]() -> awaitable<void> {
    EchoClient client(ioc.get_executor(), options);
    steps.push_back(co_await client.connect());
    steps.push_back(co_await client.tls_handshake());
    steps.push_back(client.certificate());
    steps.push_back(client.hostname());
    steps.push_back(co_await client.upgrade());
    steps.push_back(co_await client.echo("text echo", "x", false));
  }, asio::detached);
  ioc.run();
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(first_failure(steps), "") << describe(steps);
}

TEST(ServerClient, StopClosesOpenConnections) {
  TestCa ca;
  auto server = std::make_unique<TestServer>(ca.leaf());
  RawTls raw(server->port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  server.reset();  // must return although a WebSocket is still open
  // A stopping server says so (1001 going away) instead of dropping the connection (1006).
  EXPECT_EQ(close_code(parse_frames(raw.read_all())), 1001);
}

}  // namespace
}  // namespace devcert::wss::test
