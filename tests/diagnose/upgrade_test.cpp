#include "diagnose/upgrade.h"

#include <gtest/gtest.h>

#include "diagnose/causes.h"
#include "diagnose/frames.h"
#include "diagnose/url.h"
#include "error.h"

namespace devcert::diagnose {
namespace {

TEST(ExpectedAccept, MatchesTheRfc6455Example) {
  // RFC 6455 section 1.3.
  EXPECT_EQ(expected_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(make_websocket_key().size(), 24u);
  EXPECT_NE(make_websocket_key(), make_websocket_key());
}

TEST(ParseHttpResponse, ReadsStatusAndHeaders) {
  auto r = parse_http_response(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept:  abc= \r\nX-A: 1\r\nx-a: 2\r\n\r\nframe bytes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->reason, "Switching Protocols");
  EXPECT_EQ(r->header("sec-websocket-accept"), "abc=");
  EXPECT_EQ(r->header("X-A"), "1, 2");
  EXPECT_FALSE(r->header("missing"));
  EXPECT_TRUE(header_has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_FALSE(header_has_token("keep-alive", "upgrade"));
}

TEST(ParseHttpResponse, RejectsWhatIsNotHttp) {
  for (const char* bad : {"", "SSH-2.0-OpenSSH", "HTTP/1.1 1x1 Bad\r\n\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 200\r\nno colon\r\n\r\n",
                          "HTTP/1.1 2000 Bad\r\n\r\n"})
    EXPECT_FALSE(parse_http_response(bad)) << bad;
  auto bare = parse_http_response("HTTP/1.0 404");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 404);
}

TEST(ParseUrl, SchemesHostsPortsPaths) {
  auto e = parse_url("wss://LocalHost:8443/socket?x=1#frag");
  EXPECT_EQ(e.host, "localhost");
  EXPECT_EQ(e.port, 8443);
  EXPECT_EQ(e.path, "/socket?x=1");
  EXPECT_TRUE(e.tls());
  auto v6 = parse_url("https://[::1]/");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 443);
  EXPECT_TRUE(v6.host_is_ip);
  EXPECT_EQ(v6.authority(), "[::1]");
  auto ws = parse_url("ws://127.0.0.1:8080");
  EXPECT_FALSE(ws.tls());
  EXPECT_EQ(ws.path, "/");
  EXPECT_EQ(ws.url(), "ws://127.0.0.1:8080/");
  for (const char* bad : {"localhost:8443", "ftp://x/", "wss://:8443/", "wss://h:0/", "wss://h:99999/", "wss://[::1/",
                          "wss://u:p@h/", "wss://h/a\r\nX: 1", "wss://h\n/", "wss://h/\x1b[2J", "wss://h/a b",
                          "wss://h/\xc2\x9b", "wss://h/\xff"})
    EXPECT_THROW(parse_url(bad), UsageError) << bad;
  // Non-ASCII that is UTF-8 stays as typed.
  EXPECT_EQ(parse_url("wss://h/caf\xc3\xa9").path, "/caf\xc3\xa9");
}

TEST(RequireHeaderValue, RefusesWhatWouldSplitOrDriveATerminal) {
  EXPECT_NO_THROW(require_header_value("--origin", "https://app.test:8443"));
  EXPECT_NO_THROW(require_header_value("--subprotocol", ""));
  for (const char* bad : {"a\r\nX: 1", "a\n", "\x1b[2J", "a\x7f", "\xc2\x9b", "\xff"})
    EXPECT_THROW(require_header_value("--origin", bad), UsageError) << bad;
  try {
    require_header_value("--subprotocol", "chat\r\nX: 1");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("chat\\x0d\\x0aX: 1"), std::string::npos) << e.what();
  }
}

TEST(FrameHeader, RefusesWhatClientsFailTheConnectionOn) {
  auto header = [](std::string_view bytes) { return parse_frame_header(bytes, 1 << 20); };
  FrameHeader text = header(std::string_view("\x81\x05", 2));
  EXPECT_TRUE(text.fin);
  EXPECT_EQ(text.opcode, Opcode::text);
  EXPECT_EQ(text.length, 5u);
  EXPECT_EQ(header(std::string_view("\x02\x7e\x01\x00", 4)).length, 256u);
  EXPECT_EQ(extended_length_size(0x7f), 8u);
  EXPECT_EQ(extended_length_size(0x7e), 2u);
  EXPECT_EQ(extended_length_size(0x7d), 0u);
  const std::pair<std::string, std::string> bad[] = {
      {std::string("\x81\x7f\x80\0\0\0\0\0\0\0", 10), "top bit"},  // 2^63
      {std::string("\x82\x7f\x40\0\0\0\0\0\0\0", 10), "over the 1048576-byte limit"},
      {std::string("\xc1\x02", 2), "reserved bits"},
      {std::string("\x83\x00", 2), "reserved opcode 3"},
      {std::string("\x8b\x00", 2), "reserved opcode 11"},
      {std::string("\x81\x82", 2), "masked"},
      {std::string("\x09\x00", 2), "control frame"},
      {std::string("\x89\x7e\x00\x80", 4), "control frame"},
      {std::string("\x81", 1), "shorter"},
      {std::string("\x81\x7e\x00", 3), "wrong size"},
  };
  for (const auto& [bytes, why] : bad) {
    try {
      header(bytes);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const BadFrame& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  }
}

TEST(CloseReason, CodeAndReason) {
  EXPECT_EQ(parse_close("").code, 1005);
  CloseReason r = parse_close(std::string("\x03\xf3" "bye", 5));
  EXPECT_EQ(r.code, 1011);
  EXPECT_EQ(r.reason, "bye");
}

TEST(Causes, EveryCodeOfTheContractHasWordsAndAFix) {
  std::vector<std::string_view> contract{
      "dns_failed", "dns_timeout", "connection_refused", "connection_timeout", "connection_reset", "tls_handshake_failed",
      "tls_version_too_old", "certificate_too_large", "not_tls", "self_signed", "unknown_issuer",
      "ca_not_installed", "chain_incomplete", "expired", "not_yet_valid", "hostname_mismatch", "ip_mismatch",
      "cn_only", "missing_server_auth", "name_constraint_violation", "weak_key", "not_websocket", "bad_response",
      "origin_rejected", "bad_accept", "subprotocol_mismatch", "response_timeout", "bad_frame", "echo_mismatch"};
  EXPECT_EQ(cause_codes(), contract);
  for (auto code : contract) {
    const CauseInfo& c = cause_info(code);
    EXPECT_FALSE(c.meaning.empty()) << code;
    EXPECT_FALSE(c.fix.empty()) << code;
    EXPECT_FALSE(c.clients.chrome.empty() || c.clients.firefox.empty() || c.clients.node.empty() ||
                 c.clients.python.empty())
        << code;
  }
}

}  // namespace
}  // namespace devcert::diagnose
