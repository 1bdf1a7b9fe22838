// Each hostile client of the robustness list, each followed by a healthy echo on the same
// server: none of them may stop the server from serving the next client.
#include <gtest/gtest.h>

#include "wss/fixture.h"
#include "wss/raw_client.h"

namespace devcert::wss::test {
namespace {

class HostileClient : public ::testing::Test {
 protected:
  ServerLimits limits() {
    ServerLimits l;
    l.handshake_timeout = std::chrono::milliseconds(500);
    l.idle_timeout = std::chrono::milliseconds(800);
    return l;
  }
  TestCa ca;
  TestServer server{ca.leaf(), limits()};
};

TEST_F(HostileClient, GarbageBytesAreRefusedAsNotTls) {
  RawTcp raw(server.port());
  raw.send(std::string("\x00\x01garbage\xff\xfe\r\n\r\n", 15) + std::string(300, 'x'));
  raw.read_all();
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kind, ConnectionRecord::Kind::handshake_failed) << records[0].outcome;
  EXPECT_EQ(records[0].failure, HandshakeFailure::not_tls) << records[0].outcome;
  EXPECT_NE(records[0].outcome.find("https://"), std::string::npos) << records[0].outcome;
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, PlainHttpOnTheTlsPortIsToldToUseHttps) {
  RawTcp raw(server.port());
  raw.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::string answer = raw.read_all();
  EXPECT_NE(answer.find("HTTP/1.1 400"), std::string::npos) << answer;
  EXPECT_NE(answer.find("use https:// or wss://"), std::string::npos) << answer;
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].failure, HandshakeFailure::plain_http) << records[0].outcome;
  EXPECT_NE(format_log_line(records[0]).find("use https:// / wss://"), std::string::npos);
  expect_healthy_echo(server.port(), ca.pem());
}

// The log names the one reason the server closed the WebSocket, not a list of candidates,
// even though the raw client never answers the TLS close_notify.
void expect_only_reason(const std::string& outcome, const std::string& code) {
  EXPECT_NE(outcome.find("closed with " + code), std::string::npos) << outcome;
  for (std::string other : {"1002", "1007", "1009"})
    if (other != code) EXPECT_EQ(outcome.find(other), std::string::npos) << outcome;
}

TEST_F(HostileClient, UnmaskedClientFrameGetsClose1002) {
  RawTls raw(server.port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  raw.send(frame(kText, "not masked", true, /*masked=*/false));
  EXPECT_EQ(close_code(parse_frames(raw.read_all())), 1002);
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  expect_only_reason(records[0].outcome, "1002");
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, InvalidUtf8InTextGetsClose1007) {
  RawTls raw(server.port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  raw.send(frame(kText, "bad \xC3\x28 utf-8 \xFF"));
  EXPECT_EQ(close_code(parse_frames(raw.read_all())), 1007);
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  expect_only_reason(records[0].outcome, "1007");
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, OversizedFrameHeaderGetsClose1009BeforeAnyPayload) {
  RawTls raw(server.port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  // Claims 64 GiB and sends nothing of it: the limit must act on the header alone.
  raw.send(frame(kBinary, "", true, true, 64ull << 30));
  EXPECT_EQ(close_code(parse_frames(raw.read_all())), 1009);
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  expect_only_reason(records[0].outcome, "1009");
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, SilentTcpClientIsDroppedAfterTheHandshakeTimeout) {
  RawTcp raw(server.port());
  raw.read_all();  // returns when the server hangs up
  EXPECT_TRUE(raw.closed_by_peer());
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].failure, HandshakeFailure::timeout) << records[0].outcome;
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, SlowlorisHttpRequestIsDropped) {
  RawTls raw(server.port(), ca.pem());
  raw.send("GET / HTTP/1.1\r\nHost: loc");  // ...and never the rest
  EXPECT_EQ(raw.read_all(), "");
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].outcome.find("slow client"), std::string::npos) << records[0].outcome;
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, SilentWebSocketIsClosedAtTheIdleTimeout) {
  RawTls raw(server.port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  std::string bytes = raw.read_all();  // the server's keep-alive ping, then the hang-up
  auto frames = parse_frames(bytes);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.front().opcode, kPing);
  auto records = server.wait_for(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].outcome.find("idle timeout"), std::string::npos) << records[0].outcome;
  expect_healthy_echo(server.port(), ca.pem());
}

TEST_F(HostileClient, FragmentedMessageWithPingInsideIsEchoedWhole) {
  RawTls raw(server.port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  raw.send(frame(kText, "frag", false) + frame(kPing, "in between") +
           frame(kContinuation, "ment", false) + frame(kContinuation, "ed ✓", true) +
           frame(kClose, std::string("\x03\xE8", 2)));
  auto frames = parse_frames(raw.read_all());
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].opcode, kPong);
  EXPECT_EQ(frames[0].payload, "in between");
  EXPECT_EQ(frames[1].opcode, kText);
  EXPECT_EQ(frames[1].payload, "fragmented ✓");
  EXPECT_EQ(close_code(frames), 1000);
  expect_healthy_echo(server.port(), ca.pem());
}

TEST(HostileClientLimits, MessageOverTheLimitAcrossFramesGetsClose1009) {
  TestCa ca;
  ServerLimits limits;
  limits.max_message = 1024;
  TestServer server(ca.leaf(), limits);
  RawTls raw(server.port(), ca.pem());
  ASSERT_NE(raw.upgrade().find(" 101 "), std::string::npos);
  raw.send(frame(kBinary, std::string(800, 'a'), false) + frame(kContinuation, std::string(800, 'b')));
  EXPECT_EQ(close_code(parse_frames(raw.read_all())), 1009);
  // A message under the limit still passes on the next connection.
  auto options = walk_to("localhost", server.port(), ca.pem());
  options.large_message = 512;
  auto d = diagnose::diagnose(options);
  EXPECT_EQ(first_failure(d), "") << describe(d);
}

}  // namespace
}  // namespace devcert::wss::test
