// A real browser: headless Debian Chromium, its HOME a temp dir whose NSS database holds the
// devcert root, opens the test page over https://localhost:PORT/ and the page reports the echo
// it got back over wss://. Without the root the browser refuses, and the server log says why.
#include <gtest/gtest.h>

#include "wss/fixture.h"

namespace devcert::wss::test {
namespace {

using devcert::test::have_tool;
using devcert::test::run_process;

const std::string kBrowserDir = std::string(DEVCERT_SOURCE_DIR) + "/tests/browser";

bool have_browser() {
  return ::access("/usr/bin/chromium", X_OK) == 0 && have_tool("certutil") && have_tool("node") &&
         stdfs::exists(kBrowserDir + "/node_modules/playwright-core");
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    DEVCERT_REQUIRE_TOOL(have_browser(),
                         "chromium, certutil (libnss3-tools) or playwright-core (npm ci in tests/browser)");
  }
  // A HOME whose NSS database (what Chromium on Linux trusts) is empty or holds our root.
  stdfs::path make_home(const std::string& name, bool with_root) {
    stdfs::path home = dir / name;
    stdfs::path db = home / ".pki" / "nssdb";
    stdfs::create_directories(db);
    std::string sql = "sql:" + db.string();
    EXPECT_EQ(run_process({"certutil", "-N", "-d", sql, "--empty-password"}).exit_code, 0);
    if (with_root) {
      devcert::test::write_text(dir / "root.pem", ca.pem());
      auto added = run_process({"certutil", "-d", sql, "-A", "-t", "C,,", "-n", "devcert test root",
                                "-i", (dir / "root.pem").string()});
      EXPECT_EQ(added.exit_code, 0) << added.err;
    }
    return home;
  }
  devcert::test::ProcessResult open_page(const stdfs::path& home, std::uint16_t port) {
    return run_process({"node", kBrowserDir + "/page.js", "https://localhost:" + std::to_string(port) + "/"},
                       {{"HOME", home.string()}, {"XDG_CONFIG_HOME", (home / ".config").string()},
                        {"XDG_CACHE_HOME", (home / ".cache").string()}});
  }

  TempDir dir;
  TestCa ca;
};

TEST_F(Browser, ChromiumTrustingTheRootShowsTheEcho) {
  TestServer server(ca.leaf());
  auto r = open_page(make_home("trusting", true), server.port());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("state: ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("echo received: hello from the devcert test page"), std::string::npos) << r.out;
  // Among the browser's connections, one was the page's WebSocket with its one message.
  bool saw_websocket = false;
  for (const auto& rec : server.wait_for(1)) {
    if (rec.kind != ConnectionRecord::Kind::websocket) continue;
    saw_websocket = true;
    EXPECT_GE(rec.messages, 1u) << format_log_line(rec);
    EXPECT_EQ(rec.tls->sni, "localhost");
  }
  EXPECT_TRUE(saw_websocket);
}

TEST_F(Browser, ChromiumWithoutTheRootRefusesAndTheLogSaysWhy) {
  TestServer server(ca.leaf());
  auto r = open_page(make_home("untrusting", false), server.port());
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("net::ERR_CERT_AUTHORITY_INVALID"), std::string::npos) << r.out << r.err;
  auto records = server.wait_for(1);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].kind, ConnectionRecord::Kind::handshake_failed) << format_log_line(records[0]);
  EXPECT_NE(format_log_line(records[0]).find("devcert install"), std::string::npos)
      << format_log_line(records[0]);
}

}  // namespace
}  // namespace devcert::wss::test
