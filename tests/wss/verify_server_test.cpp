// `devcert verify-server` (no URL) and `devcert serve`, run as the real binary.
#include <regex>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "util/process.h"
#include "wss/fixture.h"

namespace devcert::wss::test {
namespace {

using devcert::test::run_devcert;
using devcert::test::run_process;

class VerifyServer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_devcert({"init"}, caroot()).exit_code, 0);
    stdfs::create_directory(dir / "empty");
    devcert::test::write_text(dir / "none.pem", "");
  }
  stdfs::path caroot() const { return dir / "caroot"; }
  // A system store that is empty, or holds exactly our root: the machine's real store never
  // decides a test.
  std::map<std::string, std::string> store(bool with_our_root) {
    return {{"SSL_CERT_FILE", with_our_root ? (caroot() / "rootCA.pem").string()
                                            : (dir / "none.pem").string()},
            {"SSL_CERT_DIR", (dir / "empty").string()}};
  }
  TempDir dir;
};

TEST_F(VerifyServer, PassesEveryStepAndWarnsWhenTheCaIsNotInstalled) {
  auto r = run_devcert({"verify-server"}, caroot(), {}, store(false));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line : {"localhost:", "127.0.0.1:", "::1:", "1 MiB echo", "close 1000",
                           "every required step passed", "fix: devcert install"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  EXPECT_EQ(r.out.find("✗"), std::string::npos) << r.out;
}

TEST_F(VerifyServer, RequireTrustFailsUntilTheSystemStoreHasTheRoot) {
  auto untrusted = run_devcert({"verify-server", "--require-trust"}, caroot(), {}, store(false));
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out;
  auto trusted = run_devcert({"verify-server", "--require-trust"}, caroot(), {}, store(true));
  EXPECT_EQ(trusted.exit_code, 0) << trusted.out << trusted.err;
  EXPECT_NE(trusted.out.find("trusted by the system store"), std::string::npos) << trusted.out;
}

// Each walk is the very object `verify-server URL --json` prints, with its name and whether it
// is required.
TEST_F(VerifyServer, JsonHasOneWalkPerNameShapedLikeAUrlDiagnosis) {
  auto r = run_devcert({"verify-server", "--json"}, caroot(), {}, store(false));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["ok"].get<bool>());
  ASSERT_EQ(j["setup"].size(), 3u) << j.dump(2);
  int echoes = 0, warnings = 0;
  std::vector<std::string> names;
  for (const auto& walk : j["walks"]) {
    names.push_back(walk["name"]);
    for (const char* key : {"ok", "url", "stage", "cause", "message", "fix", "clients", "stages", "peer_certificates",
                            "warnings"})
      EXPECT_TRUE(walk.contains(key)) << key << "\n" << walk.dump(2);
    for (const auto& stage : walk["stages"])
      if (stage["name"] == "1 MiB echo" && stage["status"] == "ok") ++echoes;
    if (!walk["ok"].get<bool>() && !walk["required"].get<bool>()) {
      ++warnings;
      EXPECT_EQ(walk["stage"], "trust");
      EXPECT_EQ(walk["cause"], "ca_not_installed");
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"localhost", "127.0.0.1", "::1", "system trust store"}));
  EXPECT_EQ(echoes, 3);  // localhost, 127.0.0.1, ::1
  EXPECT_EQ(warnings, 1);
}

TEST_F(VerifyServer, SelfSignedCertAndKeyFail) {
  DEVCERT_REQUIRE_TOOL(devcert::test::have_tool("openssl"), "openssl");
  // The seed article's certificate: self-signed, CN=localhost.
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                           (dir / "key.pem").string(), "-out", (dir / "cert.pem").string(),
                           "-days", "365", "-subj", "/CN=localhost"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto r = run_devcert({"verify-server", "--cert", (dir / "cert.pem").string(), "--key",
                        (dir / "key.pem").string(), "--json"},
                       caroot(), {}, store(false));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["ok"].get<bool>());
  ASSERT_FALSE(j["walks"].empty()) << j.dump(2);
  EXPECT_EQ(j["walks"][0]["stage"], "trust") << j.dump(2);
  EXPECT_EQ(j["walks"][0]["cause"], "self_signed") << j.dump(2);
}

TEST_F(VerifyServer, OwnCertificateFromTheCaPasses) {
  auto issued = run_devcert({"issue", "localhost", "127.0.0.1", "::1", "--cert-file",
                             (dir / "c.pem").string(), "--key-file", (dir / "k.pem").string()},
                            caroot());
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  auto r = run_devcert({"verify-server", "--cert", (dir / "c.pem").string(), "--key",
                        (dir / "k.pem").string()},
                       caroot(), {}, store(false));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// The self test has no server of someone else's to send an Origin to or present a client
// certificate to: such options without a URL are refused, not silently ignored; and a client
// certificate needs its key.
TEST_F(VerifyServer, UrlOptionsWithoutAUrlAndAClientCertificateWithoutItsKeyAreUsageErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--origin", "https://a.test"},
                                        {"--client-cert", "c.pem", "--client-key", "k.pem"},
                                        {"--no-echo"}}) {
    args.insert(args.begin(), "verify-server");
    auto r = run_devcert(args, caroot());
    EXPECT_EQ(r.exit_code, 2) << args[1] << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("go with a URL"), std::string::npos) << r.err;
  }
  auto half = run_devcert({"verify-server", "wss://127.0.0.1:1/", "--client-cert", "c.pem"}, caroot());
  EXPECT_EQ(half.exit_code, 2) << half.out << half.err;
  EXPECT_NE(half.err.find("--client-cert and --client-key go together"), std::string::npos) << half.err;
}

TEST(VerifyServerNoCa, SaysToRunInit) {
  TempDir dir;
  auto r = run_devcert({"verify-server"}, dir / "nothing-here");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("devcert init"), std::string::npos) << r.out << r.err;
}

TEST(Serve, EchoesAndStopsCleanlyOnSigterm) {
  TempDir dir;
  ASSERT_EQ(run_devcert({"init"}, dir / "caroot").exit_code, 0);
  BackgroundProcess serve({DEVCERT_BIN, "serve", "--port", "0"},
                          {{"DEVCERT_CAROOT", (dir / "caroot").string()}, {"NO_COLOR", "1"}});
  ASSERT_TRUE(serve.wait_for_output("Ctrl-C stops")) << serve.out() << serve.err();
  std::uint16_t port = port_after(serve.out(), "wss://localhost:");
  ASSERT_NE(port, 0) << serve.out();
  EXPECT_NE(serve.out().find("https://localhost:" + std::to_string(port) + "/"), std::string::npos);
  std::string root = devcert::test::read_text(dir / "caroot" / "rootCA.pem");
  for (const std::string& host : kLoopbackNames) expect_healthy_echo(port, root, host);
  ASSERT_TRUE(serve.wait_for_output("[::1]:")) << serve.out();  // the log line of the last one
  EXPECT_EQ(serve.stop(SIGTERM), 0) << serve.err();
  EXPECT_NE(serve.out().find("closed by the client with 1000"), std::string::npos) << serve.out();
  EXPECT_NE(serve.out().find("stopped on SIGTERM after 3 connection(s)"), std::string::npos)
      << serve.out();
}

// The usual soft limit of 1024 open files would cap the connections long before the machine
// does: serve takes the hard limit (here set by prlimit, which execs devcert in its own place).
TEST(Serve, RaisesItsOpenFileLimitToTheHardLimit) {
  if (!devcert::process::find_program("prlimit")) GTEST_SKIP() << "prlimit (util-linux) is missing";
  TempDir dir;
  ASSERT_EQ(run_devcert({"init"}, dir / "caroot").exit_code, 0);
  BackgroundProcess serve({"prlimit", "--nofile=256:4096", DEVCERT_BIN, "serve", "--port", "0"},
                          {{"DEVCERT_CAROOT", (dir / "caroot").string()}, {"NO_COLOR", "1"}});
  ASSERT_TRUE(serve.wait_for_output("Ctrl-C stops")) << serve.out() << serve.err();
  std::string limits = devcert::test::read_text("/proc/" + std::to_string(serve.pid()) + "/limits");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(limits, m, std::regex(R"(Max open files\s+(\d+)\s+(\d+))"))) << limits;
  EXPECT_EQ(m[1].str(), "4096") << limits;
  EXPECT_EQ(m[2].str(), "4096") << limits;
  EXPECT_EQ(serve.stop(SIGTERM), 0) << serve.err();
}

}  // namespace
}  // namespace devcert::wss::test
