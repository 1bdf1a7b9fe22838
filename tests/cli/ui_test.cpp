// The command line's manners: colour only on a terminal and never with NO_COLOR, --quiet,
// --verbose, usage errors (exit 2), --json on every path, --help with examples, --version,
// progress only on a terminal.
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <sstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

// Runs devcert with stdin, stdout and stderr on a pseudo-terminal (as in an interactive shell)
// and returns everything it wrote there.
ProcessResult run_on_terminal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{DEVCERT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> envs = environment_with(env);
  std::vector<char*> argp, envp;
  for (auto& a : argv) argp.push_back(a.data());
  argp.push_back(nullptr);
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execve(argp[0], argp.data(), envp.data());
    ::_exit(127);
  }
  ProcessResult result;
  if (pid < 0) return result;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) result.out.append(buf, static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;  // EIO: the child closed the terminal
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool has_escape(const std::string& text) { return text.find('\033') != std::string::npos; }

class Ui : public CliTest {
 protected:
  stdfs::path home = tmp / "home";
  void SetUp() override {
    CliTest::SetUp();
    stdfs::create_directories(home);
  }
  // A private HOME, no system store: nothing here may touch the machine's trust.
  std::map<std::string, std::string> isolated(std::map<std::string, std::string> env = {}) {
    env["HOME"] = home.string();
    env.try_emplace("DEVCERT_TRUST_STORES", "nss");
    env.try_emplace("NO_COLOR", "\x01unset");
    return env;
  }
  std::map<std::string, std::string> terminal_env(std::map<std::string, std::string> env = {}) {
    env = isolated(std::move(env));
    env["DEVCERT_CAROOT"] = caroot.string();
    env["TERM"] = "xterm";
    return env;
  }
};

TEST_F(Ui, PipedOutputHasNoEscapeCodes) {
  init_ca();
  ASSERT_EQ(devcert({"issue", "localhost"}, isolated()).exit_code, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"status"}, {"inspect", "localhost.pem"}, {"inspect", "missing.pem"}, {"issue", "localhost"},
           {"bogus"}, {"verify-server", "wss://127.0.0.1:1/", "--timeout", "2"}}) {
    auto r = devcert(args, isolated({{"TERM", "xterm"}}));
    EXPECT_FALSE(has_escape(r.out)) << args[0] << ": " << r.out;
    EXPECT_FALSE(has_escape(r.err)) << args[0] << ": " << r.err;
  }
}

TEST_F(Ui, ATerminalGetsColourUnlessNoColorIsSet) {
  init_ca();
  auto coloured = run_on_terminal({"inspect", "missing.pem"}, terminal_env());
  EXPECT_EQ(coloured.exit_code, 1);
  EXPECT_NE(coloured.out.find("\033[1;31merror:\033[0m"), std::string::npos) << coloured.out;
  auto marks = run_on_terminal({"status"}, terminal_env());
  EXPECT_TRUE(has_escape(marks.out)) << marks.out;

  for (const auto& args : std::vector<std::vector<std::string>>{{"inspect", "missing.pem"}, {"status"}}) {
    auto plain = run_on_terminal(args, terminal_env({{"NO_COLOR", "1"}}));
    EXPECT_FALSE(has_escape(plain.out)) << plain.out;
    EXPECT_NE(plain.out.find(args[0] == "status" ? "nss" : "error:"), std::string::npos) << plain.out;
  }
}

TEST_F(Ui, QuietDropsNotesButNotResultsOrErrors) {
  init_ca();
  auto normal = devcert({"issue", "localhost"}, isolated());
  ASSERT_EQ(normal.exit_code, 0) << normal.err;
  EXPECT_NE(normal.err.find("note: "), std::string::npos) << normal.err;

  for (const auto& args : std::vector<std::vector<std::string>>{{"-q", "issue", "a.test"}, {"issue", "b.test", "--quiet"}}) {
    auto quiet = devcert(args, isolated());
    ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(quiet.err.find("note:"), std::string::npos) << quiet.err;
    EXPECT_TRUE(stdfs::exists(work / (args[1] == "issue" ? "a.test.pem" : "b.test.pem")));
  }
  auto caroot_path = devcert({"-q", "caroot"}, isolated());
  EXPECT_EQ(caroot_path.out, caroot.string() + "\n");
  auto error = devcert({"-q", "inspect", "missing.pem"}, isolated());
  EXPECT_EQ(error.exit_code, 1);
  EXPECT_NE(error.err.find("error: "), std::string::npos);
}

TEST_F(Ui, VerboseShowsTheExternalCommandsRunButNoKeyMaterial) {
  ASSERT_TRUE(have_tool("certutil")) << "libnss3-tools is installed by scripts/deps.sh --test";
  init_ca();
  stdfs::path nssdb = home / ".pki" / "nssdb";
  stdfs::create_directories(nssdb);
  ASSERT_EQ(run_process({"certutil", "-N", "-d", "sql:" + nssdb.string(), "--empty-password"}).exit_code, 0);

  auto quiet = devcert({"status", "--store", "nss"}, isolated());
  EXPECT_EQ(quiet.err.find("certutil"), std::string::npos) << quiet.err;
  // status reads the databases itself (no command to show); install and uninstall run certutil.
  for (const auto& args : std::vector<std::vector<std::string>>{{"-v", "install", "--store", "nss"},
                                                               {"uninstall", "--store", "nss", "--verbose"},
                                                               {"--verbose", "install"}}) {
    auto r = devcert(args, isolated());
    std::regex argv_line("verbose: run: \\S*certutil -[A-Z] .*-d sql:" + nssdb.string());
    EXPECT_TRUE(std::regex_search(r.err, argv_line)) << r.err;
    EXPECT_EQ((r.out + r.err).find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ((r.out + r.err).find("BEGIN CERTIFICATE"), std::string::npos);
  }
}

TEST_F(Ui, UsageErrorsExitTwoAndNameTheProblem) {
  struct Case {
    std::vector<std::string> args;
    std::string named;  // what the message must mention
    std::string help;   // the help it points to
  };
  for (const auto& c : std::vector<Case>{
           {{"bogus"}, "unknown command 'bogus'", "devcert help"},
           {{"-v", "isue", "localhost"}, "unknown command 'isue'; did you mean 'issue'?", "devcert help"},
           {{"status", "--bogus"}, "--bogus", "devcert status --help"},
           {{"inspect"}, "file", "devcert inspect --help"},
           {{"verify-server", "--timeout", "0"}, "--timeout", "devcert verify-server --help"},
           {{"init", "--key-type", "dsa"}, "dsa", "devcert init --help"},
           {{"verify-server", "wss://localhost/", "--require-trust"}, "--require-trust", ""}}) {
    auto r = devcert(c.args);
    std::string shown = c.args.empty() ? "(none)" : c.args[0];
    EXPECT_EQ(r.exit_code, 2) << shown << ": " << r.err;
    EXPECT_TRUE(r.err.starts_with("error: ")) << r.err;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << r.err;
    if (!c.help.empty()) EXPECT_NE(r.err.find("fix: see '" + c.help + "'"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(Ui, EveryJsonOutputParsesBackOnSuccessAndFailure) {
  auto json_of = [](const ProcessResult& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out << r.err;
    return j;
  };
  // Before there is a CA: failures are still one JSON object with the fix and the exit code.
  for (const auto& args : std::vector<std::vector<std::string>>{{"status", "--json"}, {"issue", "--json", "localhost"}}) {
    auto r = devcert(args, isolated());
    EXPECT_EQ(r.exit_code, 1);
    auto j = json_of(r);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["exit_code"], 1);
    EXPECT_NE(j["fix"].get<std::string>().find("devcert init"), std::string::npos) << r.out;
  }
  auto usage = devcert({"status", "--json", "--bogus"}, isolated());
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(json_of(usage)["exit_code"], 2);

  init_ca();
  auto status = devcert({"status", "--json"}, isolated());
  auto s = json_of(status);
  EXPECT_TRUE(s["stores"].is_array());
  EXPECT_EQ(s["ok"].get<bool>(), status.exit_code == 0);

  ASSERT_EQ(devcert({"issue", "localhost"}, isolated()).exit_code, 0);
  auto inspect = devcert({"inspect", "--json", "localhost.pem"}, isolated());
  EXPECT_EQ(inspect.exit_code, 0);
  EXPECT_EQ(json_of(inspect)["ok"], true);
  auto missing = devcert({"inspect", "--json", "missing.pem"}, isolated());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(json_of(missing)["ok"], false);

  auto refused = devcert({"verify-server", "wss://127.0.0.1:1/", "--json", "--timeout", "5"}, isolated());
  EXPECT_EQ(refused.exit_code, 1);
  auto v = json_of(refused);
  EXPECT_EQ(v["ok"], false);
  EXPECT_EQ(v["cause"], "connection_refused");

  auto self_test = devcert({"verify-server", "--json"}, isolated());
  auto t = json_of(self_test);
  EXPECT_EQ(t["ok"].get<bool>(), self_test.exit_code == 0);
  EXPECT_FALSE(t["setup"].empty());
}

TEST_F(Ui, EveryCommandsHelpHasAnExample) {
  auto help = devcert({"--help"});
  ASSERT_EQ(help.exit_code, 0);
  std::regex command(R"(\n  ([a-z][a-z-]+)\s)");
  int seen = 0;
  std::string subcommands = help.out.substr(help.out.find("Subcommands:"));
  subcommands.resize(subcommands.find("\n\n"));
  for (std::sregex_iterator it(subcommands.begin(), subcommands.end(), command), end; it != end; ++it) {
    std::string name = (*it)[1];
    auto r = devcert({name, "--help"});
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_NE(r.out.find("Example"), std::string::npos) << name << " --help has no example:\n" << r.out;
    EXPECT_NE(r.out.find("\n  devcert " + name), std::string::npos) << name << ":\n" << r.out;
    ++seen;
  }
  EXPECT_GE(seen, 10);
}

TEST_F(Ui, VersionPrintsTheProjectVersion) {
  for (const char* asked : {"--version", "version"}) {
    auto r = devcert({asked});
    EXPECT_EQ(r.exit_code, 0) << asked;
    EXPECT_EQ(r.out, std::string("devcert ") + DEVCERT_VERSION + "\n") << asked;
  }
}

// `devcert` alone is a question, not a mistake: the help with the three-command recipe, exit 0.
// `help [COMMAND]` answers as --help does.
TEST_F(Ui, DevcertAloneAndHelpShowTheRecipe) {
  auto alone = devcert({});
  EXPECT_EQ(alone.exit_code, 0) << alone.err;
  EXPECT_NE(alone.out.find("devcert init && devcert install && devcert issue localhost"), std::string::npos)
      << alone.out;
  EXPECT_EQ(alone.err, "");
  auto help = devcert({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, devcert({"--help"}).out);
  EXPECT_EQ(devcert({"help", "issue"}).out, devcert({"issue", "--help"}).out);
  auto unknown = devcert({"help", "statu"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'statu'; did you mean 'status'?"), std::string::npos) << unknown.err;
}

// A typo gets the nearest name; something too far from every name gets none.
TEST_F(Ui, MistypedCommandsAndOptionsGetTheNearestName) {
  struct Case {
    std::vector<std::string> args;
    std::string said;
  };
  for (const auto& c : std::vector<Case>{
           {{"instal"}, "unknown command 'instal'; did you mean 'install'?"},
           {{"isntall"}, "did you mean 'install'?"},
           {{"verify-sever"}, "did you mean 'verify-server'?"},
           {{"issue", "--jsn", "localhost"}, "unknown option '--jsn' for 'devcert issue'; did you mean '--json'?"},
           {{"status", "--jsno"}, "did you mean '--json'?"},
           {{"frobnicate"}, "unknown command 'frobnicate'\n"}}) {
    auto r = devcert(c.args, isolated());
    EXPECT_EQ(r.exit_code, 2) << c.args[0];
    EXPECT_NE(r.err.find(c.said), std::string::npos) << r.err;
  }
}

// Every message, the parser's included, speaks as devcert does: lower case after "error: ".
TEST_F(Ui, ParserMessagesAreInDevcertsVoice) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"init", "--key-type", "dsa"}, {"verify-server", "--timeout", "0"}, {"issue", "--days"}}) {
    auto r = devcert(args, isolated());
    ASSERT_TRUE(r.err.starts_with("error: ")) << r.err;
    EXPECT_FALSE(std::isupper(static_cast<unsigned char>(r.err[7]))) << r.err;
  }
}

// Help is read in a terminal of 80 columns: no line of any command's help is wider.
TEST_F(Ui, EveryHelpFitsEightyColumns) {
  auto columns = [](const std::string& line) {
    std::size_t n = 0;
    for (unsigned char c : line) n += (c & 0xc0) != 0x80;
    return n;
  };
  for (std::string command : {"", "init", "issue", "caroot", "inspect", "install", "uninstall", "status", "env",
                              "serve", "verify-server", "snippet", "help", "version"}) {
    auto r = command.empty() ? devcert({"--help"}) : devcert({command, "--help"});
    std::stringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
      EXPECT_LE(columns(line), 80u) << "devcert " << command << " --help:\n" << line;
  }
}

// Checklist marks are drawn in the locale's characters: ✓ ✗ in UTF-8, + x in plain ASCII.
TEST_F(Ui, MarksAreAsciiWhereTheLocaleIsNot) {
  auto refused = [&](std::map<std::string, std::string> env) {
    return devcert({"verify-server", "wss://127.0.0.1:1/", "--timeout", "5"}, isolated(std::move(env))).out;
  };
  auto utf8 = refused({{"LC_ALL", "C.UTF-8"}});
  EXPECT_NE(utf8.find("✗ tcp"), std::string::npos) << utf8;
  for (auto env : std::vector<std::map<std::string, std::string>>{
           {{"LC_ALL", "C"}}, {{"LC_ALL", "\x01unset"}, {"LC_CTYPE", "\x01unset"}, {"LANG", "\x01unset"}}}) {
    auto ascii = refused(env);
    EXPECT_NE(ascii.find("x tcp"), std::string::npos) << ascii;
    for (unsigned char c : ascii) EXPECT_LT(c, 0x80) << ascii;
  }
}

// The spinner is drawn only after 100 ms of work; RSA-4096 key generation takes longer, but a
// lucky prime search could be quicker, so a fresh CA is tried a few times.
TEST_F(Ui, RsaKeyGenerationShowsASpinnerOnATerminalOnly) {
  auto spinner_in = [](const std::string& text) {
    for (const char* frame : {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"})
      if (text.find(std::string(frame) + " generating an RSA-4096 key") != std::string::npos) return true;
    return false;
  };
  bool shown = false;
  for (int attempt = 0; attempt < 3 && !shown; ++attempt) {
    stdfs::remove_all(caroot);
    auto r = run_on_terminal({"init", "--key-type", "rsa-4096"}, terminal_env());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    shown = spinner_in(r.out);
  }
  EXPECT_TRUE(shown);

  stdfs::remove_all(caroot);
  auto quiet = run_on_terminal({"-q", "init", "--key-type", "rsa-4096"}, terminal_env());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out;
  EXPECT_FALSE(spinner_in(quiet.out)) << quiet.out;
  stdfs::remove_all(caroot);
  auto piped = devcert({"init", "--key-type", "rsa-4096"}, isolated());
  ASSERT_EQ(piped.exit_code, 0);
  EXPECT_FALSE(spinner_in(piped.err)) << piped.err;
}

}  // namespace
}  // namespace devcert::test
