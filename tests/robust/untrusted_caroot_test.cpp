// A CAROOT that is not what it claims, or that another local user could change: a leaf or a
// stranger's certificate as rootCA.pem, a directory or file writable by group or others, or
// owned by another user. Every command that reads the CA refuses, naming the file, why, and
// the chmod/chown (or restore) that fixes it, and nothing anywhere changes.
#include <unistd.h>

#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace devcert::test {
namespace {

class UntrustedCaroot : public CliTest {
 protected:
  stdfs::path cert = caroot / "rootCA.pem";
  stdfs::path key = caroot / "rootCA-key.pem";
  stdfs::path home = tmp / "home";

  void SetUp() override {
    CliTest::SetUp();
    stdfs::create_directories(home);
    init_ca();
  }

  // devcert bounded in time (serve would otherwise listen forever), its trust stores the
  // temp HOME's NSS databases: a check that failed to refuse still touches nothing real.
  ProcessResult run(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"timeout", "30", DEVCERT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv,
                       {{"DEVCERT_CAROOT", caroot.string()}, {"HOME", home.string()}, {"NO_COLOR", "1"},
                        {"DEVCERT_TRUST_STORES", "nss"}},
                       work);
  }

  // Every command that reads the CA refuses with `why` and `fix`, naming `file`; nothing in
  // the temp dir (CAROOT, HOME, working directory) changes.
  void expect_all_refuse(const stdfs::path& file, const std::string& why, const std::string& fix) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"issue", "localhost"}, {"init"}, {"install"}, {"env"}, {"verify-server"},
             {"serve", "--port", "0"}, {"status"}}) {
      auto before = snapshot(tmp.path());
      auto r = run(args);
      std::string what = "devcert " + args.front(), said = r.out + r.err;
      EXPECT_EQ(r.exit_code, 1) << what << " did not refuse:\n" << said;
      EXPECT_NE(said.find(file.string()), std::string::npos) << what << " did not name " << file << ":\n" << said;
      EXPECT_NE(said.find(why), std::string::npos) << what << " did not say '" << why << "':\n" << said;
      EXPECT_NE(said.find(fix), std::string::npos) << what << " did not offer '" << fix << "':\n" << said;
      EXPECT_EQ(snapshot(tmp.path()), before) << what << " changed files";
    }
  }

  // Puts `pem` and its key in the CA's place, keeping the files' modes.
  void replace_pair(const stdfs::path& new_cert, const stdfs::path& new_key) {
    write_text(cert, read_text(new_cert));
    write_text(key, read_text(new_key));
    stdfs::permissions(key, stdfs::perms::owner_read | stdfs::perms::owner_write);
  }

  ProcessResult openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_process(argv, {}, work);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }
};

// The case: a leaf (CA:FALSE, no constraints) and its own key as the CA pair.
TEST_F(UntrustedCaroot, LeafAsRootIsRefusedEverywhere) {
  ASSERT_EQ(devcert({"issue", "app.test"}).exit_code, 0);
  replace_pair(work / "app.test.pem", work / "app.test-key.pem");
  expect_all_refuse(cert, "cannot be the devcert root: it is not a CA certificate (no basicConstraints CA:TRUE)",
                    "restore it from a backup");
}

TEST_F(UntrustedCaroot, SelfSignedCaWithoutKeyCertSignIsRefused) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem",
           "-out", "c.pem", "-subj", "/CN=not a signer", "-days", "30", "-addext",
           "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,digitalSignature"});
  replace_pair(work / "c.pem", work / "k.pem");
  expect_all_refuse(cert, "does not allow signing certificates (no keyCertSign)", "restore it from a backup");
}

// A CA that another CA signed is not a root: installing it would trust nothing that works.
TEST_F(UntrustedCaroot, CaSignedByAnotherIsNotSelfSigned) {
  TempDir other;
  ASSERT_EQ(run_devcert({"init"}, other / "ca").exit_code, 0);
  write_text(work / "ext.cnf", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem",
           "-out", "c.csr", "-subj", "/CN=intermediate"});
  openssl({"x509", "-req", "-in", "c.csr", "-CA", (other / "ca" / "rootCA.pem").string(), "-CAkey",
           (other / "ca" / "rootCA-key.pem").string(), "-out", "c.pem", "-days", "30", "-extfile", "ext.cnf"});
  replace_pair(work / "c.pem", work / "k.pem");
  expect_all_refuse(cert, "it is not self-signed", "restore it from a backup");
}

TEST_F(UntrustedCaroot, CarootWritableByOthersOrGroupIsRefused) {
  for (auto mode : {stdfs::perms::all, stdfs::perms::owner_all | stdfs::perms::group_all}) {
    stdfs::permissions(caroot, mode);
    expect_all_refuse(caroot, "writable by group or others", "chmod 700 " + caroot.string());
  }
}

TEST_F(UntrustedCaroot, CertificateWritableByOthersIsRefused) {
  stdfs::permissions(cert, stdfs::perms::owner_read | stdfs::perms::owner_write | stdfs::perms::group_read |
                               stdfs::perms::others_read | stdfs::perms::others_write);
  expect_all_refuse(cert, "writable by group or others (mode 646)", "chmod 644 " + cert.string());
}

TEST_F(UntrustedCaroot, KeyWritableByGroupIsRefused) {
  stdfs::permissions(key, stdfs::perms::owner_read | stdfs::perms::owner_write | stdfs::perms::group_write);
  // install and env need only the certificate: the signers refuse.
  for (const auto& args : std::vector<std::vector<std::string>>{{"issue", "localhost"}, {"init"}}) {
    auto before = snapshot(tmp.path());
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("the CA key " + key.string() + " is writable by group or others (mode 620)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("chmod 600 " + key.string()), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(tmp.path()), before);
  }
}

class UntrustedCarootOwner : public UntrustedCaroot {
 protected:
  static constexpr uid_t kNobody = 65534;
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "chown to another user needs root";
    UntrustedCaroot::SetUp();
  }
};

TEST_F(UntrustedCarootOwner, CarootOwnedByAnotherUserIsRefused) {
  ASSERT_EQ(::chown(caroot.c_str(), kNobody, kNobody), 0);
  expect_all_refuse(caroot, "belongs to nobody, not to root who runs devcert", "chown -R root " + caroot.string());
}

TEST_F(UntrustedCarootOwner, CertificateOwnedByAnotherUserIsRefused) {
  ASSERT_EQ(::chown(cert.c_str(), kNobody, kNobody), 0);
  expect_all_refuse(cert, "belongs to nobody", "chown -R root " + cert.string());
}

TEST_F(UntrustedCarootOwner, KeyOwnedByAnotherUserIsRefused) {
  ASSERT_EQ(::chown(key.c_str(), kNobody, kNobody), 0);
  auto before = snapshot(tmp.path());
  auto r = run({"issue", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the CA key " + key.string() + " belongs to nobody"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(tmp.path()), before);
}

}  // namespace
}  // namespace devcert::test
