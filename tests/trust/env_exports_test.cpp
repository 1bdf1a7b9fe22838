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

// Values a path can hold that a shell would otherwise act on, each followed by its own name.
const std::vector<std::string> kHostileValues = {
    "/a dir/with  spaces",  "/o'brien/'/''",        "/back\\slash\\",     "/trailing\\",
    "/\\'",                "/$HOME/${HOME}/$(id)/`id`", "/dq\"x\"",  "/new\nline\n",
    "/tab\there;rm -rf x&|<>", "/glob*?[a]~!#", "/é ✓ \u2019typographic\u2018", "/%s%n"};

// fish creates its config and history directories under $HOME on every start: the shells run
// with a throw-away HOME, so that the real one stays as it was.
std::map<std::string, std::string> shell_home(const TempDir& home) {
  return {{"HOME", home.path().string()}, {"XDG_CONFIG_HOME", "\x01unset"},
          {"XDG_DATA_HOME", "\x01unset"}, {"XDG_CACHE_HOME", "\x01unset"}};
}

// The shells this machine has, each with a command that reads the exports on stdin as
// `eval "$(devcert env)"` (or fish's `devcert env | source`) does, then prints $V unchanged.
std::vector<std::pair<Shell, std::vector<std::string>>> installed_shells() {
  std::vector<std::pair<Shell, std::vector<std::string>>> out;
  const std::pair<const char*, Shell> posix[] = {
      {"bash", Shell::bash}, {"dash", Shell::bash}, {"sh", Shell::bash}, {"zsh", Shell::zsh}};
  for (const auto& [sh, shell] : posix)
    if (test::have_tool(sh)) out.push_back({shell, {sh, "-c", "eval \"$(cat)\"; printf '%s' \"$V\""}});
  if (test::have_tool("fish")) out.push_back({Shell::fish, {"fish", "-c", "source; printf '%s' $V"}});
  return out;
}

TEST(RenderExports, EveryInstalledShellReadsEachValueBackByteForByte) {
  auto shells = installed_shells();
  ASSERT_GE(shells.size(), 3u) << "bash, dash and sh at least";
  if (!test::have_tool("fish")) std::cout << "fish is not installed: scripts/deps.sh --test installs it\n";
  TempDir home;
  for (const auto& [shell, argv] : shells)
    for (const auto& value : kHostileValues) {
      std::string exports = render_exports(shell, {{"V", value, "c"}});
      auto r = test::run_process(argv, shell_home(home), {}, exports);
      EXPECT_EQ(r.exit_code, 0) << argv[0] << ": " << r.err;
      EXPECT_EQ(r.out, value) << argv[0] << " read back another value from\n" << exports;
    }
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

// The issue's contract: eval "$(devcert env)" works, and the bundle holds the system's roots
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

// A relative DEVCERT_CAROOT, in a directory whose name would break naive quoting: every shell
// gets the absolute path back, byte for byte.
TEST(EnvCommand, ARelativeCarootIsExportedAbsoluteToEveryShell) {
  TempDir work;
  const std::string name = "ca $HOME `id` \"q\" o'b \\ \\' \nline";
  test::make_ca(work.path() / name);
  auto expected = (stdfs::canonical(work.path()) / name / "rootCA.pem").string();
  TempDir home;
  auto env = shell_home(home);
  env.insert({{"DEVCERT_CAROOT", name}, {"NO_COLOR", "1"}});
  const std::pair<std::string, std::string> posix[] = {
      {"bash", "bash"}, {"dash", "sh"}, {"sh", "sh"}, {"zsh", "zsh"}};  // the shell, its --shell
  for (const auto& [sh, flag] : posix) {
    if (!test::have_tool(sh)) continue;
    auto r = test::run_process(
        {sh, "-c", "eval \"$(\"$0\" env --shell " + flag + ")\" && printf '%s' \"$DENO_CERT\"", DEVCERT_BIN},
        env, work.path());
    EXPECT_EQ(r.out, expected) << sh << ": " << r.err;
  }
  if (test::have_tool("fish")) {
    auto r = test::run_process({"fish", "-c", "$argv[1] env --shell fish | source; printf '%s' $DENO_CERT",
                                DEVCERT_BIN},
                               env, work.path());
    EXPECT_EQ(r.out, expected) << "fish: " << r.err;
  }
  // The same absolute CAROOT for every command: `devcert caroot` prints it too.
  auto r = test::run_process({DEVCERT_BIN, "caroot"}, env, work.path());
  EXPECT_EQ(r.out, (stdfs::canonical(work.path()) / name).string() + "\n") << r.err;
}

TEST(EnvCommand, FishAcceptsItWhenInstalled) {
  if (!test::have_tool("fish")) GTEST_SKIP() << "fish is not installed (the rendering is unit-tested above)";
  TempDir caroot, home;
  test::make_ca(caroot.path());
  auto env = shell_home(home);
  env["DEVCERT_CAROOT"] = caroot.path().string();
  auto r = test::run_process({"fish", "-c", "eval (" + std::string(DEVCERT_BIN) +
                                                " env --shell fish | string collect); echo $DENO_CERT"},
                             env);
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
