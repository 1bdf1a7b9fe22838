#include <gtest/gtest.h>

#include "diagnose/causes.h"
#include "diagnose/raw_reply.h"
#include "diagnose/url.h"
#include "error.h"

namespace devcert::diagnose {
namespace {

// What the upgrade's answer was when Beast's parser refused it: named from its raw bytes.
TEST(RawReply, NamesWhatIsNotHttpAndTheLineThatBrokeAHead) {
  EXPECT_TRUE(starts_like_http("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_TRUE(starts_like_http("HTTP/1.0 200"));
  for (const char* not_http : {"", "SSH-2.0-OpenSSH_9.2", "HTTP/2 200", "HTTP/1.", "\x15\x03\x03\x00\x02\x02\x28"})
    EXPECT_FALSE(starts_like_http(not_http)) << not_http;
  EXPECT_EQ(describe_refused_reply(""), "the server sent nothing");
  EXPECT_EQ(describe_refused_reply("SSH-2.0-OpenSSH_9.2\r\n"),
            "the answer to the upgrade request is not HTTP: 'SSH-2.0-OpenSSH_9.2\r\n'");
  EXPECT_NE(describe_refused_reply("HTTP/1.1 404 Not \x1b[2JFound\r\n\r\n").find("the status line 'HTTP/1.1 404 Not \x1b[2JFound'"),
            std::string::npos);
  std::string broken = describe_refused_reply("HTTP/1.1 101 Switching Protocols\r\nUpgrade: \x07x\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_NE(broken.find("'HTTP/1.1 101 Switching Protocols' has a broken header line 'Upgrade: \x07x'"), std::string::npos) << broken;
  EXPECT_NE(describe_refused_reply("HTTP/1.1 101 OK\r\nno colon here\r\n\r\n").find("'no colon here'"), std::string::npos);
  // Never more than the first 60 bytes of a line are quoted.
  EXPECT_LT(describe_refused_reply(std::string(10000, 'x')).size(), 120u);
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

TEST(Causes, EveryCodeOfTheContractHasWordsAndAFix) {
  std::vector<std::string_view> contract{
      "dns_failed", "dns_timeout", "connection_refused", "connection_timeout", "connection_reset", "tls_handshake_failed",
      "tls_version_too_old", "certificate_too_large", "not_tls", "client_cert_missing", "client_cert_untrusted",
      "client_cert_not_for_client_auth", "self_signed", "unknown_issuer",
      "ca_not_installed", "chain_incomplete", "expired", "not_yet_valid", "hostname_mismatch", "ip_mismatch",
      "cn_only", "missing_server_auth", "name_constraint_violation", "weak_key", "not_websocket", "bad_response",
      "origin_rejected", "bad_accept", "subprotocol_mismatch", "response_timeout", "bad_frame", "echo_mismatch"};
  EXPECT_EQ(cause_codes(), contract);
  for (auto code : contract) {
    const CauseInfo& c = cause_info(code);
    EXPECT_FALSE(c.meaning.empty()) << code;
    EXPECT_FALSE(c.fix.empty()) << code;
    EXPECT_FALSE(c.clients.chrome.empty() || c.clients.firefox.empty() || c.clients.node.empty() ||
                 c.clients.python.empty() || c.clients.curl.empty())
        << code;
  }
}

}  // namespace
}  // namespace devcert::diagnose
