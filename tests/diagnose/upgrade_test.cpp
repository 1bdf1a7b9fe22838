#include "diagnose/upgrade.h"

#include <gtest/gtest.h>

#include "diagnose/causes.h"
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
                          "wss://u:p@h/"})
    EXPECT_THROW(parse_url(bad), UsageError) << bad;
}

TEST(Causes, EveryCodeOfTheContractHasWordsAndAFix) {
  std::vector<std::string_view> contract{
      "dns_failed", "connection_refused", "connection_timeout", "tls_handshake_failed", "tls_version_too_old",
      "not_tls", "self_signed", "unknown_issuer", "ca_not_installed", "chain_incomplete", "expired",
      "not_yet_valid", "hostname_mismatch", "ip_mismatch", "cn_only", "missing_server_auth",
      "name_constraint_violation", "weak_key", "not_websocket", "origin_rejected", "bad_accept",
      "subprotocol_mismatch", "echo_mismatch"};
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
