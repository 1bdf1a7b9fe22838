// The client matrix: after `devcert install`, and with no client flag, a wss:// (or
// https://) connection to `devcert serve` succeeds from headless Chromium, curl, Python's
// websockets, gnutls-cli, Java's java.net.http WebSocket and Node's ws (with `devcert env`);
// before install and after uninstall each fails. All inside a private mount namespace with a
// temporary HOME (tests/trust/client_matrix.sh), so nothing real is touched.
#include <gtest/gtest.h>

#include <sstream>

#include "support/helpers.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

// client -> phase ("before", "installed", "after") -> exit code; "devcert" -> install/uninstall.
using MatrixResults = std::map<std::string, std::map<std::string, int>>;

// Runs the matrix with `env` added; fails the test on a setup error. `skipped` gets the
// clients that are not installed here.
MatrixResults run_matrix(const TempDir& tmp, std::map<std::string, std::string> env,
                         std::vector<std::string>& skipped, bool& unsupported) {
  stdfs::create_directories(tmp / "home");
  stdfs::create_directories(tmp / "out");
  EXPECT_EQ(test::run_devcert({"init"}, tmp / "ca").exit_code, 0);
  std::string java_home;
  if (auto java = process::find_program("java"))
    java_home = stdfs::canonical(*java).parent_path().parent_path().string();
  env.merge(std::map<std::string, std::string>{
      {"DEVCERT_CAROOT", (tmp / "ca").string()}, {"DEVCERT_BIN", DEVCERT_BIN},
      {"HOME", (tmp / "home").string()}, {"OUT", (tmp / "out").string()},
      {"JAVA_HOME", java_home.empty() ? "/nonexistent" : java_home},
      // The JDK's cacerts is a store too: a private copy, whatever its path.
      {"DEVCERT_PRIVATE_EXTRA", java_home.empty() ? "" : java_home + "/lib/security/cacerts"},
      {"XDG_DATA_HOME", "\x01unset"}, {"XDG_CONFIG_HOME", "\x01unset"},
      {"DEVCERT_TRUST_STORES", "\x01unset"}});
  auto r = test::run_process({DEVCERT_SOURCE_DIR "/tests/trust/in_private_system_store.sh",
                              DEVCERT_SOURCE_DIR "/tests/trust/client_matrix.sh"},
                             env);
  unsupported = r.exit_code == 77;
  if (unsupported) return {};
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  MatrixResults results;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string client, phase;
    words >> client >> phase;
    if (phase == "skip") skipped.push_back(line);
    int code = -1;
    if (words >> code) results[client][phase] = code;
  }
  return results;
}

std::string client_output(const TempDir& tmp, const std::string& client, const std::string& phase) {
  return client + " " + phase + ": " + test::read_text(tmp / "out" / (client + "-" + phase + ".out"));
}

// Every client fails before install, succeeds after it, and fails again after uninstall.
void expect_install_then_uninstall_decides(const TempDir& tmp, MatrixResults results) {
  EXPECT_EQ(results["devcert"]["install"], 0) << test::read_text(tmp / "out/install.log");
  EXPECT_EQ(results["devcert"]["uninstall"], 0) << test::read_text(tmp / "out/uninstall.log");
  results.erase("devcert");
  auto why = [&](const std::string& client, const std::string& phase) { return client_output(tmp, client, phase); };
  for (const auto& [client, phases] : results) {
    EXPECT_NE(phases.at("before"), 0) << why(client, "before");
    EXPECT_EQ(phases.at("installed"), 0) << why(client, "installed");
    EXPECT_NE(phases.at("after"), 0) << why(client, "after");
  }
}

TEST(ClientMatrix, EveryClientTrustsAfterInstallAndNoneBeforeOrAfter) {
  if (!test::have_tool("unshare")) GTEST_SKIP() << "unshare is not installed (util-linux)";
  TempDir tmp;
  std::vector<std::string> skipped;
  bool unsupported = false;
  auto results = run_matrix(tmp, {}, skipped, unsupported);
  if (unsupported) GTEST_SKIP() << "no private mount namespace here";
  expect_install_then_uninstall_decides(tmp, results);
  auto why = [&](const std::string& client, const std::string& phase) { return client_output(tmp, client, phase); };
  if (results.count("chromium"))
    for (const char* phase : {"before", "after"})
      EXPECT_NE(why("chromium", phase).find("ERR_CERT_AUTHORITY_INVALID"), std::string::npos)
          << why("chromium", phase);
  for (const auto& line : skipped) std::cout << "[ note ] client not run: " << line << "\n";
  if (results.size() <= 1) GTEST_SKIP() << "no client of the matrix is installed";
}

// The system store alone, with Debian's Java hook live (in the namespace): Java trusts the root
// only through the hook's copy, and `uninstall --store system` must take that copy away too.
TEST(ClientMatrix, SystemStoreAloneAndJavaFollowsItBothWays) {
  if (!test::have_tool("unshare")) GTEST_SKIP() << "unshare is not installed (util-linux)";
  if (!stdfs::exists("/usr/share/ca-certificates-java/ca-certificates-java.jar"))
    GTEST_SKIP() << "ca-certificates-java is not installed";
  TempDir tmp;
  std::vector<std::string> skipped;
  bool unsupported = false;
  auto results = run_matrix(tmp, {{"STORE_ARGS", "--store system"}, {"DEVCERT_PRIVATE_JAVA_HOOK", "1"}},
                            skipped, unsupported);
  if (unsupported) GTEST_SKIP() << "no private mount namespace here";
  EXPECT_EQ(results.count("chromium"), 0u);
  for (const char* client : {"curl", "gnutls", "java", "python", "node"})
    EXPECT_EQ(results.count(client), 1u) << client << " did not run: " << ::testing::PrintToString(skipped);
  expect_install_then_uninstall_decides(tmp, results);
}

}  // namespace
}  // namespace devcert::trust
