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

// Mutual TLS in a real browser: `devcert serve --client-ca` requires a devcert client certificate;
// Chromium holds one in its NSS database and presents it (picked by the AutoSelectCertificateForUrls
// policy, as an administrator would set it; a headless browser has no picker to click). Chromium
// reads policies only from /etc/chromium/policies, so the policy is mounted there in a private
// mount namespace that ends with the browser: the machine's /etc is never touched. Without the
// certificate the page fails and serve's log names why.
class BrowserClientCertificate : public Browser {
 protected:
  void SetUp() override {
    Browser::SetUp();
    if (IsSkipped()) return;
    DEVCERT_REQUIRE_TOOL(have_tool("unshare") && have_tool("pk12util") && have_tool("openssl") && ::geteuid() == 0,
                         "unshare, pk12util, openssl and root (for a private mount namespace)");
    caroot = ca.dir.path() / "caroot";
    serve = std::make_unique<BackgroundProcess>(std::vector<std::string>{DEVCERT_BIN, "serve", "--client-ca", "--port", "0"},
                                                std::map<std::string, std::string>{{"DEVCERT_CAROOT", caroot.string()},
                                                                                   {"NO_COLOR", "1"}});
    ASSERT_TRUE(serve->wait_for_output("Ctrl-C stops")) << serve->out() << serve->err();
    port = port_after(serve->out(), "wss://localhost:");
    stdfs::create_directories(dir / "etc" / "policies" / "managed");
    devcert::test::write_text(dir / "etc" / "policies" / "managed" / "devcert.json",
                              R"({"AutoSelectCertificateForUrls": ["{\"pattern\":\"https://localhost:)" +
                                  std::to_string(port) + R"(\",\"filter\":{}}"]})");
  }
  void TearDown() override {
    if (serve) EXPECT_EQ(serve->stop(SIGTERM), 0) << serve->err();
  }
  // Our client certificate into the NSS database of `home`.
  void add_client_certificate(const stdfs::path& home) {
    auto issued = devcert::test::run_devcert({"issue", "--client", "localhost", "--cert-file", (dir / "client.pem").string(),
                                              "--key-file", (dir / "client-key.pem").string()},
                                             caroot);
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
    auto p12 = run_process({"openssl", "pkcs12", "-export", "-in", (dir / "client.pem").string(), "-inkey",
                            (dir / "client-key.pem").string(), "-out", (dir / "client.p12").string(), "-passout", "pass:",
                            "-name", "devcert client"});
    ASSERT_EQ(p12.exit_code, 0) << p12.err;
    auto imported = run_process({"pk12util", "-i", (dir / "client.p12").string(), "-d", "sql:" + (home / ".pki" / "nssdb").string(),
                                 "-W", ""});
    ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  }
  devcert::test::ProcessResult open_page_with_policy(const stdfs::path& home) {
    return run_process({"unshare", "--mount", "--propagation", "private", "sh", "-c",
                        "mount --bind \"$1\" /etc/chromium && shift && exec \"$@\"", "sh", (dir / "etc").string(), "node",
                        kBrowserDir + "/page.js", "https://localhost:" + std::to_string(port) + "/"},
                       {{"HOME", home.string()}, {"XDG_CONFIG_HOME", (home / ".config").string()},
                        {"XDG_CACHE_HOME", (home / ".cache").string()}});
  }

  stdfs::path caroot;
  std::unique_ptr<BackgroundProcess> serve;
  std::uint16_t port = 0;
};

TEST_F(BrowserClientCertificate, ChromiumPresentsItsCertificateAndShowsTheEcho) {
  if (!stdfs::is_directory("/etc/chromium")) GTEST_SKIP() << "no /etc/chromium to mount the policy on";
  stdfs::path home = make_home("with-client-cert", true);
  add_client_certificate(home);
  auto r = open_page_with_policy(home);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("echo received: hello from the devcert test page"), std::string::npos) << r.out << serve->out();
}

TEST_F(BrowserClientCertificate, ChromiumWithoutACertificateIsRefusedAndTheLogSaysWhy) {
  if (!stdfs::is_directory("/etc/chromium")) GTEST_SKIP() << "no /etc/chromium to mount the policy on";
  auto r = open_page_with_policy(make_home("without-client-cert", true));
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_TRUE(serve->wait_for_output("the client sent no client certificate")) << serve->out();
}

}  // namespace
}  // namespace devcert::wss::test
