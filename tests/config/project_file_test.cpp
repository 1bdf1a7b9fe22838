// devcert.toml end to end: the real binary finds it, issues every certificate it lists, lets
// flags override it, refuses a bad file without writing anything, and reports in JSON.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "pki/inspect.h"
#include "pki/keys.h"
#include "templates/templates.h"

namespace devcert::test {
namespace {

// HOME is the temporary directory, and the project is a repository below it: discovery never
// walks into the machine's directories.
class ProjectFile : public CliTest {
 protected:
  stdfs::path home = tmp.path();
  stdfs::path project = tmp / "project";
  void SetUp() override {
    CliTest::SetUp();
    stdfs::create_directories(project / ".git");
    init_ca();
  }
  ProcessResult in(const stdfs::path& cwd, const std::vector<std::string>& args) {
    return run_devcert(args, caroot, cwd, {{"HOME", home.string()}});
  }
  std::string openssl_text(const stdfs::path& cert) {
    return run_process({"openssl", "x509", "-in", cert.string(), "-noout", "-text"}).out;
  }
  bool verifies(const stdfs::path& cert, const std::string& host) {
    return run_process({"openssl", "verify", "-CAfile", (caroot / "rootCA.pem").string(), "-verify_hostname",
                        host, cert.string()})
               .exit_code == 0;
  }
};

const char* kTwoCerts = R"(
[[cert]]
names = ["localhost", "127.0.0.1"]

[[cert]]
names = ["app.test", "*.app.test"]
cert = "certs/app.pem"
key = "certs/app-key.pem"
p12 = "certs/app.p12"
)";

TEST_F(ProjectFile, IssueWithoutArgumentsIssuesEveryCertificateRelativeToTheFile) {
  write_text(project / "devcert.toml", kTwoCerts);
  stdfs::create_directories(project / "src" / "deep");
  auto r = in(project / "src" / "deep", {"issue"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("issuing the certificates listed in " + (project / "devcert.toml").string()),
            std::string::npos) << r.err;
  EXPECT_TRUE(verifies(project / "localhost+1.pem", "localhost"));
  EXPECT_TRUE(stdfs::exists(project / "localhost+1-key.pem"));
  EXPECT_TRUE(verifies(project / "certs" / "app.pem", "web.app.test"));
  EXPECT_EQ(mode_of(project / "certs" / "app-key.pem"), 0600u);
  EXPECT_EQ(mode_of(project / "certs" / "app.p12"), 0600u);
  EXPECT_TRUE(stdfs::is_empty(project / "src" / "deep")) << "nothing lands in the current directory";
}

// As `devcert issue app.test app.test` names them (tests/cli/issue_test.cpp): duplicates are
// dropped before the default file name counts the names.
TEST_F(ProjectFile, DuplicateNamesDoNotCountInTheDefaultFileName) {
  write_text(project / "devcert.toml", "[[cert]]\nnames = [\"app.test\", \"app.test\"]\n");
  auto r = in(project, {"issue"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(verifies(project / "app.test.pem", "app.test"));
  EXPECT_TRUE(stdfs::exists(project / "app.test-key.pem"));
  EXPECT_FALSE(stdfs::exists(project / "app.test+1.pem"));
}

// --days over a project file's entry is the flag's error, with the flag's exit code.
TEST_F(ProjectFile, DaysFlagOutOfRangeNamesTheFlag) {
  write_text(project / "devcert.toml", "[[cert]]\nnames = [\"localhost\"]\n");
  auto before = snapshot(project);
  auto r = in(project, {"issue", "--days", "826"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--days must be between 1 and 825 (Apple rejects longer TLS certificates)"),
            std::string::npos) << r.err;
  EXPECT_EQ(snapshot(project), before);
}

TEST_F(ProjectFile, ConfigOptionNamesTheFileFromAnywhere) {
  write_text(project / "team.toml", "[[cert]]\nnames = [\"api.test\"]\ncert = \"api.pem\"\nkey = \"api-key.pem\"\n");
  auto r = in(work, {"issue", "--config", (project / "team.toml").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(verifies(project / "api.pem", "api.test"));
  // Relative to the current directory, and resolved against the file's own directory.
  stdfs::remove(project / "api.pem");
  r = in(project / ".git", {"issue", "--config", "../team.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(stdfs::exists(project / "api.pem"));
  auto missing = in(work, {"issue", "--config", "nope.toml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--config nope.toml: no such file"), std::string::npos) << missing.err;
  auto both = in(work, {"issue", "localhost", "--config", (project / "team.toml").string()});
  EXPECT_EQ(both.exit_code, 2);
}

TEST_F(ProjectFile, DiscoveryStopsAtTheRepositoryRootAndAtHome) {
  // A file above the repository root is not this project's.
  write_text(tmp / "devcert.toml", "[[cert]]\nnames = [\"localhost\"]\n");
  auto r = in(project, {"issue"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no names given, and no devcert.toml"), std::string::npos) << r.err;
  // Without .git the search goes up, but not above $HOME.
  stdfs::path home_dir = tmp / "home";
  stdfs::create_directories(home_dir / "plain");
  r = run_devcert({"issue"}, caroot, home_dir / "plain", {{"HOME", home_dir.string()}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(stdfs::is_empty(home_dir / "plain"));
  // Found in $HOME itself.
  write_text(home_dir / "devcert.toml", "[[cert]]\nnames = [\"home.test\"]\n");
  r = run_devcert({"issue"}, caroot, home_dir / "plain", {{"HOME", home_dir.string()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(stdfs::exists(home_dir / "home.test.pem"));
}

// As git's safe.directory: a project file another user owns, or may change, is never used.
TEST_F(ProjectFile, AFileAnotherUserOwnsOrCanChangeIsRefused) {
  stdfs::path file = project / "devcert.toml";
  write_text(file, "[[cert]]\nnames = [\"localhost\"]\n");
  stdfs::create_directories(project / "sub");
  ASSERT_EQ(::chown(file.c_str(), 4242, 4242), 0) << "tests run as root";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"issue"}, {"issue", "--config", file.string()}, {"init"}}) {
    auto r = in(project / "sub", args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << r.err;
    EXPECT_NE(r.err.find(file.string() + " is owned by uid 4242, not by you"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--config"), std::string::npos) << r.err;
  }
  ASSERT_EQ(::chown(file.c_str(), ::geteuid(), ::getegid()), 0);
  stdfs::permissions(file, stdfs::perms(0666));
  auto r = in(project / "sub", {"issue"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(file.string() + " is writable by others"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod go-w " + file.string()), std::string::npos) << r.err;
  EXPECT_TRUE(stdfs::is_empty(project / "sub"));
  EXPECT_FALSE(stdfs::exists(project / "localhost.pem"));
  stdfs::permissions(file, stdfs::perms(0644));
  EXPECT_EQ(in(project / "sub", {"issue"}).exit_code, 0);
}

// A project file's strings reach the terminal escaped: paths in the report, keys and values in errors.
TEST_F(ProjectFile, ControlCharactersFromTheFileNeverReachTheTerminalRaw) {
  auto raw = [](const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return (c >= 0 && c < 0x20 && c != '\n') || c == 0x7f; }) ||
           s.find("\xc2\x9b") != std::string::npos;
  };
  write_text(project / "devcert.toml",
             "[[cert]]\nnames = [\"localhost\"]\ncert = \"c\\u001b]0;PWNED\\u0007\\u001b[2J.pem\"\n"
             "key = \"k\\u009b31m.pem\"\n");
  for (const auto& args : std::vector<std::vector<std::string>>{{"issue"}, {"issue", "--json"}}) {
    auto r = in(project, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(raw(r.out)) << r.out;
    EXPECT_FALSE(raw(r.err)) << r.err;
  }
  for (const char* body : {"\"\\u001b]0;X\\u0007\" = 1\n", "[[cert]]\nnames = [\"a.test\"]\nkey_type = \"\\u001b[2J\"\n",
                           "[ca]\npermit = [\"\\u001b[2J\"]\n"}) {
    write_text(project / "devcert.toml", body);
    auto r = in(project, {"issue"});
    EXPECT_NE(r.exit_code, 0) << body;
    EXPECT_NE(r.err.find(":"), std::string::npos) << r.err;
    EXPECT_FALSE(raw(r.err)) << r.err;
    r = in(project, {"init"});
    EXPECT_FALSE(raw(r.err)) << r.err;
  }
}

TEST_F(ProjectFile, NamesOnTheCommandLineIgnoreTheFile) {
  write_text(project / "devcert.toml", "this is not toml");
  auto r = in(project, {"issue", "one.test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(stdfs::exists(project / "one.test.pem"));
}

TEST_F(ProjectFile, FlagsOverrideTheFile) {
  write_text(project / "devcert.toml", "[[cert]]\nnames = [\"localhost\"]\nkey_type = \"rsa-2048\"\ndays = 30\n"
                                       "cert = \"l.pem\"\nkey = \"l-key.pem\"\n");
  ASSERT_EQ(in(project, {"issue"}).exit_code, 0);
  std::string text = openssl_text(project / "l.pem");
  EXPECT_NE(text.find("Public-Key: (2048 bit)"), std::string::npos) << text;
  EXPECT_EQ(run_process({"openssl", "x509", "-in", (project / "l.pem").string(), "-noout", "-checkend",
                         std::to_string(31 * 86400)}).exit_code, 1) << "the file's 30 days";

  auto r = in(project, {"issue", "--key-type", "ecdsa-p384", "--days", "100", "--client", "--cert-file",
                        "o.pem", "--key-file", "o-key.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  text = openssl_text(project / "o.pem");
  EXPECT_NE(text.find("NIST CURVE: P-384"), std::string::npos) << text;
  EXPECT_NE(text.find("TLS Web Client Authentication"), std::string::npos) << text;
  EXPECT_EQ(run_process({"openssl", "x509", "-in", (project / "o.pem").string(), "-noout", "-checkend",
                         std::to_string(90 * 86400)}).exit_code, 0) << "--days 100 wins over the file's 30";

  // One certificate's paths cannot apply to several.
  write_text(project / "devcert.toml", kTwoCerts);
  auto many = in(project, {"issue", "--cert-file", "x.pem"});
  EXPECT_EQ(many.exit_code, 2);
  EXPECT_NE(many.err.find("lists 2"), std::string::npos) << many.err;
}

TEST_F(ProjectFile, NoClientOverridesTheFilesClientTrue) {
  write_text(project / "devcert.toml", "[[cert]]\nnames = [\"localhost\"]\nclient = true\n"
                                       "cert = \"l.pem\"\nkey = \"l-key.pem\"\n");
  ASSERT_EQ(in(project, {"issue"}).exit_code, 0);
  EXPECT_NE(openssl_text(project / "l.pem").find("TLS Web Client Authentication"), std::string::npos);
  auto r = in(project, {"issue", "--no-client"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string text = openssl_text(project / "l.pem");
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
  EXPECT_EQ(text.find("TLS Web Client Authentication"), std::string::npos) << text;
  EXPECT_EQ(in(project, {"issue", "--client", "--no-client"}).exit_code, 2);
}

TEST_F(ProjectFile, InitReadsCaSectionAndFlagsOverrideIt) {
  write_text(project / "devcert.toml", "[ca]\nkey_type = \"ecdsa-p384\"\ndays = 400\npermit = [\"corp.example\"]\n"
                                       "[[cert]]\nnames = [\"dev.corp.example\"]\n");
  TempDir other;
  auto r = run_devcert({"init"}, other / "ca", project, {{"HOME", home.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("with the [ca] settings of " + (project / "devcert.toml").string()), std::string::npos)
      << r.err;
  std::string text = openssl_text(other / "ca" / "rootCA.pem");
  EXPECT_NE(text.find("NIST CURVE: P-384"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:corp.example"), std::string::npos) << text;
  EXPECT_EQ(run_process({"openssl", "x509", "-in", (other / "ca" / "rootCA.pem").string(), "-noout", "-checkend",
                         std::to_string(401 * 86400)}).exit_code, 1) << "the file's 400 days";
  auto issued = run_devcert({"issue"}, other / "ca", project, {{"HOME", home.string()}});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_TRUE(stdfs::exists(project / "dev.corp.example.pem"));

  TempDir flagged;
  r = run_devcert({"init", "--key-type", "rsa-2048", "--permit", "lab.example"}, flagged / "ca", project,
                  {{"HOME", home.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  text = openssl_text(flagged / "ca" / "rootCA.pem");
  EXPECT_NE(text.find("Public-Key: (2048 bit)"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:lab.example"), std::string::npos) << text;
  EXPECT_EQ(text.find("DNS:corp.example"), std::string::npos) << "--permit replaces the file's list";
}

TEST_F(ProjectFile, ABadEntryIsAnErrorAtItsLineAndNothingIsWritten) {
  struct Case {
    std::string text, message;
  } cases[] = {
      {"[[cert]]\nnames = [\"localhost\"]\n[[cert]]\nnames = [\"a.test\"]\nkeytype = \"rsa-2048\"\n",
       ":5:1: unknown key 'keytype' in [[cert]]"},
      {"[[cert]]\nnames = [\"localhost\"]\n[[cert]]\nnames = [\"a.test\"]\ndays = \"30\"\n",
       ":5:8: days must be an integer, not a string"},
      {"[[cert]]\nnames = [\"localhost\"]\nkey_type = \"ed25519\"\n", ":3:12: unknown key type 'ed25519'"},
      {"[[cert]]\nnames = [\"localhost\"]\n[[cert]]\nnames = [\"https://app.test/\"]\n",
       ":4:10: invalid name 'https://app.test/'"},
      {"[[cert]]\nnames = [\"localhost\"]\ndays = 826\n", ":3:8: days must be between 1 and 825"},
      {"[[cert]]\nnames = [\"localhost\"]\np12 = \"localhost-key.pem\"\n",
       ":3:7: p12 " + (project / "localhost-key.pem").string() + ": is also named by " +
           (project / "devcert.toml").string() + ":1:1: key"},
      // Valid syntax, but outside the CA's constraints: known only once the CA is loaded.
      {"[[cert]]\nnames = [\"localhost\"]\n\n[[cert]]\nnames = [\"google.com\"]\n",
       ":4:1: cannot issue for google.com"},
  };
  for (const auto& c : cases) {
    write_text(project / "devcert.toml", c.text);
    auto before = snapshot(project);
    auto r = in(project, {"issue"});
    EXPECT_EQ(r.exit_code, 1) << c.text;
    EXPECT_NE(r.err.find("error: " + (project / "devcert.toml").string() + c.message), std::string::npos)
        << c.text << "\n" << r.err;
    EXPECT_EQ(snapshot(project), before) << "nothing written for:\n" << c.text;
  }
}

TEST_F(ProjectFile, AFileWithoutCertificatesSaysSo) {
  write_text(project / "devcert.toml", "[ca]\n");
  auto r = in(project, {"issue"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("lists no certificates"), std::string::npos) << r.err;
}

TEST_F(ProjectFile, WriteConfigWritesTheSampleOnceAndItIssues) {
  auto r = in(project, {"init", "--write-config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string written = read_text(project / "devcert.toml");
  EXPECT_EQ(written, std::string(*templates::find("devcert.toml")));
  EXPECT_EQ(mode_of(project / "devcert.toml"), 0644u);

  write_text(project / "devcert.toml", "# mine\n");
  auto again = in(project, {"init", "--write-config"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists; devcert never writes over it"), std::string::npos) << again.err;
  EXPECT_EQ(read_text(project / "devcert.toml"), "# mine\n");

  write_text(project / "devcert.toml", written);
  auto issued = in(project, {"issue"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_TRUE(verifies(project / "localhost.pem", "localhost"));
  EXPECT_TRUE(stdfs::exists(project / "localhost-key.pem"));
}

TEST_F(ProjectFile, JsonListsEveryCertificateAsWrittenOnDisk) {
  write_text(project / "devcert.toml", kTwoCerts);
  auto r = in(project, {"issue", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["config"], (project / "devcert.toml").string());
  EXPECT_EQ(j["ca"]["file"], (caroot / "rootCA.pem").string());
  ASSERT_EQ(j["certificates"].size(), 2u);
  std::vector<std::vector<std::string>> want_names{{"localhost", "127.0.0.1"}, {"app.test", "*.app.test"}};
  for (size_t i = 0; i < 2; ++i) {
    const auto& c = j["certificates"][i];
    std::string pem = read_text(c["cert_file"].get<std::string>());
    auto cert = pki::load_certificate(pem, "cert");
    EXPECT_EQ(c["fingerprint_sha256"], pki::fingerprint_sha256(cert.get()));
    EXPECT_EQ(c["not_after"], pki::iso_time(X509_get0_notAfter(cert.get())));
    auto key = pki::load_private_key(read_text(c["key_file"].get<std::string>()), "key");
    EXPECT_TRUE(pki::key_matches_certificate(key.get(), cert.get()));
    ASSERT_EQ(c["names"].size(), want_names[i].size());
    for (size_t n = 0; n < want_names[i].size(); ++n) EXPECT_EQ(c["names"][n]["value"], want_names[i][n]);
  }
  EXPECT_EQ(j["certificates"][0]["p12_file"], nullptr);
  EXPECT_EQ(j["certificates"][1]["p12_file"], (project / "certs" / "app.p12").string());
  EXPECT_TRUE(stdfs::exists(j["certificates"][1]["p12_file"].get<std::string>()));
  EXPECT_EQ(j["certificates"][0]["cert_file"], (project / "localhost+1.pem").string());
}

}  // namespace
}  // namespace devcert::test
