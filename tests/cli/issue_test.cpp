#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

class IssueCommand : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }
  std::string root() const { return (caroot / "rootCA.pem").string(); }
  ProcessResult openssl_verify(const stdfs::path& cert, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{"openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", root()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(cert.string());
    return run_process(argv);
  }
};

TEST_F(IssueCommand, WritesMkcertStyleFilesWithTightModes) {
  ScopedUmask open_umask(0);
  auto r = devcert({"issue", "localhost", "127.0.0.1", "::1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(work / "localhost+2.pem"), 0644u);
  EXPECT_EQ(mode_of(work / "localhost+2-key.pem"), 0600u);
  EXPECT_NE(r.out.find("issued a certificate for: localhost, 127.0.0.1, ::1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expires:"), std::string::npos);
  EXPECT_NE(r.err.find("NODE_EXTRA_CA_CERTS"), std::string::npos) << r.err;
  EXPECT_EQ(openssl_verify(work / "localhost+2.pem", {"-verify_hostname", "localhost"}).exit_code, 0);
  EXPECT_EQ(openssl_verify(work / "localhost+2.pem", {"-verify_ip", "::1"}).exit_code, 0);
  auto cert_pub = run_process({"openssl", "x509", "-in", "localhost+2.pem", "-noout", "-pubkey"}, {}, work);
  auto key_pub = run_process({"openssl", "pkey", "-in", "localhost+2-key.pem", "-pubout"}, {}, work);
  ASSERT_EQ(key_pub.exit_code, 0) << key_pub.err;
  EXPECT_EQ(cert_pub.out, key_pub.out);
}

TEST_F(IssueCommand, WildcardAndExplicitPaths) {
  auto r = devcert({"issue", "*.app.test", "--cert-file", "app.pem", "--key-file", "app-key.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(openssl_verify(work / "app.pem", {"-verify_hostname", "web.app.test"}).exit_code, 0);
  // The note says what the certificate covers, and OpenSSL's matching agrees with it.
  EXPECT_NE(r.err.find("note: *.app.test covers exactly one level: a.app.test, not app.test nor x.a.app.test"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(openssl_verify(work / "app.pem", {"-verify_hostname", "a.app.test"}).exit_code, 0);
  EXPECT_NE(openssl_verify(work / "app.pem", {"-verify_hostname", "app.test"}).exit_code, 0);
  EXPECT_NE(openssl_verify(work / "app.pem", {"-verify_hostname", "x.a.app.test"}).exit_code, 0);
  auto plain = devcert({"issue", "app.test"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("covers exactly one level"), std::string::npos) << plain.err;
  auto d = devcert({"issue", "*.app.test"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(stdfs::exists(work / "_wildcard.app.test.pem"));
  EXPECT_TRUE(stdfs::exists(work / "_wildcard.app.test-key.pem"));
}

TEST_F(IssueCommand, RejectedNamesWriteNothing) {
  struct Case {
    std::string name, message;
  } cases[] = {{"localhost:8443", "ports are not part of certificate names"},
               {"https://localhost/", "use its host part: devcert issue localhost"},
               {"*", "bare '*'"},
               {"*.*.test", "leftmost label"},
               {"my host", "spaces"},
               {"google.com", "outside the CA's permitted domains"}};
  for (const auto& c : cases) {
    auto r = devcert({"issue", "localhost", c.name});
    EXPECT_EQ(r.exit_code, 1) << c.name;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find("error: "), std::string::npos);
  }
  EXPECT_TRUE(stdfs::is_empty(work));
}

TEST_F(IssueCommand, NoNamesIsAUsageError) {
  auto r = devcert({"issue"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("devcert issue localhost"), std::string::npos) << r.err;
}

// The same names in devcert.toml give the same files (tests/config/project_file_test.cpp).
TEST_F(IssueCommand, DuplicateNamesDoNotCountInTheDefaultFileName) {
  auto r = devcert({"issue", "app.test", "app.test", "APP.test."});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(stdfs::exists(work / "app.test.pem"));
  EXPECT_TRUE(stdfs::exists(work / "app.test-key.pem"));
  EXPECT_FALSE(stdfs::exists(work / "app.test+1.pem"));
  EXPECT_FALSE(stdfs::exists(work / "app.test+2.pem"));
}

TEST_F(IssueCommand, DaysOutOfRangeIsAUsageError) {
  auto over = devcert({"issue", "localhost", "--days", "900"});
  EXPECT_EQ(over.exit_code, 2);
  // The flag named by the command line, the rule stated by the pki layer.
  EXPECT_NE(over.err.find("--days must be between 1 and 825 (Apple rejects longer TLS certificates)"),
            std::string::npos) << over.err;
  EXPECT_TRUE(stdfs::is_empty(work));
  EXPECT_EQ(devcert({"issue", "localhost", "--days", "0"}).exit_code, 2);
  auto ok = devcert({"issue", "localhost", "--days", "30", "--cert-file", "c.pem", "--key-file", "k.pem"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto end = run_process({"openssl", "x509", "-in", (work / "c.pem").string(), "-noout", "-checkend",
                          std::to_string(31 * 86400)});
  EXPECT_EQ(end.exit_code, 1) << "a 30-day certificate must expire within 31 days";
}

TEST_F(IssueCommand, JsonOutputParses) {
  auto r = devcert({"issue", "--json", "localhost", "::1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto all = nlohmann::json::parse(r.out);
  EXPECT_EQ(all["ok"], true);
  EXPECT_EQ(all["ca"]["file"], (caroot / "rootCA.pem").string());
  EXPECT_EQ(all["config"], nullptr);
  ASSERT_EQ(all["certificates"].size(), 1u);
  const auto& j = all["certificates"][0];
  EXPECT_EQ(j["cert_file"], "./localhost+1.pem");
  EXPECT_EQ(j["key_file"], "./localhost+1-key.pem");
  EXPECT_EQ(j["p12_file"], nullptr);
  ASSERT_EQ(j["names"].size(), 2u);
  EXPECT_EQ(j["names"][0]["type"], "dns");
  EXPECT_EQ(j["names"][1]["type"], "ip");
  EXPECT_EQ(j["names"][1]["value"], "::1");
  EXPECT_EQ(j["fingerprint_sha256"].get<std::string>().size(), 95u);
  EXPECT_TRUE(j["not_after"].get<std::string>().ends_with("Z"));
}

TEST_F(IssueCommand, Pkcs12ReadsBackWithOpensslAndHoldsTheChain) {
  auto r = devcert({"issue", "localhost", "--p12-file", "l.p12"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("password \"changeit\""), std::string::npos) << r.out;
  EXPECT_EQ(mode_of(work / "l.p12"), 0600u);
  auto dump = run_process({"openssl", "pkcs12", "-in", (work / "l.p12").string(), "-passin", "pass:changeit",
                           "-nodes", "-info"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t p = dump.out.find(what); p != std::string::npos; p = dump.out.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("BEGIN CERTIFICATE"), 2u);
  EXPECT_EQ(count("BEGIN PRIVATE KEY"), 1u);
  auto wrong = run_process({"openssl", "pkcs12", "-in", (work / "l.p12").string(), "-passin", "pass:nope",
                            "-nodes", "-noout"});
  EXPECT_NE(wrong.exit_code, 0);
}

TEST_F(IssueCommand, AChosenP12PasswordComesFromFlagFileOrEnvironmentAndIsNeverPrinted) {
  write_text(tmp / "pw", "fi1e-s3cret\nignored second line\n");
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string password, source;
  } cases[] = {
      {{"--p12-password", "f1ag-s3cret"}, {{"DEVCERT_P12_PASSWORD", "env-s3cret"}}, "f1ag-s3cret", "--p12-password"},
      {{"--p12-password-file", (tmp / "pw").string()}, {{"DEVCERT_P12_PASSWORD", "env-s3cret"}}, "fi1e-s3cret",
       "--p12-password-file " + (tmp / "pw").string()},
      {{}, {{"DEVCERT_P12_PASSWORD", "env-s3cret"}}, "env-s3cret", "DEVCERT_P12_PASSWORD"},
  };
  for (const Case& c : cases) {
    for (bool json : {false, true}) {
      std::vector<std::string> args{"issue", "localhost", "--p12-file", "c.p12"};
      args.insert(args.end(), c.args.begin(), c.args.end());
      if (json) args.push_back("--json");
      auto r = devcert(args, c.env);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
      if (!json) EXPECT_NE(r.out.find("(password from " + c.source + ")"), std::string::npos) << r.out;
      EXPECT_EQ(run_process({"openssl", "pkcs12", "-in", (work / "c.p12").string(), "-passin", "pass:" + c.password,
                             "-nodes", "-noout"}).exit_code, 0) << c.source;
    }
  }
  auto both = devcert({"issue", "localhost", "--p12-file", "c.p12", "--p12-password", "x-s3cret",
                       "--p12-password-file", (tmp / "pw").string()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err.find("s3cret"), std::string::npos) << both.err;
  write_text(tmp / "empty", "\n");
  auto empty = devcert({"issue", "localhost", "--p12-file", "e.p12", "--p12-password-file", (tmp / "empty").string()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("its first line is empty"), std::string::npos) << empty.err;
  EXPECT_FALSE(stdfs::exists(work / "e.p12"));
}

TEST_F(IssueCommand, ReissuingFromACsrMovesTheOldKeyAsideAndSaysSo) {
  ASSERT_EQ(devcert({"issue", "api.test"}).exit_code, 0);
  std::string old_key = read_text(work / "api.test-key.pem");
  auto gen = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", "own-key.pem", "-out", "req.csr", "-subj", "/CN=x", "-addext",
                          "subjectAltName=DNS:api.test"},
                         {}, work);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto r = devcert({"issue", "--csr", "req.csr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(stdfs::exists(work / "api.test-key.pem")) << "a key that is not the certificate's own";
  EXPECT_EQ(read_text(work / "api.test-key.pem.replaced"), old_key) << "moved aside, never destroyed";
  EXPECT_NE(r.out.find("old key:     moved to ./api.test-key.pem.replaced"), std::string::npos) << r.out;
  auto cert_pub = run_process({"openssl", "x509", "-in", "api.test.pem", "-noout", "-pubkey"}, {}, work);
  auto own_pub = run_process({"openssl", "pkey", "-in", "own-key.pem", "-pubout"}, {}, work);
  EXPECT_EQ(cert_pub.out, own_pub.out);
  // A CSR made from the key already beside the certificate keeps it: it is its own.
  ASSERT_EQ(devcert({"issue", "api.test"}).exit_code, 0);
  auto same = run_process({"openssl", "req", "-new", "-key", "api.test-key.pem", "-out", "same.csr", "-subj", "/CN=x",
                           "-addext", "subjectAltName=DNS:api.test"},
                          {}, work);
  ASSERT_EQ(same.exit_code, 0) << same.err;
  auto kept = devcert({"issue", "--csr", "same.csr", "--json"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_TRUE(stdfs::exists(work / "api.test-key.pem"));
  EXPECT_EQ(nlohmann::json::parse(kept.out)["certificates"][0]["old_key_moved_to"], nullptr);
  EXPECT_FALSE(stdfs::exists(work / "api.test-key.pem.replaced-2"));
}

TEST_F(IssueCommand, FullchainAppendsTheRoot) {
  auto r = devcert({"issue", "localhost", "--fullchain", "--cert-file", "full.pem", "--key-file", "k.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string full = read_text(work / "full.pem");
  std::string rootpem = read_text(caroot / "rootCA.pem");
  EXPECT_TRUE(full.ends_with(rootpem));
  EXPECT_NE(full.find("BEGIN CERTIFICATE"), full.rfind("BEGIN CERTIFICATE"));
}

TEST_F(IssueCommand, SignsACsrWithTheLeafProfile) {
  auto gen = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", "csr-key.pem", "-out", "req.csr", "-subj", "/CN=ignored",
                          "-addext", "subjectAltName=DNS:api.test,IP:127.0.0.1",
                          "-addext", "basicConstraints=critical,CA:TRUE"},
                         {}, work);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto r = devcert({"issue", "--csr", "req.csr", "--cert-file", "csr.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(stdfs::exists(work / "api.test+1-key.pem"));
  auto text = run_process({"openssl", "x509", "-in", (work / "csr.pem").string(), "-noout", "-text"});
  EXPECT_NE(text.out.find("DNS:api.test, IP Address:127.0.0.1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("CA:FALSE"), std::string::npos) << "CSR's CA:TRUE must not be copied";
  EXPECT_EQ(text.out.find("CN = ignored"), std::string::npos);
  EXPECT_EQ(openssl_verify(work / "csr.pem", {"-verify_hostname", "api.test"}).exit_code, 0);
  // Names on the command line replace the CSR's.
  auto named = devcert({"issue", "--csr", "req.csr", "other.test", "--cert-file", "n.pem"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(openssl_verify(work / "n.pem", {"-verify_hostname", "other.test"}).exit_code, 0);
  EXPECT_NE(openssl_verify(work / "n.pem", {"-verify_hostname", "api.test"}).exit_code, 0);
}

TEST_F(IssueCommand, TamperedCsrIsRefused) {
  auto gen = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", "k.pem", "-outform", "DER", "-out", "req.der", "-subj", "/CN=x",
                          "-addext", "subjectAltName=DNS:api.test"},
                         {}, work);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::string der = read_text(work / "req.der");
  size_t at = der.find("api.test");
  ASSERT_NE(at, std::string::npos);
  der[at] = 'x';  // "xpi.test": the signature no longer covers it
  write_text(work / "bad.der", der);
  auto r = devcert({"issue", "--csr", "bad.der"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("signature does not verify"), std::string::npos) << r.err;
  auto garbage = devcert({"issue", "--csr", "k.pem"});
  EXPECT_EQ(garbage.exit_code, 1);
  EXPECT_NE(garbage.err.find("not a certificate signing request"), std::string::npos) << garbage.err;
}

TEST_F(IssueCommand, RefusesACaKeyOthersCanRead) {
  stdfs::permissions(caroot / "rootCA-key.pem", stdfs::perms::group_read | stdfs::perms::others_read,
                     stdfs::perm_options::add);
  auto r = devcert({"issue", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("readable by others (mode 644)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + (caroot / "rootCA-key.pem").string()), std::string::npos) << r.err;
  EXPECT_TRUE(stdfs::is_empty(work));
}

TEST_F(IssueCommand, CorruptedCaStateIsAClearErrorAndNothingIsOverwritten) {
  auto before = snapshot(caroot);
  // Truncated certificate.
  std::string pem = read_text(caroot / "rootCA.pem");
  write_text(caroot / "rootCA.pem", pem.substr(0, pem.size() / 2));
  auto r = devcert({"issue", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find((caroot / "rootCA.pem").string() + " does not hold a certificate"), std::string::npos) << r.err;
  write_text(caroot / "rootCA.pem", pem);

  // A key that does not match.
  TempDir other;
  ASSERT_EQ(run_devcert({"init"}, other / "ca").exit_code, 0);
  std::string key = read_text(caroot / "rootCA-key.pem");
  write_text(caroot / "rootCA-key.pem", read_text(other / "ca" / "rootCA-key.pem"));
  r = devcert({"issue", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not match the certificate"), std::string::npos) << r.err;

  // A key in a format devcert does not write (encrypted).
  auto enc = run_process({"openssl", "pkey", "-in", (other / "ca" / "rootCA-key.pem").string(), "-aes256",
                          "-passout", "pass:x"});
  ASSERT_EQ(enc.exit_code, 0);
  write_text(caroot / "rootCA-key.pem", enc.out);
  r = devcert({"issue", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find((caroot / "rootCA-key.pem").string() + " does not hold a readable unencrypted PEM"),
            std::string::npos) << r.err;
  write_text(caroot / "rootCA-key.pem", key);
  auto init = devcert({"init"});
  EXPECT_EQ(snapshot(caroot), before);
  EXPECT_TRUE(stdfs::is_empty(work));
}

TEST_F(IssueCommand, WithoutACaSaysToRunInit) {
  TempDir empty;
  auto r = run_devcert({"issue", "localhost"}, empty / "none", work);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no devcert CA in"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("devcert init"), std::string::npos) << r.err;
}

TEST_F(IssueCommand, ReissueReplacesFilesAtomically) {
  ASSERT_EQ(devcert({"issue", "localhost"}).exit_code, 0);
  std::string first = read_text(work / "localhost.pem");
  ASSERT_EQ(devcert({"issue", "localhost"}).exit_code, 0);
  std::string second = read_text(work / "localhost.pem");
  EXPECT_NE(first, second);
  for (const auto& e : stdfs::directory_iterator(work))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(IssueCommand, FailedWriteLeavesTheOldFileIntact) {
  ASSERT_EQ(devcert({"issue", "localhost"}).exit_code, 0);
  std::string cert = read_text(work / "localhost.pem");
  // The key's "directory" is a file: the write fails, the earlier certificate stays as it was.
  write_text(work / "plain", "x");
  auto r = devcert({"issue", "localhost", "--key-file", "plain/k.pem"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--key-file plain/k.pem: cannot be written: plain is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(work / "localhost.pem"), cert);
  for (const auto& e : stdfs::directory_iterator(work))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace devcert::test
