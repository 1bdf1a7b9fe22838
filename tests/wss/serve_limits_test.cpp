// `devcert serve` facing clients that choose their bytes and their numbers: what a client sent
// (SNI, path, close reason) reaches the log escaped, and the connections (so the memory) are
// capped, with the server still serving once a connection is free again.
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "robust/robust_support.h"
#include "util/text.h"
#include "wss/fixture.h"
#include "wss/raw_client.h"

namespace devcert::wss::test {
namespace {

using namespace std::chrono_literals;
using devcert::test::rss_kib;

// `devcert serve` on 127.0.0.1, a free port, with a fresh CA.
struct ServeProcess {
  TempDir dir;
  std::string ca_pem;
  std::unique_ptr<BackgroundProcess> process;
  std::uint16_t port = 0;

  explicit ServeProcess(const std::vector<std::string>& extra = {}) {
    auto caroot = dir / "caroot";
    if (devcert::test::run_devcert({"init"}, caroot).exit_code != 0) return;
    ca_pem = devcert::test::read_text(caroot / "rootCA.pem");
    std::vector<std::string> argv{DEVCERT_BIN, "serve", "--host", "127.0.0.1", "--port", "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<BackgroundProcess>(
        argv, std::map<std::string, std::string>{{"DEVCERT_CAROOT", caroot.string()}, {"NO_COLOR", "1"}});
    if (process->wait_for_output("Ctrl-C stops")) port = port_after(process->out(), "wss://127.0.0.1:");
  }
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ServeLog, WhatTheClientSentIsEscaped) {
  ServeProcess serve;
  ASSERT_NE(serve.port, 0) << (serve.process ? serve.process->out() + serve.process->err() : "");
  // A window retitle (OSC ... BEL), a fake log line after CR LF, and the C1 CSI both as a raw
  // byte and as UTF-8 U+009B (which some terminals obey too).
  const std::string sni = "evil\x1b]0;pwned\x07\r\n12:00:00 fake line\x9b\xc2\x9b";
  {
    RawTls raw(serve.port, serve.ca_pem, sni);
    ASSERT_NE(raw.upgrade("/p\xc2\x9b" "2J/\x9b" "J").find(" 101 "), std::string::npos);
    raw.send(frame(kClose, std::string("\x03\xe8", 2) + "bye\x1b[2J\r\n\xc2\x9b" "2J"));
    raw.read_all();
  }
  {
    // ESC, CR and LF cannot be in an HTTP request line: the request is refused, the path with it.
    RawTls raw(serve.port, serve.ca_pem, sni);
    raw.send("GET /\x1b[2J HTTP/1.1\r\nHost: localhost\r\n\r\n");
    raw.read_all();
  }
  ASSERT_TRUE(serve.process->wait_for_output("bad HTTP request")) << serve.process->out();
  EXPECT_EQ(serve.process->stop(), 0);
  std::string out = serve.process->out();
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(text::is_printable(line)) << "a raw control byte in the log: " << text::printable(line);
  EXPECT_EQ(count(out, R"(sni=evil\x1b]0;pwned\x07\x0d\x0a12:00:00 fake line\x9b\xc2\x9b )"), 2u) << out;
  EXPECT_NE(out.find(R"(websocket on /p\xc2\x9b2J/\x9bJ: 0 message(s) echoed, closed by the client )"
                     R"(with 1000 (bye\x1b[2J\x0d\x0a\xc2\x9b2J))"),
            std::string::npos)
      << out;
}

// An upgraded WebSocket that has sent `held` bytes of a message of `declared` bytes and waits.
std::unique_ptr<RawTls> holder(std::uint16_t port, const std::string& ca_pem, std::size_t declared,
                               std::size_t held) {
  auto raw = std::make_unique<RawTls>(port, ca_pem);
  if (raw->upgrade().find(" 101 ") == std::string::npos) return nullptr;
  raw->send(frame(kBinary, std::string(held, 'h'), true, true, declared));
  return raw;
}

TEST(ServerConnectionCap, OverTheCapIsClosedAtOnceAndAFreedSlotServesAHealthyClient) {
  TestCa ca;
  ServerLimits limits;
  limits.max_connections = 2;
  TestServer server(ca.leaf(), limits);
  auto first = holder(server.port(), ca.pem(), 1 << 20, 64 * 1024);
  auto second = holder(server.port(), ca.pem(), 1 << 20, 64 * 1024);
  ASSERT_TRUE(first && second);

  RawTcp over(server.port());
  EXPECT_EQ(over.read_all(), "");  // returns when the server closes; the 10 s read timeout otherwise
  EXPECT_TRUE(over.closed_by_peer());
  auto d = diagnose::diagnose(walk_to("localhost", server.port(), ca.pem()));
  EXPECT_EQ(first_failure(d), "tls") << describe(d);
  // The raw connection, the walk's, and the walk's probe for plain HTTP after its TLS failure.
  auto records = server.wait_for(3);
  ASSERT_EQ(records.size(), 3u);
  for (const auto& rec : records) {
    EXPECT_EQ(rec.kind, ConnectionRecord::Kind::refused);
    EXPECT_NE(format_log_line(rec).find("refused: 2 connections are open, the most allowed "
                                        "(devcert serve --max-connections N raises it)"),
              std::string::npos)
        << format_log_line(rec);
  }

  first.reset();  // a holder leaves
  ASSERT_EQ(server.wait_for(4).size(), 4u);
  expect_healthy_echo(server.port(), ca.pem());
}

// The issue's measurement: clients that each hold an unfinished 4 MiB message (the largest
// allowed) grew the server by 4 MiB each, without end. With the cap, by at most the cap's worth.
TEST(ServeConnectionCap, BoundsTheMemoryOfClientsHoldingLargeMessages) {
  constexpr int kCap = 6, kClients = 24;
  constexpr std::size_t kMessage = 4u << 20;
  ServeProcess serve({"--max-connections", std::to_string(kCap)});
  ASSERT_NE(serve.port, 0) << (serve.process ? serve.process->out() + serve.process->err() : "");
  long rss_before = rss_kib(serve.process->pid());
  std::vector<std::unique_ptr<RawTls>> held;
  int refused = 0;
  for (int i = 0; i < kClients; ++i) {
    try {
      if (auto h = holder(serve.port, serve.ca_pem, kMessage, kMessage - 16)) held.push_back(std::move(h));
    } catch (const std::exception&) {
      ++refused;  // the TLS handshake ended: the server closed the connection
    }
  }
  EXPECT_EQ(held.size(), static_cast<std::size_t>(kCap));
  EXPECT_EQ(refused, kClients - kCap);
  std::this_thread::sleep_for(1s);  // the server has read what the holders sent
  long grown_kib = rss_kib(serve.process->pid()) - rss_before;
  std::cout << "server RSS grew by " << grown_kib << " KiB with " << held.size()
            << " clients holding an unfinished 4 MiB message\n";
  // Generous: 1.5 times the held messages plus 16 MiB; all 24 held would be 96 MiB and more.
  EXPECT_LT(grown_kib, kCap * 6 * 1024 + 16 * 1024);
  EXPECT_GT(grown_kib, kCap * 3 * 1024) << "the holders did not hold their messages in the server";
  EXPECT_EQ(count(serve.process->out(), "refused: 6 connections are open"),
            static_cast<std::size_t>(kClients - kCap))
      << serve.process->out();

  held.pop_back();
  ASSERT_TRUE(serve.process->wait_for_output("then the client went away")) << serve.process->out();
  expect_healthy_echo(serve.port, serve.ca_pem, "127.0.0.1");
  EXPECT_EQ(serve.process->stop(), 0);
}

TEST(ServeConnectionCap, ZeroOrNoNumberIsAUsageError) {
  TempDir dir;
  for (std::string value : {"0", "-3", "many", ""}) {
    auto r = devcert::test::run_devcert({"serve", "--max-connections", value}, dir / "caroot");
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.err;
    EXPECT_NE(r.err.find("--max-connections"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace devcert::wss::test
