// A CAROOT that is not what it claims, or that another local user could change: a leaf or a
// stranger's certificate as rootCA.pem, a directory or file writable by group or others, or
// owned by another user. Every command that reads the CA refuses, naming the file, why, and
// the chmod/chown (or restore) that fixes it, and nothing anywhere changes.
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

// sudo runs devcert as root for the user who typed it: that user's CAROOT is used (the command
// the Firefox policy's refusal suggests), and anyone else's still is not.
TEST_F(UntrustedCarootOwner, UnderSudoTheInvokingUsersCarootIsUsed) {
  for (const auto& p : {caroot, cert, key}) ASSERT_EQ(::chown(p.c_str(), kNobody, kNobody), 0);
  auto as_sudo = [&](const std::string& uid) {
    return run_process({"timeout", "30", DEVCERT_BIN, "issue", "--cert-file", (tmp / "l.pem").string(), "--key-file",
                        (tmp / "l-key.pem").string(), "localhost"},
                       {{"DEVCERT_CAROOT", caroot.string()}, {"HOME", home.string()}, {"NO_COLOR", "1"},
                        {"DEVCERT_TRUST_STORES", "nss"}, {"SUDO_UID", uid}},
                       tmp.path());
  };
  auto other = as_sudo("1234");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("belongs to nobody"), std::string::npos) << other.err;
  auto owner = as_sudo(std::to_string(kNobody));
  EXPECT_EQ(owner.exit_code, 0) << owner.err;
  EXPECT_TRUE(stdfs::exists(tmp / "l.pem"));
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

// A second CA appended to rootCA.pem would be trusted by Node through `devcert env`
// (NODE_EXTRA_CA_CERTS) without ever being checked: the file is exactly one certificate.
TEST_F(UntrustedCaroot, AnythingAfterTheRootCertificateIsRefused) {
  TempDir other;
  ASSERT_EQ(run_devcert({"init", "--unconstrained"}, other / "ca").exit_code, 0);
  std::string root = read_text(cert);
  write_text(cert, root + read_text(other / "ca" / "rootCA.pem"));
  expect_all_refuse(cert, "holds more than one certificate or other data after the root",
                    "keep only the root: openssl x509 -in " + cert.string());
  write_text(cert, root + "\ntrailing words\n");
  expect_all_refuse(cert, "holds more than one certificate or other data after the root", "keep only the root");
  write_text(cert, "a comment\n" + root);
  expect_all_refuse(cert, "does not begin with a PEM certificate", "keep only the root");
  write_text(cert, root + "\n \n");  // whitespace after the root is harmless
  auto ok = run({"issue", "localhost"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// CA files are regular files, seen without following links: each other kind is refused as
// what it is, with a fix that moves it aside (never a chmod through a link), and nothing changes.
TEST_F(UntrustedCaroot, CaFilesThatAreNotRegularFilesAreRefusedAsWhatTheyAre) {
  ASSERT_EQ(::mknod((tmp / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << "tests run as root";
  std::string key_pem = read_text(key), cert_pem = read_text(cert);
  auto become = [&](const stdfs::path& p, const std::string& kind) {
    stdfs::remove(p);
    if (kind == "dangling") stdfs::create_symlink(tmp / "nowhere", p);
    if (kind == "directory") stdfs::create_directory(p);
    if (kind == "device link") stdfs::create_symlink(tmp / "null", p);
    if (kind == "fifo") ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  };
  const std::vector<std::pair<std::string, std::string>> kinds{
      {"dangling", "is a symbolic link"}, {"directory", "is a directory"},
      {"device link", "is a symbolic link"}, {"fifo", "is a FIFO"}};
  for (const auto& [kind, said] : kinds) {
    become(key, kind);
    for (const auto& args : std::vector<std::vector<std::string>>{{"init"}, {"issue", "localhost"}}) {
      auto before = entries(tmp.path());
      auto r = run(args);
      EXPECT_EQ(r.exit_code, 1) << kind << " " << args.front() << ": " << r.out << r.err;
      EXPECT_NE(r.err.find("the CA key " + key.string() + " " + said), std::string::npos) << kind << ": " << r.err;
      EXPECT_NE(r.err.find("mv " + key.string() + " " + key.string() + ".aside"), std::string::npos) << r.err;
      EXPECT_EQ(r.err.find("chmod"), std::string::npos) << r.err;
      EXPECT_EQ(entries(tmp.path()), before) << kind << " " << args.front() << " changed files";
    }
    stdfs::remove(key);
    write_text(key, key_pem);
    stdfs::permissions(key, stdfs::perms::owner_read | stdfs::perms::owner_write);
  }
  for (const auto& [kind, said] : kinds) {
    become(cert, kind);
    expect_all_refuse(cert, "the CA certificate " + cert.string() + " " + said, "mv " + cert.string());
    stdfs::remove(cert);
    write_text(cert, cert_pem);
  }
}

// CAROOT/.lock is never followed through a link (it would create the link's target) and is a
// regular file.
TEST_F(UntrustedCaroot, LockFileIsNeverFollowedNorAnythingButARegularFile) {
  stdfs::path lock = caroot / ".lock", target = tmp / "created-by-lock";
  stdfs::remove(lock);
  stdfs::create_symlink(target, lock);
  auto r = run({"init"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the lock file " + lock.string() + " is a symbolic link"), std::string::npos) << r.err;
  EXPECT_FALSE(stdfs::exists(target));
  stdfs::remove(lock);
  ASSERT_EQ(::mkfifo(lock.c_str(), 0600), 0);
  r = run({"init"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the lock file " + lock.string() + " is not a regular file"), std::string::npos) << r.err;
  stdfs::remove(lock);
  EXPECT_EQ(run({"init"}).exit_code, 0);
}

}  // namespace
}  // namespace devcert::test
