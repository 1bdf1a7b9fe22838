// The commands called in-process, as run_x(options, context): the context carries the
// environment and the command runner, so these tests hand each command a made-up environment
// and a runner that records what it starts, and read what it printed from string streams.
// The binary-level tests (issue_test.cpp, ui_test.cpp, ...) keep argv parsing and exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <mutex>
#include <sstream>

#include "cli/commands.h"
#include "cli/snippet_command.h"
#include "cli/trust_commands.h"
#include "cli/wss_commands.h"
#include "error.h"
#include "support/helpers.h"
#include "util/process.h"

namespace devcert::test {
namespace {

// The real runner, recording every command line it runs.
class RecordingRunner : public process::CommandRunner {
 public:
  process::Result run(const process::Command& cmd) override {
    {
      std::lock_guard lock(mutex_);
      argv0s_.push_back(cmd.argv.empty() ? "" : stdfs::path(cmd.argv.front()).filename().string());
    }
    return real_.run(cmd);
  }
  std::optional<stdfs::path> find_program(std::string_view name) override { return real_.find_program(name); }
  std::vector<std::string> programs() {
    std::lock_guard lock(mutex_);
    return argv0s_;
  }

 private:
  process::SystemRunner real_;
  std::mutex mutex_;
  std::vector<std::string> argv0s_;
};

class Commands : public testing::Test {
 protected:
  TempDir tmp;
  std::ostringstream out, err;
  RecordingRunner runner;
  Environment::Map vars{{"HOME", (tmp / "home").string()},
                        {"DEVCERT_CAROOT", (tmp / "caroot").string()},
                        {"LC_ALL", "C.UTF-8"}};

  void SetUp() override { stdfs::create_directories(tmp / "home"); }

  cli::Context context() {
    Environment env(vars);
    return cli::Context{Output(out, err, env), env, runner};
  }

  void init() {
    auto ctx = context();
    ASSERT_EQ(cli::run_init({}, ctx), 0) << err.str();
    out.str("");
    err.str("");
  }
};

TEST_F(Commands, InitMakesTheCaWhereTheContextsEnvironmentSays) {
  // The process's own DEVCERT_CAROOT points elsewhere: the command must not read it.
  const char* before = std::getenv("DEVCERT_CAROOT");
  std::string saved = before ? before : "";
  ::setenv("DEVCERT_CAROOT", (tmp / "process-caroot").c_str(), 1);
  auto ctx = context();
  int code = cli::run_init({}, ctx);
  if (before) ::setenv("DEVCERT_CAROOT", saved.c_str(), 1);
  else ::unsetenv("DEVCERT_CAROOT");

  EXPECT_EQ(code, 0) << err.str();
  EXPECT_TRUE(stdfs::exists(tmp / "caroot" / "rootCA.pem"));
  EXPECT_TRUE(stdfs::exists(tmp / "caroot" / "rootCA-key.pem"));
  EXPECT_FALSE(stdfs::exists(tmp / "process-caroot"));
  EXPECT_TRUE(has(out.str(), (tmp / "caroot").string())) << out.str();
}

TEST_F(Commands, CarootIsTheContextsAbsolute) {
  vars["DEVCERT_CAROOT"] = "relative/caroot";
  auto ctx = context();
  ASSERT_EQ(cli::run_caroot(ctx), 0);
  EXPECT_EQ(out.str(), (stdfs::current_path() / "relative/caroot").string() + "\n");

  out.str("");
  vars.erase("DEVCERT_CAROOT");
  vars["XDG_DATA_HOME"] = (tmp / "data").string();
  auto xdg = context();
  ASSERT_EQ(cli::run_caroot(xdg), 0);
  EXPECT_EQ(out.str(), (tmp / "data" / "devcert").string() + "\n");
}

TEST_F(Commands, IssueWritesTheFilesItsOptionsNameAndSaysSo) {
  init();
  cli::IssueOptions opts;
  opts.names = {"localhost", "127.0.0.1", "localhost"};
  opts.cert_file = (tmp / "leaf.pem").string();
  opts.key_file = (tmp / "leaf-key.pem").string();
  auto ctx = context();
  ASSERT_EQ(cli::run_issue(opts, ctx), 0) << err.str();
  EXPECT_TRUE(has(out.str(), "issued a certificate for: localhost, 127.0.0.1\n")) << out.str();
  EXPECT_TRUE(has(out.str(), opts.cert_file)) << out.str();
  auto text = run_process({"openssl", "x509", "-in", opts.cert_file, "-noout", "-ext", "subjectAltName"});
  EXPECT_TRUE(has(text.out, "DNS:localhost, IP Address:127.0.0.1")) << text.out;
  EXPECT_EQ(run_process({"openssl", "pkey", "-in", opts.key_file, "-noout"}).exit_code, 0);
}

TEST_F(Commands, IssueTakesThePkcs12PasswordFromTheContextsEnvironment) {
  init();
  vars["DEVCERT_P12_PASSWORD"] = "from-the-context";
  cli::IssueOptions opts;
  opts.names = {"app.test"};
  opts.cert_file = (tmp / "app.pem").string();
  opts.key_file = (tmp / "app-key.pem").string();
  opts.p12_file = (tmp / "app.p12").string();
  auto ctx = context();
  ASSERT_EQ(cli::run_issue(opts, ctx), 0) << err.str();
  EXPECT_TRUE(has(out.str(), "(password from DEVCERT_P12_PASSWORD)")) << out.str();
  EXPECT_EQ(run_process({"openssl", "pkcs12", "-in", opts.p12_file, "-noout", "-passin", "pass:from-the-context"})
                .exit_code,
            0);
  EXPECT_NE(run_process({"openssl", "pkcs12", "-in", opts.p12_file, "-noout", "-passin", "pass:changeit"}).exit_code,
            0);
}

TEST_F(Commands, IssueRefusalIsADomainErrorWithTheFix) {
  init();
  cli::IssueOptions opts;
  opts.names = {"google.com", "example.com"};
  opts.cert_file = (tmp / "x.pem").string();
  auto ctx = context();
  try {
    cli::run_issue(opts, ctx);
    FAIL() << "a name outside the constraints was issued";
  } catch (const Error& e) {
    // Only the name outside the constraints is refused; example.com is permitted by default.
    EXPECT_TRUE(has(e.what(), "cannot issue for google.com:")) << e.what();
    EXPECT_FALSE(e.fix().empty());
  }
  EXPECT_FALSE(stdfs::exists(tmp / "x.pem"));
}

TEST_F(Commands, InstallStatusAndUninstallRunTheirToolsThroughTheContextsRunner) {
  if (!have_tool("certutil")) GTEST_SKIP() << "certutil is not installed (libnss3-tools)";
  init();
  // A Chromium NSS database under the context's HOME, made by certutil itself.
  stdfs::path nssdb = tmp / "home" / ".pki" / "nssdb";
  stdfs::create_directories(nssdb);
  ASSERT_EQ(run_process({"certutil", "-N", "-d", "sql:" + nssdb.string(), "--empty-password"}).exit_code, 0);

  cli::TrustOptions nss;
  nss.stores = {"nss"};
  {
    auto ctx = context();
    ASSERT_EQ(cli::run_install(nss, ctx), 0) << out.str() << err.str();
  }
  auto ran = runner.programs();
  EXPECT_NE(std::find(ran.begin(), ran.end(), "certutil"), ran.end()) << "install did not use the context's runner";
  EXPECT_TRUE(has(out.str(), "nss: installed")) << out.str();
  auto listed = run_process({"certutil", "-L", "-d", "sql:" + nssdb.string()});
  EXPECT_TRUE(has(listed.out, "devcert-")) << listed.out;

  out.str("");
  nss.json = true;
  {
    auto ctx = context();
    EXPECT_EQ(cli::run_status(nss, ctx), 0) << out.str();
  }
  auto status = nlohmann::json::parse(out.str());
  EXPECT_EQ(status["ok"], true);
  EXPECT_EQ(status["stores"][0]["name"], "nss");

  out.str("");
  nss.json = false;
  {
    auto ctx = context();
    EXPECT_EQ(cli::run_uninstall(nss, ctx), 0) << out.str() << err.str();
  }
  listed = run_process({"certutil", "-L", "-d", "sql:" + nssdb.string()});
  EXPECT_FALSE(has(listed.out, "devcert-")) << listed.out;
}

TEST_F(Commands, EnvSpeaksTheShellOfTheContextsEnvironment) {
  init();
  vars["SHELL"] = "/usr/bin/fish";
  auto ctx = context();
  ASSERT_EQ(cli::run_env({}, ctx), 0) << err.str();
  EXPECT_TRUE(has(out.str(), "set -gx NODE_EXTRA_CA_CERTS")) << out.str();

  out.str("");
  vars["SHELL"] = "/bin/bash";
  auto bash = context();
  ASSERT_EQ(cli::run_env({}, bash), 0) << err.str();
  EXPECT_TRUE(has(out.str(), "export NODE_EXTRA_CA_CERTS=")) << out.str();
}

TEST_F(Commands, MarksFollowTheContextsLocale) {
  init();
  cli::TrustOptions nss;
  nss.stores = {"nss"};
  auto status_text = [&](const char* locale) {
    vars["LC_ALL"] = locale;
    out.str("");
    auto ctx = context();
    cli::run_status(nss, ctx);
    return out.str();
  };
  std::string utf8 = status_text("C.UTF-8");
  EXPECT_TRUE(has(utf8, "✓") || has(utf8, "✗")) << utf8;
  std::string ascii = status_text("C");
  EXPECT_FALSE(has(ascii, "✓") || has(ascii, "✗")) << ascii;
  EXPECT_TRUE(has(ascii, "x nss:") || has(ascii, "+ nss:")) << ascii;
}

TEST_F(Commands, InitOverAnExistingCaChangesNothing) {
  init();
  std::string key = read_text(tmp / "caroot" / "rootCA-key.pem");
  std::string cert = read_text(tmp / "caroot" / "rootCA.pem");
  cli::InitOptions opts;
  opts.key_type = "rsa-2048";  // asks for another key: still nothing is written
  auto ctx = context();
  EXPECT_EQ(cli::run_init(opts, ctx), 0) << err.str();
  EXPECT_TRUE(has(out.str(), "already exists")) << out.str();
  EXPECT_EQ(read_text(tmp / "caroot" / "rootCA-key.pem"), key);
  EXPECT_EQ(read_text(tmp / "caroot" / "rootCA.pem"), cert);
}

TEST_F(Commands, InspectComparesALeafWithTheContextsCa) {
  init();
  cli::IssueOptions issue;
  issue.names = {"localhost"};
  issue.cert_file = (tmp / "leaf.pem").string();
  issue.key_file = (tmp / "leaf-key.pem").string();
  {
    auto ctx = context();
    ASSERT_EQ(cli::run_issue(issue, ctx), 0) << err.str();
  }
  out.str("");
  cli::InspectOptions opts{issue.cert_file, true};
  auto ctx = context();
  ASSERT_EQ(cli::run_inspect(opts, ctx), 0) << out.str() << err.str();
  auto report = nlohmann::json::parse(out.str());
  EXPECT_EQ(report["ok"], true) << out.str();
  ASSERT_TRUE(report["ca"].is_object()) << out.str();
  EXPECT_TRUE(has(report["ca"].dump(), (tmp / "caroot").string())) << out.str();
}

TEST_F(Commands, SnippetWritesTheFilesItIsGivenAbsolute) {
  cli::SnippetOptions opts;
  opts.target = "node";
  opts.cert_file = "certs/app.pem";
  opts.key_file = "certs/app-key.pem";
  auto ctx = context();
  ASSERT_EQ(cli::run_snippet(opts, ctx), 0) << err.str();
  EXPECT_TRUE(has(out.str(), (stdfs::current_path() / "certs/app.pem").string())) << out.str();
  EXPECT_TRUE(has(out.str(), (stdfs::current_path() / "certs/app-key.pem").string())) << out.str();
}

TEST_F(Commands, VerifyServerSelfTestPassesOnTheContextsFreshCa) {
  init();
  vars["DEVCERT_TRUST_STORES"] = "nss";  // the machine verdict reads only the temp HOME's NSS
  cli::VerifyServerOptions opts;
  opts.json = true;
  auto ctx = context();
  EXPECT_EQ(cli::run_verify_server(opts, ctx), 0) << out.str() << err.str();
  auto result = nlohmann::json::parse(out.str());
  EXPECT_EQ(result["mode"], "self_test");
  EXPECT_EQ(result["ok"], true) << out.str();
  EXPECT_EQ(result["root_works"]["ok"], true) << out.str();
  ASSERT_TRUE(result["walks"].is_array());
  ASSERT_FALSE(result["walks"].empty());
  // Every walk trusting only the root passes; the one trusting the system store does not
  // (this root is in no system store), and it is not required for the exit status.
  std::size_t required = 0;
  for (const auto& walk : result["walks"]) {
    if (walk["required"] != true) continue;
    ++required;
    EXPECT_EQ(walk["ok"], true) << walk.dump();
  }
  EXPECT_GE(required, 1u) << out.str();
  EXPECT_EQ(result["machine_trust"]["ok"], false) << out.str();
}

TEST_F(Commands, VerifyServerRefusesUrlOptionsWithoutAUrlBeforeStartingAnything) {
  init();
  cli::VerifyServerOptions opts;
  opts.client_cert_file = (tmp / "c.pem").string();
  auto ctx = context();
  EXPECT_THROW(cli::run_verify_server(opts, ctx), UsageError);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace devcert::test
