// `devcert verify-server` (no URL) and `devcert serve`, run as the real binary.
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "trust/trust_support.h"
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
    stdfs::create_directory(dir / "home");
    devcert::test::write_text(dir / "none.pem", "");
  }
  stdfs::path caroot() const { return dir / "caroot"; }
  // A system store that is empty, or holds exactly our root, and a HOME of the test's own: the
  // machine's real store never decides a test. (The self test reads the trust stores as
  // `devcert status` does: the system anchors, NSS databases under HOME, Java's cacerts.)
  std::map<std::string, std::string> store(bool with_our_root) {
    return {{"SSL_CERT_FILE", with_our_root ? (caroot() / "rootCA.pem").string()
                                            : (dir / "none.pem").string()},
            {"SSL_CERT_DIR", (dir / "empty").string()},
            {"HOME", (dir / "home").string()}};
  }
  TempDir dir;
};

// The lines of `text` holding `needle`.
std::vector<std::string> verify_server_lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) out.push_back(line);
  return out;
}

// Every walk trusting the root passes, the CA is not installed: the summary keeps the two
// verdicts apart and never shows the second as passed.
TEST_F(VerifyServer, PassesEveryStepButSaysThisMachineDoesNotTrustTheRoot) {
  auto r = run_devcert({"verify-server"}, caroot(), {}, store(false));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line : {"localhost:", "127.0.0.1:", "::1:", "1 MiB echo", "close 1000", "fix: devcert install",
                           "summary:", "  ✓ passed  your root works: the chain, names, TLS and WebSocket work for a client "
                           "that trusts your root",
                           "  ✗ FAILED  this machine trusts it: its clients trust your root (the system store walk, "
                           "and every store devcert status checks)", "      cause: ca_not_installed",
                           "the root is not installed in: system",
                           "your root works, but this machine does not trust it yet: devcert install"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  EXPECT_EQ(r.out.find("every required step passed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("both verdicts passed"), std::string::npos) << r.out;
  // The only failure mark is the machine's verdict, and the system store row under it.
  auto failed = verify_server_lines_with(r.out, "✗");
  ASSERT_FALSE(failed.empty()) << r.out;
  for (const auto& line : failed)
    EXPECT_TRUE(line.find("FAILED  this machine trusts it") != std::string::npos || line.find(": not installed") != std::string::npos)
        << line << "\n" << r.out;
}

TEST_F(VerifyServer, RequireTrustFailsWhileAStoreLacksTheRootEvenWhenTheSystemWalkPasses) {
  auto untrusted = run_devcert({"verify-server", "--require-trust"}, caroot(), {}, store(false));
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out;
  EXPECT_NE(untrusted.out.find("the self test failed: this machine does not trust your root (--require-trust)"),
            std::string::npos) << untrusted.out;
  // SSL_CERT_FILE makes the walk trusting the system store pass, but the machine's stores (the
  // system anchors, a browser's NSS database) do not hold the root: OpenSSL clients started
  // with this variable would connect, browsers would not.
  auto walk_only = run_devcert({"verify-server", "--require-trust", "--json"}, caroot(), {}, store(true));
  EXPECT_EQ(walk_only.exit_code, 1) << walk_only.out << walk_only.err;
  auto j = nlohmann::json::parse(walk_only.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["root_works"]["ok"], true);
  EXPECT_EQ(j["machine_trust"]["ok"], false) << j.dump(2);
  EXPECT_EQ(j["machine_trust"]["required"], true);
  EXPECT_EQ(j["machine_trust"]["fix"], "devcert install");
  EXPECT_EQ(j["stage"], "trust");
  EXPECT_EQ(j["cause"], "ca_not_installed");
  EXPECT_EQ(j["fix"], "devcert install");
  EXPECT_EQ(j["walks"].back()["name"], "system trust store");
  EXPECT_EQ(j["walks"].back()["ok"], true) << j.dump(2);
  EXPECT_NE(j["walks"].back()["stages"][5]["detail"].get<std::string>().find("trusted by the system store"),
            std::string::npos) << j.dump(2);
}

// The verdict passes only where every store holds the root: checked on a private copy of the
// system store (a mount namespace, tests/trust/in_private_system_store.sh) and the NSS database
// of a Firefox profile under a temporary HOME. Java's cacerts is left out by
// DEVCERT_TRUST_STORES, which the verdict honours as `devcert status` does.
TEST_F(VerifyServer, MachineTrustPassesOnceTheSystemStoreAndTheBrowsersHoldTheRoot) {
  if (!devcert::test::have_tool("certutil")) GTEST_SKIP() << "certutil is not installed (libnss3-tools)";
  stdfs::rename(caroot(), dir / "ca");  // where in_private_system_store puts DEVCERT_CAROOT
  stdfs::path profile = dir / "home/.mozilla/firefox/t1.default-release";
  stdfs::create_directories(profile);
  devcert::test::write_text(dir / "home/.mozilla/firefox/profiles.ini",
                            "[Profile0]\nName=default\nIsRelative=1\nPath=t1.default-release\n");
  ASSERT_EQ(run_process({"certutil", "-N", "-d", "sql:" + profile.string(), "--empty-password"}).exit_code, 0);
  auto r = devcert::test::in_private_system_store(dir, R"SH(
set -u
export DEVCERT_TRUST_STORES=system,nss
unset SSL_CERT_FILE SSL_CERT_DIR
"$DEVCERT_BIN" verify-server --require-trust >before.txt; echo "before=$?"
"$DEVCERT_BIN" install --store system >/dev/null; echo "install-system=$?"
"$DEVCERT_BIN" verify-server --require-trust --json >system-only.json; echo "system-only=$?"
"$DEVCERT_BIN" install --store nss >/dev/null; echo "install-nss=$?"
"$DEVCERT_BIN" verify-server --require-trust >after.txt; echo "after=$?"
"$DEVCERT_BIN" verify-server --require-trust --json >after.json; echo "after-json=$?"
)SH");
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  SCOPED_TRACE(r.out + r.err);
  EXPECT_NE(r.out.find("before=1"), std::string::npos);
  EXPECT_NE(r.out.find("install-system=0"), std::string::npos);
  EXPECT_NE(r.out.find("system-only=1"), std::string::npos);
  EXPECT_NE(r.out.find("install-nss=0"), std::string::npos);
  EXPECT_NE(r.out.find("after=0"), std::string::npos);
  EXPECT_NE(r.out.find("after-json=0"), std::string::npos);
  // The system store alone: the walk passes, the browsers' database still lacks the root.
  auto system_only = nlohmann::json::parse(devcert::test::read_text(dir / "system-only.json"));
  EXPECT_EQ(system_only["walks"].back()["ok"], true) << system_only.dump(2);
  EXPECT_EQ(system_only["machine_trust"]["ok"], false) << system_only.dump(2);
  EXPECT_NE(system_only["machine_trust"]["message"].get<std::string>().find("not installed in: nss"), std::string::npos)
      << system_only.dump(2);
  std::string after = devcert::test::read_text(dir / "after.txt");
  EXPECT_NE(after.find("  ✓ passed  this machine trusts it"), std::string::npos) << after;
  EXPECT_NE(after.find("both verdicts passed: your root works and this machine trusts it"), std::string::npos) << after;
  EXPECT_EQ(after.find("✗"), std::string::npos) << after;
  auto j = nlohmann::json::parse(devcert::test::read_text(dir / "after.json"));
  EXPECT_EQ(j["ok"], true) << j.dump(2);
  EXPECT_EQ(j["machine_trust"]["ok"], true) << j.dump(2);
  EXPECT_EQ(j["machine_trust"]["fix"], nullptr);
  ASSERT_EQ(j["machine_trust"]["stores"].size(), 2u) << j.dump(2);
  for (const auto& s : j["machine_trust"]["stores"]) EXPECT_EQ(s["installed"], true) << s.dump();
}

// Each walk is the very object `verify-server URL --json` prints, with its name and whether it
// is required; the top level holds the two verdicts.
TEST_F(VerifyServer, JsonHasOneWalkPerNameShapedLikeAUrlDiagnosis) {
  auto r = run_devcert({"verify-server", "--json"}, caroot(), {}, store(false));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["mode"], "self_test");
  EXPECT_EQ(j["stage"], "done");
  EXPECT_EQ(j["cause"], "ok");
  EXPECT_EQ(j["fix"], nullptr);
  EXPECT_TRUE(j["problems"].empty());
  EXPECT_EQ(j["root_works"]["ok"], true) << j.dump(2);
  EXPECT_EQ(j["machine_trust"]["ok"], false) << j.dump(2);
  EXPECT_EQ(j["machine_trust"]["required"], false);
  EXPECT_EQ(j["machine_trust"]["cause"], "ca_not_installed");
  EXPECT_EQ(j["machine_trust"]["fix"], "devcert install");
  ASSERT_EQ(j["setup"].size(), 3u) << j.dump(2);
  int echoes = 0, warnings = 0;
  std::vector<std::string> names;
  for (const auto& walk : j["walks"]) {
    names.push_back(walk["name"]);
    for (const char* key : {"ok", "url", "stage", "cause", "message", "fix", "clients", "problems", "stages",
                            "peer_certificates", "warnings", "name", "required"})
      EXPECT_TRUE(walk.contains(key)) << key << "\n" << walk.dump(2);
    for (const auto& stage : walk["stages"])
      if (stage["name"] == "1 MiB echo" && stage["status"] == "ok") ++echoes;
    if (!walk["ok"].get<bool>() && !walk["required"].get<bool>()) {
      ++warnings;
      EXPECT_EQ(walk["stage"], "trust");
      EXPECT_EQ(walk["cause"], "ca_not_installed");
      ASSERT_EQ(walk["problems"].size(), 1u) << walk.dump(2);
      EXPECT_EQ(walk["problems"][0]["cause"], "ca_not_installed");
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"localhost", "127.0.0.1", "::1", "system trust store"}));
  EXPECT_EQ(echoes, 3);  // localhost, 127.0.0.1, ::1
  EXPECT_EQ(warnings, 1);
}

// --quiet drops the checklist, never the failure: a failed verdict's cause and fix stay.
TEST_F(VerifyServer, QuietStillSaysWhatFailedAndTheFix) {
  auto passed = run_devcert({"-q", "verify-server"}, caroot(), {}, store(false));
  EXPECT_EQ(passed.exit_code, 0) << passed.out << passed.err;
  EXPECT_NE(passed.out.find("✗ FAILED  this machine trusts it"), std::string::npos) << passed.out;
  EXPECT_NE(passed.out.find("cause: ca_not_installed"), std::string::npos) << passed.out;
  EXPECT_NE(passed.out.find("fix: devcert install"), std::string::npos) << passed.out;
  EXPECT_EQ(passed.out.find("✓"), std::string::npos) << passed.out;
  EXPECT_EQ(passed.out.find("1 MiB echo"), std::string::npos) << passed.out;

  DEVCERT_REQUIRE_TOOL(devcert::test::have_tool("openssl"), "openssl");
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string(), "-days", "30",
                           "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto failed = run_devcert({"-q", "verify-server", "--cert", (dir / "cert.pem").string(), "--key",
                             (dir / "key.pem").string()},
                            caroot(), {}, store(false));
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("✗ FAILED  your root works"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("cause: self_signed"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("fix: replace it with one from your devcert CA: devcert install && devcert issue localhost"),
            std::string::npos) << failed.out;
  EXPECT_EQ(failed.out.find("✓"), std::string::npos) << failed.out;
}

// Certificates the user issued, in this directory or the project file, are listed with the
// command that proves them; and that command does.
TEST_F(VerifyServer, NamesTheCommandThatProvesTheCertificatesFoundHere) {
  stdfs::path project = dir / "project";
  stdfs::create_directories(project);
  devcert::test::write_text(project / "devcert.toml",
                            "[[cert]]\nnames = [\"app.test\"]\ncert = \"certs/app.pem\"\nkey = \"certs/app-key.pem\"\n");
  auto env = store(false);
  ASSERT_EQ(run_devcert({"issue"}, caroot(), project, env).exit_code, 0);
  ASSERT_EQ(run_devcert({"issue", "localhost", "127.0.0.1", "::1"}, caroot(), project, env).exit_code, 0);
  devcert::test::write_text(project / "notes.pem", "not a certificate");
  auto r = run_devcert({"verify-server"}, caroot(), project, env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("devcert verify-server --cert certs/app.pem --key certs/app-key.pem"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("devcert verify-server --cert localhost+2.pem --key localhost+2-key.pem"), std::string::npos)
      << r.out;
  auto j = nlohmann::json::parse(run_devcert({"verify-server", "--json"}, caroot(), project, env).out);
  ASSERT_EQ(j["issued"].size(), 2u) << j.dump(2);
  // The listed command proves the file: it passes for the loopback leaf.
  auto proof = run_devcert({"verify-server", "--cert", "localhost+2.pem", "--key", "localhost+2-key.pem", "--json"},
                           caroot(), project, env);
  EXPECT_EQ(proof.exit_code, 0) << proof.out << proof.err;
  EXPECT_EQ(nlohmann::json::parse(proof.out)["issued"], nullptr);  // it is proving the files named
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
  EXPECT_EQ(j["stage"], "trust") << j.dump(2);
  EXPECT_EQ(j["cause"], "self_signed") << j.dump(2);
  EXPECT_EQ(j["root_works"]["ok"], false) << j.dump(2);
  EXPECT_EQ(j["root_works"]["cause"], "self_signed") << j.dump(2);
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

// A client certificate that cannot be presented is refused before any network step: over ws://
// (no TLS), or with a key that is not its own (here port 1, where a walk would fail at tcp).
TEST_F(VerifyServer, AClientCertificateThatCannotBePresentedIsRefusedBeforeConnecting) {
  TempDir dir;
  for (const char* name : {"client.test", "other.test"}) {
    auto issued = run_devcert({"issue", "--client", name, "--cert-file", (dir / (std::string(name) + ".pem")).string(),
                               "--key-file", (dir / (std::string(name) + "-key.pem")).string()},
                              caroot());
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
  }
  std::string cert = (dir / "client.test.pem").string();
  auto plain = run_devcert({"verify-server", "ws://127.0.0.1:1/", "--client-cert", cert, "--client-key",
                            (dir / "client.test-key.pem").string()},
                           caroot());
  EXPECT_EQ(plain.exit_code, 2) << plain.out << plain.err;
  EXPECT_NE(plain.err.find("has no TLS to present it in"), std::string::npos) << plain.err;
  auto mismatched = run_devcert({"verify-server", "wss://127.0.0.1:1/", "--client-cert", cert, "--client-key",
                                 (dir / "other.test-key.pem").string()},
                                caroot());
  EXPECT_EQ(mismatched.exit_code, 2) << mismatched.out << mismatched.err;
  EXPECT_NE(mismatched.err.find("--client-key is not the key of --client-cert"), std::string::npos) << mismatched.err;
  EXPECT_EQ(mismatched.out.find("tcp"), std::string::npos) << mismatched.out;
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
