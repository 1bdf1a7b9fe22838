#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

class InitCommand : public CliTest {};

TEST_F(InitCommand, CreatesCaWithTightModesWhateverTheUmask) {
  ScopedUmask open_umask(0);
  auto r = devcert({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("created a new devcert CA in " + caroot.string()), std::string::npos) << r.out;
  EXPECT_EQ(mode_of(caroot), 0700u);
  EXPECT_EQ(mode_of(caroot / "rootCA-key.pem"), 0600u);
  EXPECT_EQ(mode_of(caroot / "rootCA.pem"), 0644u);
  EXPECT_NE(r.err.find("devcert install"), std::string::npos) << "should say the CA is not trusted yet";
  // No temporary files are left behind.
  for (const auto& e : stdfs::directory_iterator(caroot))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(InitCommand, IsIdempotentAndNeverTouchesAnExistingCa) {
  init_ca();
  auto before = snapshot(caroot);
  auto mtime = stdfs::last_write_time(caroot / "rootCA-key.pem");
  auto r = devcert({"init", "--key-type", "rsa-2048", "--unconstrained"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already exists"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fingerprint (SHA-256): "), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("--unconstrained applies only when a CA is created"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(caroot), before);
  EXPECT_EQ(stdfs::last_write_time(caroot / "rootCA-key.pem"), mtime);
}

TEST_F(InitCommand, PrintsTheSameFingerprintAsOpenssl) {
  init_ca();
  auto r = devcert({"init"});
  auto fp = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-fingerprint",
                         "-sha256"});
  ASSERT_EQ(fp.exit_code, 0);
  std::string hex = fp.out.substr(fp.out.find('=') + 1);
  hex.erase(hex.find_last_not_of("\n") + 1);
  EXPECT_NE(r.out.find(hex), std::string::npos) << r.out << " vs " << hex;
}

TEST_F(InitCommand, KeyTypeIsHonoured) {
  auto r = devcert({"init", "--key-type", "ecdsa-p384"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-text"});
  EXPECT_NE(text.out.find("NIST CURVE: P-384"), std::string::npos);
  EXPECT_NE(text.out.find("ecdsa-with-SHA384"), std::string::npos);
}

TEST_F(InitCommand, BadKeyTypeIsAUsageErrorAndWritesNothing) {
  auto r = devcert({"init", "--key-type", "dsa"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(stdfs::exists(caroot / "rootCA.pem"));
}

TEST_F(InitCommand, UnconstrainedWarns) {
  auto r = devcert({"init", "--unconstrained"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: --unconstrained"), std::string::npos) << r.err;
  auto text = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-text"});
  EXPECT_EQ(text.out.find("Name Constraints"), std::string::npos);
}

TEST_F(InitCommand, PermitIsWrittenIntoTheRoot) {
  auto r = devcert({"init", "--permit", "corp.example", "--permit", "100.64.0.0/10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-text"});
  EXPECT_NE(text.out.find("DNS:corp.example"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("IP:100.64.0.0/255.192.0.0"), std::string::npos) << text.out;
  auto bad = devcert({"init", "--permit", "10.0.0.0/40"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad prefix length"), std::string::npos) << bad.err;
}

// Permits that reach public names or addresses warn as --unconstrained does, one warning each,
// and the summary lists exactly what the root may sign.
TEST_F(InitCommand, PublicPermitsWarnLoudlyAndTheSummarySaysWhatTheRootMaySign) {
  auto r = devcert({"init", "--permit", "com", "--permit", "co.uk", "--permit", "github.io", "--permit",
                    "0.0.0.0/0", "--permit", "::/0", "--permit", "8.8.0.0/16", "--permit", "corp.example",
                    "--permit", "10.9.0.0/16", "--permit", "google.com", "--permit", "amazonaws.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* reach : {"com (a top-level domain)", "co.uk (a public suffix)", "github.io (a public suffix)",
                            "google.com (a public name)", "amazonaws.com (a public name)",
                            "0.0.0.0/0 (public addresses)", "::/0 (public addresses)",
                            "8.8.0.0/16 (public addresses)"})
    EXPECT_NE(r.err.find(std::string("warning: --permit ") + reach +
                         ": this root can vouch for public sites there. Anyone who copies its key"),
              std::string::npos)
        << reach << "\n" << r.err;
  EXPECT_EQ(r.err.find("corp.example"), std::string::npos) << "a private permit is not a warning:\n" << r.err;
  EXPECT_EQ(r.err.find("10.9.0.0/16"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("  may sign:    localhost test example invalid local internal home.arpa example.com example.net "
                       "example.org com co.uk "
                       "github.io corp.example google.com amazonaws.com (and their subdomains)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("               IP 127.0.0.0/8 ::1/128 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 "
                       "169.254.0.0/16 fc00::/7 fe80::/10 0.0.0.0/0 ::/0 8.8.0.0/16 10.9.0.0/16\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("private/loopback"), std::string::npos) << r.out;
  // The summary is what the certificate says.
  auto text = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-text"});
  for (const char* nc : {"DNS:com", "DNS:co.uk", "DNS:github.io", "IP:0.0.0.0/0.0.0.0", "IP:8.8.0.0/255.255.0.0"})
    EXPECT_NE(text.out.find(nc), std::string::npos) << nc << "\n" << text.out;
}

TEST_F(InitCommand, DefaultRootSaysWhatItMaySignWithoutWarnings) {
  auto r = devcert({"init", "--permit", "corp.example", "--permit", "100.64.0.0/10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("example.org corp.example (and their subdomains)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fe80::/10 100.64.0.0/10\n"), std::string::npos) << r.out;
}

// A cloned repository's devcert.toml is someone else's choice: its wide permit is as loud, and
// says where it came from.
TEST_F(InitCommand, PublicPermitFromAProjectFileWarnsNamingTheFile) {
  write_text(work / "devcert.toml", "[ca]\npermit = [\"github.io\", \"8.8.8.8\"]\n");
  auto r = devcert({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string source = "warning: " + (work / "devcert.toml").string() + " [ca] permit ";
  EXPECT_NE(r.err.find(source + "github.io (a public suffix)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(source + "8.8.8.8/32 (public addresses)"), std::string::npos) << r.err;
}

TEST_F(InitCommand, UnconstrainedSummarySaysAnyName) {
  auto r = devcert({"init", "--unconstrained"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  may sign:    any name (unconstrained)"), std::string::npos) << r.out;
}

// Only the key made it to disk (an init killed between its two renames): a new init moves it
// aside (never deletes a key) and makes a complete CA.
TEST_F(InitCommand, OrphanKeyIsMovedAsideNotOverwritten) {
  stdfs::create_directories(caroot);
  write_text(caroot / "rootCA-key.pem", "orphan key bytes");
  stdfs::permissions(caroot / "rootCA-key.pem", stdfs::perms::owner_read | stdfs::perms::owner_write);
  auto r = devcert({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("moved it to"), std::string::npos) << r.err;
  bool kept = false;
  for (const auto& e : stdfs::directory_iterator(caroot))
    if (e.path().filename().string().starts_with("rootCA-key.pem.orphan-"))
      kept = read_text(e.path()) == "orphan key bytes";
  EXPECT_TRUE(kept);
  auto check = run_process({"openssl", "verify", "-CAfile", (caroot / "rootCA.pem").string(),
                            (caroot / "rootCA.pem").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(InitCommand, CarootThatIsAFileIsAClearError) {
  write_text(caroot, "not a directory");
  auto r = devcert({"init"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(caroot.string() + " exists but is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(caroot), "not a directory");
}

// 16 inits racing on an empty CAROOT (issue 7): one creates, the others wait for its lock and
// report the very same CA.
TEST_F(InitCommand, ConcurrentInitsCreateExactlyOneCa) {
  constexpr int kRuns = 16;
  std::vector<std::thread> threads;
  std::vector<ProcessResult> results(kRuns);
  for (int i = 0; i < kRuns; ++i)
    threads.emplace_back([&, i] { results[i] = devcert({"init"}); });
  for (auto& t : threads) t.join();
  int created = 0;
  std::set<std::string> fingerprints;
  const std::string label = "fingerprint (SHA-256): ";
  for (const auto& r : results) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.out.find("created a new devcert CA") != std::string::npos) ++created;
    auto at = r.out.find(label);
    ASSERT_NE(at, std::string::npos) << r.out;
    fingerprints.insert(r.out.substr(at + label.size(), r.out.find('\n', at) - at - label.size()));
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(fingerprints.size(), 1u) << "the inits reported different CAs";
  auto fp = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-fingerprint",
                         "-sha256"});
  EXPECT_NE(fp.out.find(*fingerprints.begin()), std::string::npos) << fp.out;
  std::set<std::string> names;
  for (const auto& e : stdfs::directory_iterator(caroot)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{".lock", "rootCA-key.pem", "rootCA.pem"}));
  auto check = run_process({"openssl", "verify", "-CAfile", (caroot / "rootCA.pem").string(),
                            (caroot / "rootCA.pem").string()});
  EXPECT_EQ(check.exit_code, 0);
  auto match = run_process({"openssl", "x509", "-in", (caroot / "rootCA.pem").string(), "-noout", "-pubkey"});
  auto key_pub = run_process({"openssl", "pkey", "-in", (caroot / "rootCA-key.pem").string(), "-pubout"});
  EXPECT_EQ(match.out, key_pub.out) << "the CA key does not match its certificate";
}

TEST(CarootCommand, ResolvesEnvironmentInOrder) {
  TempDir tmp;
  auto run = [&](std::map<std::string, std::string> env) {
    auto r = run_process({DEVCERT_BIN, "caroot"}, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  std::string unset = "\x01unset";
  EXPECT_EQ(run({{"DEVCERT_CAROOT", "/x/ca"}, {"XDG_DATA_HOME", "/y"}}), "/x/ca\n");
  EXPECT_EQ(run({{"DEVCERT_CAROOT", unset}, {"XDG_DATA_HOME", "/y"}}), "/y/devcert\n");
  EXPECT_EQ(run({{"DEVCERT_CAROOT", unset}, {"XDG_DATA_HOME", unset}, {"HOME", "/home/u"}}),
            "/home/u/.local/share/devcert\n");
}

// Past 256 permitted names and ranges a root would grow toward what no client (nor devcert) reads.
TEST_F(InitCommand, TooManyPermitsAreAUsageErrorAndNoCa) {
  std::vector<std::string> args{"init"};
  for (int i = 0; i < 239; ++i) args.insert(args.end(), {"--permit", "h" + std::to_string(i) + ".test"});
  auto r = devcert(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--permit h238.test: a root permits at most 256"), std::string::npos) << r.err;
  EXPECT_FALSE(stdfs::exists(caroot / "rootCA.pem"));
  args.resize(1 + 2 * 238);
  EXPECT_EQ(devcert(args).exit_code, 0);
}

}  // namespace
}  // namespace devcert::test
