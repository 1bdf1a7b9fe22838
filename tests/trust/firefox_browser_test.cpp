// The real Debian Firefox ESR, headless, on a fresh HOME: Firefox makes its own profile
// wherever it chooses (the test never says where), and a wss:// connection to a server with a
// devcert leaf fails before `devcert install`, echoes after it, and fails again after
// `devcert uninstall`. Only the NSS store is selected: nothing outside the temp HOME changes.
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "wss/fixture.h"

namespace devcert::wss::test {
namespace {

using devcert::test::have_tool;
using devcert::test::run_process;

const std::string kBrowserDir = std::string(DEVCERT_SOURCE_DIR) + "/tests/browser";

bool have_firefox() {
  return ::access("/usr/bin/firefox-esr", X_OK) == 0 && have_tool("certutil") && have_tool("node") &&
         stdfs::exists(kBrowserDir + "/node_modules/puppeteer-core");
}

class Firefox : public ::testing::Test {
 protected:
  void SetUp() override {
    DEVCERT_REQUIRE_TOOL(have_firefox(),
                         "firefox-esr, certutil (libnss3-tools) or puppeteer-core (npm ci in tests/browser)");
  }
  void create_profile(const std::string& name) {
    stdfs::create_directories(dir / "home");
    auto r = run_process({"/usr/bin/firefox-esr", "--headless", "-CreateProfile", name}, env_);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  devcert::test::ProcessResult devcert(const std::string& command) {
    auto env = env_;
    env["DEVCERT_TRUST_STORES"] = "nss";
    return devcert::test::run_devcert({command}, ca.root.dir(), {}, env);
  }
  devcert::test::ProcessResult connect(const std::string& profile, std::uint16_t port) {
    return run_process({"node", kBrowserDir + "/firefox_wss.js", profile,
                        "https://localhost:" + std::to_string(port) + "/"},
                       env_);
  }
  // Fails before install, echoes after it, fails after uninstall; install and status name the profile.
  void expect_install_then_uninstall_decides(const std::string& profile) {
    TestServer server(ca.leaf());
    auto before = connect(profile, server.port());
    EXPECT_EQ(before.exit_code, 1) << before.out << before.err;
    EXPECT_NE(before.out.find("failed:"), std::string::npos) << before.out;

    auto installed = devcert("install");
    ASSERT_EQ(installed.exit_code, 0) << installed.out << installed.err;
    EXPECT_NE(installed.out.find("Firefox profile " + profile), std::string::npos) << installed.out;
    auto status = devcert("status");
    EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
    EXPECT_NE(status.out.find("Firefox profile " + profile), std::string::npos) << status.out;

    auto trusted = connect(profile, server.port());
    EXPECT_EQ(trusted.exit_code, 0) << trusted.out << trusted.err;
    EXPECT_NE(trusted.out.find("echo received: hello from the devcert test page"), std::string::npos)
        << trusted.out;

    auto removed = devcert("uninstall");
    ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
    auto after = connect(profile, server.port());
    EXPECT_EQ(after.exit_code, 1) << after.out << after.err;
    EXPECT_NE(after.out.find("failed:"), std::string::npos) << after.out;
  }

  TempDir dir;
  TestCa ca;
  // HOME is the temp dir; XDG_CONFIG_HOME is unset (Firefox's default applies) unless a test sets it.
  std::map<std::string, std::string> env_ = {{"HOME", (dir / "home").string()},
                                             {"XDG_CONFIG_HOME", "\x01unset"},
                                             {"XDG_CACHE_HOME", "\x01unset"},
                                             {"MOZ_LEGACY_HOME", "\x01unset"}};
};

// Current Firefox (ESR 153), on a home without ~/.mozilla, keeps profiles under the XDG config dir.
TEST_F(Firefox, ProfileFirefoxMakesOnAFreshHomeTrustsAfterInstallOnly) {
  create_profile("fresh");
  expect_install_then_uninstall_decides("fresh");
}

TEST_F(Firefox, ProfileUnderXdgConfigHomeTrustsAfterInstallOnly) {
  env_["XDG_CONFIG_HOME"] = (dir / "elsewhere-config").string();
  create_profile("xdg");
  expect_install_then_uninstall_decides("xdg");
}

// MOZ_LEGACY_HOME=1 is how Firefox's own code forces the legacy ~/.mozilla/firefox; the
// profile then stays there for later starts too (the directory exists).
TEST_F(Firefox, LegacyMozillaProfileTrustsAfterInstallOnly) {
  env_["MOZ_LEGACY_HOME"] = "1";
  create_profile("legacy");
  env_["MOZ_LEGACY_HOME"] = "\x01unset";
  ASSERT_TRUE(stdfs::exists(dir / "home/.mozilla/firefox/profiles.ini"));
  expect_install_then_uninstall_decides("legacy");
}

// The opt-in enterprise policy: a profile Firefox makes only after `install --store
// firefox-policy` trusts the root (no certutil, no existing profile involved), and after
// `uninstall` neither it nor a profile made later does. Inside a private mount namespace, so the
// real /etc is never touched.
TEST_F(Firefox, PolicyMakesProfilesCreatedLaterTrustTheRootUntilUninstall) {
  if (!have_tool("unshare")) GTEST_SKIP() << "unshare is not installed (util-linux)";
  stdfs::create_directories(dir / "home");
  TestServer server(ca.leaf());
  devcert::test::write_text(dir / "scenario.sh", R"SH(
set -u
page="https://localhost:$PORT/"
"$DEVCERT_BIN" install --store firefox-policy; echo "install=$?"
"$DEVCERT_BIN" status --json > status.json  # default selection: the policy shows because it lists our root
firefox-esr --headless -CreateProfile made-after-install >/dev/null 2>&1
node "$BROWSER_DIR/firefox_wss.js" made-after-install "$page"; echo "trusted=$?"
"$DEVCERT_BIN" uninstall --store firefox-policy; echo "uninstall=$?"
test -e /etc/firefox/policies/policies.json; echo "file-left=$?"
node "$BROWSER_DIR/firefox_wss.js" made-after-install "$page"; echo "started-under-policy=$?"
firefox-esr --headless -CreateProfile made-after-uninstall >/dev/null 2>&1
node "$BROWSER_DIR/firefox_wss.js" made-after-uninstall "$page"; echo "after=$?"
)SH");
  auto env = env_;
  env["DEVCERT_CAROOT"] = ca.root.dir().string();
  env["DEVCERT_BIN"] = DEVCERT_BIN;
  env["BROWSER_DIR"] = kBrowserDir;
  env["PORT"] = std::to_string(server.port());
  env["NO_COLOR"] = "1";
  auto r = run_process({std::string(DEVCERT_SOURCE_DIR) + "/tests/trust/in_private_firefox_policy.sh", "bash",
                        (dir / "scenario.sh").string()},
                       env, dir.path());
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  EXPECT_NE(r.out.find("install=0"), std::string::npos) << r.out << r.err;
  bool policy_reported = false;
  auto status = nlohmann::json::parse(devcert::test::read_text(dir / "status.json"));
  for (const auto& store : status["stores"])
    policy_reported |= store["name"] == "firefox-policy" && store["installed"] == true;
  EXPECT_TRUE(policy_reported) << devcert::test::read_text(dir / "status.json");
  EXPECT_NE(r.out.find("echo received: hello from the devcert test page"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("trusted=0"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("uninstall=0"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("file-left=1"), std::string::npos) << r.out << r.err;
  // A profile started under the policy imported the root into its own database, under a
  // nickname Firefox chose; uninstall finds that copy by its bytes and removes it too.
  EXPECT_NE(r.out.find("started-under-policy=1"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("after=1"), std::string::npos) << r.out << r.err;
  EXPECT_FALSE(stdfs::exists("/etc/firefox/policies/policies.json"));
}

}  // namespace
}  // namespace devcert::wss::test
