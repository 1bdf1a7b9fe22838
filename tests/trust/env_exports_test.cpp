#include "trust/env_exports.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "error.h"
#include "support/helpers.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

TEST(RenderExports, EachShellWithACommentPerVariable) {
  std::vector<EnvVariable> vars{{"NODE_EXTRA_CA_CERTS", "/ca/root.pem", "Node.js"}};
  EXPECT_EQ(render_exports(Shell::bash, vars), "# Node.js\nexport NODE_EXTRA_CA_CERTS='/ca/root.pem'\n");
  EXPECT_EQ(render_exports(Shell::zsh, vars), "# Node.js\nexport NODE_EXTRA_CA_CERTS='/ca/root.pem'\n");
  EXPECT_EQ(render_exports(Shell::fish, vars), "# Node.js\nset -gx NODE_EXTRA_CA_CERTS '/ca/root.pem'\n");
  EXPECT_EQ(render_exports(Shell::powershell, vars),
            "# Node.js\n$env:NODE_EXTRA_CA_CERTS = '/ca/root.pem'\n");
}

TEST(RenderExports, QuotesAnApostropheForEachShell) {
  std::vector<EnvVariable> vars{{"V", "/home/o'brien/ca", "c"}};
  EXPECT_NE(render_exports(Shell::bash, vars).find("'/home/o'\\''brien/ca'"), std::string::npos);
  EXPECT_NE(render_exports(Shell::fish, vars).find("'/home/o\\'brien/ca'"), std::string::npos);
  EXPECT_NE(render_exports(Shell::powershell, vars).find("'/home/o''brien/ca'"), std::string::npos);
}

TEST(RuntimeVariables, NodeDenoAndRequests) {
  auto vars = runtime_variables("/c/rootCA.pem", "/c/ca-bundle.pem");
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[0].name, "NODE_EXTRA_CA_CERTS");
  EXPECT_EQ(vars[1].name, "DENO_CERT");
  EXPECT_EQ(vars[2].name, "REQUESTS_CA_BUNDLE");
  EXPECT_EQ(vars[2].value, "/c/ca-bundle.pem");
}

TEST(ParseShell, NamesAndTheDefaultFromShell) {
  EXPECT_EQ(parse_shell("pwsh"), Shell::powershell);
  EXPECT_THROW(parse_shell("tcsh"), UsageError);
  EXPECT_EQ(default_shell("/usr/bin/fish"), Shell::fish);
  EXPECT_EQ(default_shell(nullptr), Shell::bash);
  EXPECT_EQ(default_shell("/bin/dash"), Shell::bash);
}

TEST(BuildBundle, SystemRootsThenOursOnce) {
  EXPECT_EQ(build_bundle("SYS", "OURS\n"), "SYS\nOURS\n");
  EXPECT_EQ(build_bundle("SYS\nOURS\n", "OURS\n"), "SYS\nOURS\n");
}

// The contract: eval "$(devcert env)" works, and the bundle holds the system's roots
// plus ours.
TEST(EnvCommand, EvalInBashSetsTheVariablesAndWritesTheBundle) {
  TempDir caroot;
  auto ca = test::make_ca(caroot.path() / "ca dir's");
  auto bin = std::string(DEVCERT_BIN);
  auto r = test::run_process({"bash", "-c",
                              "set -e; eval \"$(\"$0\" env --shell bash)\"; "
                              "printf '%s\\n' \"$NODE_EXTRA_CA_CERTS\" \"$DENO_CERT\" \"$REQUESTS_CA_BUNDLE\"",
                              bin},
                             {{"DEVCERT_CAROOT", (caroot.path() / "ca dir's").string()}, {"NO_COLOR", "1"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto dir = (caroot.path() / "ca dir's").string();
  EXPECT_EQ(r.out, dir + "/rootCA.pem\n" + dir + "/rootCA.pem\n" + dir + "/ca-bundle.pem\n");
  std::string bundle = test::read_text(dir + "/ca-bundle.pem");
  EXPECT_NE(bundle.find(ca.pem), std::string::npos);
  if (stdfs::exists("/etc/ssl/certs/ca-certificates.crt"))
    EXPECT_GT(bundle.size(), ca.pem.size() + 1000) << "the system roots are missing";
  struct stat st {};
  ::stat((dir + "/ca-bundle.pem").c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // Only comments and assignments: nothing else for a shell to run.
  auto text = test::run_devcert({"env", "--shell", "zsh"}, dir).out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("export ", 0) == 0) << line;
}

TEST(EnvCommand, FishAcceptsItWhenInstalled) {
  if (!test::have_tool("fish")) GTEST_SKIP() << "fish is not installed (the rendering is unit-tested above)";
  TempDir caroot;
  test::make_ca(caroot.path());
  auto r = test::run_process({"fish", "-c", "eval (" + std::string(DEVCERT_BIN) +
                                                " env --shell fish | string collect); echo $DENO_CERT"},
                             {{"DEVCERT_CAROOT", caroot.path().string()}});
  EXPECT_EQ(r.out, (caroot / "rootCA.pem").string() + "\n") << r.err;
}

TEST(EnvCommand, WithoutACaSaysToRunInit) {
  TempDir caroot;
  auto r = test::run_devcert({"env"}, caroot.path() / "none");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("devcert init"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace devcert::trust
