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

TEST(ClientMatrix, EveryClientTrustsAfterInstallAndNoneBeforeOrAfter) {
  if (!test::have_tool("unshare")) GTEST_SKIP() << "unshare is not installed (util-linux)";
  TempDir tmp;
  stdfs::create_directories(tmp / "home");
  stdfs::create_directories(tmp / "out");
  ASSERT_EQ(test::run_devcert({"init"}, tmp / "ca").exit_code, 0);
  std::string java_home;
  if (auto java = process::find_program("java"))
    java_home = stdfs::canonical(*java).parent_path().parent_path().string();
  auto r = test::run_process(
      {DEVCERT_SOURCE_DIR "/tests/trust/in_private_system_store.sh",
       DEVCERT_SOURCE_DIR "/tests/trust/client_matrix.sh"},
      {{"DEVCERT_CAROOT", (tmp / "ca").string()}, {"DEVCERT_BIN", DEVCERT_BIN},
       {"HOME", (tmp / "home").string()}, {"OUT", (tmp / "out").string()},
       {"JAVA_HOME", java_home.empty() ? "/nonexistent" : java_home},
       // The JDK's cacerts is a store too: a private copy, whatever its path.
       {"DEVCERT_PRIVATE_EXTRA", java_home.empty() ? "" : java_home + "/lib/security/cacerts"},
       {"XDG_DATA_HOME", "\x01unset"}, {"XDG_CONFIG_HOME", "\x01unset"},
       {"DEVCERT_TRUST_STORES", "\x01unset"}});
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  std::map<std::string, std::map<std::string, int>> results;  // client -> phase -> exit
  std::vector<std::string> skipped;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string client, phase;
    words >> client >> phase;
    if (phase == "skip") skipped.push_back(line);
    int code = -1;
    if (words >> code) results[client][phase] = code;
  }
  EXPECT_EQ(results["devcert"]["install"], 0) << test::read_text(tmp / "out/install.log");
  EXPECT_EQ(results["devcert"]["uninstall"], 0) << test::read_text(tmp / "out/uninstall.log");
  results.erase("devcert");
  auto why = [&](const std::string& client, const std::string& phase) {
    return client + " " + phase + ": " + test::read_text(tmp / "out" / (client + "-" + phase + ".out"));
  };
  for (const auto& [client, phases] : results) {
    EXPECT_NE(phases.at("before"), 0) << why(client, "before");
    EXPECT_EQ(phases.at("installed"), 0) << why(client, "installed");
    EXPECT_NE(phases.at("after"), 0) << why(client, "after");
  }
  if (results.count("chromium"))
    for (const char* phase : {"before", "after"})
      EXPECT_NE(why("chromium", phase).find("ERR_CERT_AUTHORITY_INVALID"), std::string::npos)
          << why("chromium", phase);
  for (const auto& line : skipped) std::cout << "[ note ] client not run: " << line << "\n";
  if (results.empty()) GTEST_SKIP() << "no client of the matrix is installed";
}

}  // namespace
}  // namespace devcert::trust
