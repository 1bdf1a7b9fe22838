// A CAROOT damaged in the ways disks and people damage it: every command that needs the CA,
// init included, stops with an error that names the file and says what fixes it, exits
// non-zero, and leaves every byte where it was. (The encrypted-key case and init on a CAROOT that is a file are in
// tests/cli.)
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"
#include "robust/robust_support.h"

namespace devcert::test {
namespace {

class CorruptedState : public CliTest {
 protected:
  stdfs::path cert = caroot / "rootCA.pem";
  stdfs::path key = caroot / "rootCA-key.pem";

  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }

  void replace_key(const std::string& bytes) {
    write_text(key, bytes);
    stdfs::permissions(key, stdfs::perms::owner_read | stdfs::perms::owner_write);
  }

  // `args` fails naming `file` and a fix (verify-server says it in its checklist, on stdout),
  // and nothing in CAROOT or the working directory changes.
  void expect_refused(const std::vector<std::string>& args, const stdfs::path& file) {
    auto ca_before = snapshot(caroot.parent_path());
    auto r = devcert(args);
    std::string what = "devcert " + args.front(), said = r.out + r.err;
    EXPECT_NE(r.exit_code, 0) << what << " accepted it: " << said;
    EXPECT_NE(said.find(file.string()), std::string::npos) << what << " did not name " << file << ":\n" << said;
    EXPECT_NE(said.find("fix: "), std::string::npos) << what << " offered no fix:\n" << said;
    EXPECT_EQ(snapshot(caroot.parent_path()), ca_before) << what << " changed files";
  }

  // Every command that signs with the CA refuses, and so does init: it says what is damaged
  // rather than "already exists".
  void expect_every_signer_refuses(const stdfs::path& file) {
    expect_refused({"issue", "localhost"}, file);
    expect_refused({"issue", "app.test", "--p12-file", "app.p12", "--json"}, file);
    expect_refused({"verify-server"}, file);
    expect_refused({"init"}, file);
  }
};

TEST_F(CorruptedState, TruncatedCertificate) {
  std::string pem = read_text(cert);
  write_text(cert, pem.substr(0, pem.size() / 2));
  expect_every_signer_refuses(cert);
  expect_refused({"env"}, cert);
  expect_refused({"status"}, cert);
}

TEST_F(CorruptedState, KeyOfAnotherCa) {
  TempDir other;
  ASSERT_EQ(run_devcert({"init"}, other / "ca").exit_code, 0);
  replace_key(read_text(other / "ca" / "rootCA-key.pem"));
  expect_every_signer_refuses(key);
}

TEST_F(CorruptedState, TruncatedKey) {
  std::string pem = read_text(key);
  replace_key(pem.substr(0, pem.size() / 2));
  expect_every_signer_refuses(key);
}

TEST_F(CorruptedState, EmptyKey) {
  replace_key("");
  expect_every_signer_refuses(key);
}

TEST_F(CorruptedState, DerKey) {
  auto der = run_process({"openssl", "pkey", "-in", key.string(), "-outform", "DER"});
  ASSERT_EQ(der.exit_code, 0) << der.err;
  replace_key(der.out);
  expect_every_signer_refuses(key);
}

TEST_F(CorruptedState, MissingKey) {
  stdfs::remove(key);
  expect_every_signer_refuses(key);
  auto r = devcert({"init"});
  EXPECT_NE(r.err.find("the CA key " + key.string() + " is missing"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("nothing changed"), std::string::npos) << r.out;
}

TEST_F(CorruptedState, CarootIsARegularFile) {
  stdfs::remove_all(caroot);
  write_text(caroot, "not a directory");
  for (auto args : std::vector<std::vector<std::string>>{{"issue", "localhost"}, {"env"}, {"verify-server"}})
    expect_refused(args, caroot);
  EXPECT_EQ(read_text(caroot), "not a directory");
}

// The same key in the other PEM encoding OpenSSL writes (SEC1 "EC PRIVATE KEY" instead of
// devcert's PKCS#8) is still this CA's key: accepted, and never rewritten.
TEST_F(CorruptedState, SameKeyInSec1PemIsUsedAsIs) {
  auto sec1 = run_process({"openssl", "ec", "-in", key.string()});
  ASSERT_EQ(sec1.exit_code, 0) << sec1.err;
  ASSERT_NE(sec1.out.find("BEGIN EC PRIVATE KEY"), std::string::npos);
  replace_key(sec1.out);
  auto before = snapshot(caroot);
  auto r = devcert({"issue", "localhost"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(check_pair(work / "localhost.pem", work / "localhost-key.pem"), "");
  EXPECT_EQ(snapshot(caroot), before);
}

}  // namespace
}  // namespace devcert::test
