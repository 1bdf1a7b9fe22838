// The real certutil on NSS databases under a temporary HOME, and the real keytool on a copy of
// the JDK's cacerts under a temporary JAVA_HOME. Nothing here reaches the real ones.
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/helpers.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

using test::has;

class NssIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_tool("certutil")) GTEST_SKIP() << "certutil is not installed (libnss3-tools)";
    ASSERT_EQ(test::run_devcert({"init"}, tmp_ / "ca").exit_code, 0);
    ca_ = CaCertificate::from_file(tmp_ / "ca/rootCA.pem");
    ASSERT_EQ(test::run_devcert({"issue", "--cert-file", (tmp_ / "leaf.pem").string(), "--key-file",
                                 (tmp_ / "leaf-key.pem").string(), "localhost"},
                                tmp_ / "ca", tmp_.path()).exit_code, 0);
    // A Firefox profile that already trusts another root, which must survive.
    firefox_ = tmp_ / "home/.mozilla/firefox/t1.default-release";
    stdfs::create_directories(firefox_);
    test::write_text(tmp_ / "home/.mozilla/firefox/profiles.ini",
                     "[Profile0]\nName=default\nIsRelative=1\nPath=t1.default-release\n");
    ASSERT_EQ(certutil({"-N", "-d", "sql:" + firefox_.string(), "--empty-password"}).exit_code, 0);
    ASSERT_EQ(test::run_devcert({"init"}, tmp_ / "corp").exit_code, 0);
    ASSERT_EQ(certutil({"-A", "-d", "sql:" + firefox_.string(), "-t", "C,,", "-n", "Corp Root", "-i",
                        (tmp_ / "corp/rootCA.pem").string()}).exit_code, 0);
    // "Chromium is installed" without depending on the host: a stand-in on PATH.
    stdfs::create_directories(tmp_ / "bin");
    test::write_text(tmp_ / "bin/chromium", "#!/bin/sh\nexit 0\n");
    ::chmod((tmp_ / "bin/chromium").c_str(), 0755);
    const char* path = std::getenv("PATH");
    env_ = {{"HOME", (tmp_ / "home").string()},
            {"PATH", (tmp_ / "bin").string() + ":" + (path ? path : "/usr/bin:/bin")}};
  }
  test::ProcessResult certutil(std::vector<std::string> args) {
    args.insert(args.begin(), "certutil");
    return test::run_process(args);
  }
  test::ProcessResult devcert(const std::vector<std::string>& args) {
    return test::run_devcert(args, tmp_ / "ca", tmp_.path(), env_);
  }
  // Does NSS itself accept the leaf from db? Checked on a copy, so the store stays as it is.
  bool nss_accepts_leaf(const stdfs::path& db) {
    TempDir copy;
    stdfs::copy(db, copy.path(), stdfs::copy_options::recursive);
    auto spec = "sql:" + copy.path().string();
    certutil({"-A", "-d", spec, "-t", ",,", "-n", "leaf", "-i", (tmp_ / "leaf.pem").string()});
    return certutil({"-V", "-u", "V", "-d", spec, "-n", "leaf"}).exit_code == 0;
  }

  TempDir tmp_;
  CaCertificate ca_;
  stdfs::path firefox_;
  std::map<std::string, std::string> env_;
};

TEST_F(NssIntegration, InstallIntoFirefoxAndANewChromiumDbThenUninstallRestoresThem) {
  auto firefox_before = certutil({"-L", "-d", "sql:" + firefox_.string()}).out;
  EXPECT_FALSE(nss_accepts_leaf(firefox_));
  EXPECT_EQ(devcert({"status", "--store", "nss"}).exit_code, 1);

  auto install = devcert({"-v", "install", "--store", "nss"});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  EXPECT_TRUE(has(install.out, "✓ nss: installed")) << install.out;
  EXPECT_TRUE(has(install.err, "verbose: run: ")) << "--verbose shows each command";
  EXPECT_FALSE(has(install.err, "PRIVATE KEY"));
  auto chromium = tmp_ / "home/.pki/nssdb";
  ASSERT_TRUE(stdfs::exists(chromium / "cert9.db")) << "Chromium's database was not created";
  for (const auto& db : {firefox_, chromium}) {
    auto listed = certutil({"-L", "-d", "sql:" + db.string()}).out;
    EXPECT_TRUE(has(listed, ca_.name)) << listed;
    EXPECT_TRUE(has(listed, "C,,")) << listed;
    EXPECT_TRUE(nss_accepts_leaf(db)) << db;
  }
  EXPECT_EQ(devcert({"status", "--store", "nss"}).exit_code, 0);
  auto again = devcert({"install", "--store", "nss"});
  EXPECT_TRUE(has(again.out, "already installed")) << again.out;
  EXPECT_TRUE(has(again.out, "nothing changed")) << again.out;

  auto uninstall = devcert({"uninstall", "--store", "nss"});
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.out << uninstall.err;
  EXPECT_TRUE(has(uninstall.out, "✓ nss: removed"));
  EXPECT_EQ(certutil({"-L", "-d", "sql:" + firefox_.string()}).out, firefox_before);
  EXPECT_FALSE(has(certutil({"-L", "-d", "sql:" + chromium.string()}).out, ca_.name));
  EXPECT_FALSE(nss_accepts_leaf(firefox_));
  EXPECT_EQ(devcert({"status", "--store", "nss"}).exit_code, 1);
  EXPECT_TRUE(stdfs::exists(tmp_ / "ca/rootCA.pem")) << "uninstall keeps the CA files";
}

TEST_F(NssIntegration, StatusJsonNamesEveryDatabase) {
  auto r = devcert({"status", "--json", "--store", "nss"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(has(r.out, "\"installed\": false")) << r.out;
  EXPECT_TRUE(has(r.out, firefox_.string())) << r.out;
  EXPECT_TRUE(has(r.out, ca_.fingerprint)) << r.out;
  EXPECT_TRUE(has(r.out, "\"not_after\"")) << r.out;
}

// A profile made after install: status lists it by name and path as not holding the root, with
// the fix, and --json reports every database with its own answer.
TEST_F(NssIntegration, AProfileMadeAfterInstallShowsUntrustedWithTheFix) {
  ASSERT_EQ(devcert({"install", "--store", "nss"}).exit_code, 0);
  auto later = tmp_ / "home/.mozilla/firefox/t2.later";
  stdfs::create_directories(later);
  test::write_text(tmp_ / "home/.mozilla/firefox/profiles.ini",
                   "[Profile0]\nName=default\nIsRelative=1\nPath=t1.default-release\n\n"
                   "[Profile1]\nName=later\nIsRelative=1\nPath=t2.later\n");
  ASSERT_EQ(certutil({"-N", "-d", "sql:" + later.string(), "--empty-password"}).exit_code, 0);
  auto text = devcert({"status", "--store", "nss"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(has(text.out, "Firefox profile later  " + later.string())) << text.out;
  EXPECT_TRUE(has(text.out, "Firefox profile default  " + firefox_.string())) << text.out;
  EXPECT_TRUE(has(text.out, "run 'devcert install'")) << text.out;
  auto json = nlohmann::json::parse(devcert({"status", "--json", "--store", "nss"}).out);
  std::map<std::string, bool> held;
  for (const auto& db : json["stores"][0]["databases"]) held[db["path"]] = db["installed"];
  EXPECT_EQ(held[firefox_.string()], true);
  EXPECT_EQ(held[later.string()], false);
  EXPECT_EQ(held[(tmp_ / "home/.pki/nssdb").string()], true);  // the one install created
  ASSERT_EQ(devcert({"uninstall", "--store", "nss"}).exit_code, 0);
}

// Firefox imports a root from its enterprise policy under a nickname of its own choosing, so
// certutil's lookup by our nickname misses it. status and uninstall find it by its bytes.
TEST_F(NssIntegration, OurRootUnderAnotherNicknameIsSeenAndRemoved) {
  auto spec = "sql:" + firefox_.string();
  ASSERT_EQ(certutil({"-A", "-d", spec, "-t", "CT,C,", "-n", "Imported By Firefox", "-i",
                      (tmp_ / "ca/rootCA.pem").string()}).exit_code, 0);
  ASSERT_TRUE(nss_accepts_leaf(firefox_));
  auto json = nlohmann::json::parse(devcert({"status", "--json", "--store", "nss"}).out);
  std::map<std::string, bool> held;
  for (const auto& db : json["stores"][0]["databases"]) held[db["path"]] = db["installed"];
  EXPECT_EQ(held[firefox_.string()], true) << json.dump(2);

  auto uninstall = devcert({"uninstall", "--store", "nss"});
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.out << uninstall.err;
  auto listed = certutil({"-L", "-d", spec}).out;
  EXPECT_FALSE(has(listed, "Imported By Firefox")) << listed;
  EXPECT_TRUE(has(listed, "Corp Root")) << "another root stays: " << listed;
  EXPECT_FALSE(nss_accepts_leaf(firefox_));
}

// certutil deletes by nickname; when another certificate shares the one our root carries,
// deleting could take that one instead, so uninstall refuses and says where to do it by hand.
TEST_F(NssIntegration, ANicknameSharedWithAnotherCertificateIsLeftAloneWithTheReason) {
  auto spec = "sql:" + firefox_.string();
  ASSERT_EQ(test::run_devcert({"init"}, tmp_ / "third").exit_code, 0);
  for (const char* ca : {"ca", "third"})
    ASSERT_EQ(certutil({"-A", "-d", spec, "-t", "C,,", "-n", "Shared Name", "-i",
                        (tmp_ / ca / "rootCA.pem").string()}).exit_code, 0);
  auto before = certutil({"-L", "-d", spec}).out;
  auto uninstall = devcert({"uninstall", "--store", "nss"});
  EXPECT_EQ(uninstall.exit_code, 1) << uninstall.out;
  EXPECT_TRUE(has(uninstall.out, "'Shared Name'")) << uninstall.out;
  EXPECT_TRUE(has(uninstall.out, "certificate manager")) << uninstall.out;
  EXPECT_EQ(certutil({"-L", "-d", spec}).out, before);
}

class JavaIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keytool = process::find_program("keytool");
    if (!keytool) GTEST_SKIP() << "keytool is not installed (default-jdk-headless)";
    real_jdk_ = stdfs::canonical(*keytool).parent_path().parent_path();
    stdfs::path real_cacerts = real_jdk_ / "lib/security/cacerts";
    if (!stdfs::exists(real_cacerts)) GTEST_SKIP() << "no cacerts in " << real_jdk_;
    // A JAVA_HOME mirroring the JDK: its keytool, and a private copy of its cacerts.
    jdk_ = tmp_ / "jdk";
    stdfs::create_directories(jdk_ / "bin");
    stdfs::create_directories(jdk_ / "lib/security");
    stdfs::create_symlink(stdfs::canonical(*keytool), jdk_ / "bin/keytool");
    stdfs::copy_file(stdfs::canonical(real_cacerts), jdk_ / "lib/security/cacerts");
    ASSERT_EQ(test::run_devcert({"init"}, tmp_ / "ca").exit_code, 0);
    ca_ = CaCertificate::from_file(tmp_ / "ca/rootCA.pem");
  }
  test::ProcessResult devcert(const std::vector<std::string>& args) {
    return test::run_devcert(args, tmp_ / "ca", tmp_.path(),
                             {{"JAVA_HOME", jdk_.string()}, {"HOME", (tmp_ / "home").string()}});
  }
  std::string list() {
    return test::run_process({(jdk_ / "bin/keytool").string(), "-list", "-keystore",
                              (jdk_ / "lib/security/cacerts").string(), "-storepass", "changeit"}).out;
  }

  TempDir tmp_;
  stdfs::path real_jdk_, jdk_;
  CaCertificate ca_;
};

TEST_F(JavaIntegration, InstallThenUninstallLeavesExactlyTheEntriesThereWereBefore) {
  auto before = list();
  EXPECT_EQ(devcert({"status", "--store", "java"}).exit_code, 1);
  auto install = devcert({"install", "--store", "java"});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  EXPECT_TRUE(has(install.out, "✓ java: installed")) << install.out;
  auto during = list();
  EXPECT_TRUE(has(during, ca_.name)) << during;
  EXPECT_TRUE(has(during, ca_.fingerprint));
  EXPECT_EQ(devcert({"status", "--store", "java"}).exit_code, 0);
  EXPECT_TRUE(has(devcert({"install", "--store", "java"}).out, "already installed"));
  auto uninstall = devcert({"uninstall", "--store", "java"});
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.out << uninstall.err;
  EXPECT_EQ(list(), before);
  EXPECT_EQ(devcert({"status", "--store", "java"}).exit_code, 1);
}

TEST_F(JavaIntegration, ABrokenJavaIsAWarningNotAFailure) {
  test::write_text(jdk_ / "lib/security/cacerts", "not a keystore");
  auto r = devcert({"install", "--store", "java"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "warning: java store failed")) << r.err;
}

}  // namespace
}  // namespace devcert::trust
