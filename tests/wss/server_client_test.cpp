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
    auto d = diagnose::diagnose(walk_to(host, server.port(), ca.pem()));
    ASSERT_EQ(first_failure(d), "") << describe(d);
    std::vector<std::string> names;
    for (const auto& s : d.stages) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"url", "dns", "tcp", "tls", "certificate", "trust", "hostname",
                                               "websocket", "echo", "binary echo", "1 MiB echo", "ping", "close"}));
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

TEST(ServerClient, ClientTrustingAnotherCaFailsAtTheTrustStage) {
  TestCa ca, other;
  TestServer server(ca.leaf());
  auto d = diagnose::diagnose(walk_to("localhost", server.port(), other.pem()));
  EXPECT_EQ(first_failure(d), "trust") << describe(d);
  EXPECT_EQ(d.cause, "unknown_issuer") << describe(d);
  EXPECT_EQ(d.stages[3].status, diagnose::Stage::Status::ok) << "the TLS stage reports version and cipher even so";
  EXPECT_EQ(d.stages[6].status, diagnose::Stage::Status::skipped);
  EXPECT_EQ(d.stages.back().status, diagnose::Stage::Status::skipped);
  // The server's side of it: the walk lets the handshake finish to judge the chain itself, and
  // then leaves without a word, as Node and browsers do when they reject a certificate.
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].kind, ConnectionRecord::Kind::websocket) << records[0].outcome;
}

TEST(ServerClient, LeafWithoutTheNameFailsAtTheHostnameStep) {
  TestCa ca;
  TestServer server(ca.leaf({"localhost"}));
  auto d = diagnose::diagnose(walk_to("127.0.0.1", server.port(), ca.pem()));
  EXPECT_EQ(first_failure(d), "hostname") << describe(d);
  EXPECT_EQ(d.cause, "ip_mismatch") << describe(d);
  EXPECT_EQ(d.stages[4].status, diagnose::Stage::Status::ok) << describe(d);
  EXPECT_NE(d.stages[6].detail.find("DNS:localhost"), std::string::npos) << d.stages[6].detail;
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
    diagnose::DiagnoseOptions options = walk_to("localhost", server.port(), "");
    options.extent = diagnose::DiagnoseOptions::Extent::trust;
    auto d = diagnose::diagnose(options);
    ::unsetenv("SSL_CERT_FILE");
    ::unsetenv("SSL_CERT_DIR");
    return d;
  };
  auto trusted = check("ours.pem");
  EXPECT_EQ(first_failure(trusted), "") << describe(trusted);
  EXPECT_EQ(trusted.stages.size(), 7u);  // through hostname
  EXPECT_EQ(first_failure(check("other.pem")), "trust");
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
