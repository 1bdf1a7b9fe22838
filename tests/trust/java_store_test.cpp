#include "trust/java_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "error.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::FakeRunner;
using test::TempDir;

class JavaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = test::make_ca(caroot_.path());
    stdfs::create_directories(jdk_ / "lib/security");
    stdfs::create_directories(jdk_ / "bin");
    test::write_text(jdk_ / "lib/security/cacerts", "keystore");
    test::write_text(jdk_ / "bin/keytool", "#!/bin/sh\n");
    ::chmod((jdk_ / "bin/keytool").c_str(), 0755);
  }
  JavaStore store(bool is_root = true) { return JavaStore(runner_, {jdk_.path().string(), is_root}); }
  std::vector<std::string> tail() const {
    return {"-keystore", (jdk_ / "lib/security/cacerts").string(), "-storepass", "changeit"};
  }

  TempDir jdk_, caroot_;
  FakeRunner runner_;
  CaCertificate ca_;
};

TEST_F(JavaStoreTest, FindsCacertsAndKeytoolUnderJavaHome) {
  auto s = store();
  EXPECT_TRUE(s.availability().available);
  EXPECT_EQ(s.where(), (jdk_ / "lib/security/cacerts").string());
  auto loc = s.locate();
  EXPECT_EQ(loc->keytool, (jdk_ / "bin/keytool").string());
}

TEST_F(JavaStoreTest, Java8Layout) {
  TempDir jdk8;
  stdfs::create_directories(jdk8 / "jre/lib/security");
  test::write_text(jdk8 / "jre/lib/security/cacerts", "keystore");
  runner_.programs = {"keytool"};
  JavaStore s(runner_, {jdk8.path().string(), true});
  EXPECT_EQ(s.where(), (jdk8 / "jre/lib/security/cacerts").string());
  EXPECT_EQ(s.locate()->keytool, "/usr/bin/keytool");
}

TEST_F(JavaStoreTest, NoJavaIsUnavailableWithTheFix) {
  JavaStore s(runner_, {"", true});  // no JAVA_HOME, no java on PATH
  auto a = s.availability();
  EXPECT_FALSE(a.available);
  EXPECT_NE(a.why.find("JAVA_HOME is unset"), std::string::npos);
  EXPECT_NE(a.fix.find("default-jdk-headless"), std::string::npos);
  EXPECT_TRUE(s.optional_store());
}

TEST_F(JavaStoreTest, ContainsMatchesTheFingerprintUnderAnyAlias) {
  runner_.handler = [&](const process::Command&) {
    return test::result(0, "debian:devcert-x.pem, Nov 25, 2026, trustedCertEntry,\n"
                           "Certificate fingerprint (SHA-256): " + ca_.fingerprint + "\n");
  };
  EXPECT_TRUE(store().contains(ca_));
  runner_.handler = [&](const process::Command&) {
    return test::result(0, "other, trustedCertEntry,\nCertificate fingerprint (SHA-256): AA:BB\n");
  };
  EXPECT_FALSE(store().contains(ca_));
}

TEST_F(JavaStoreTest, InstallAndUninstallUseOurAliasOnly) {
  bool present = false;
  runner_.handler = [&](const process::Command& c) {
    if (c.argv[1] == "-list") return test::result(present ? 0 : 1);
    if (c.argv[1] == "-importcert") present = true;
    if (c.argv[1] == "-delete") present = false;
    return test::result(0);
  };
  auto s = store();
  s.install(ca_);
  auto import = std::vector<std::string>{(jdk_ / "bin/keytool").string(), "-importcert", "-noprompt",
                                         "-alias", ca_.name, "-file", ca_.file.string()};
  for (auto& t : tail()) import.push_back(t);
  EXPECT_EQ(runner_.argvs().back(), import);
  s.install(ca_);  // already there: no second import
  EXPECT_EQ(runner_.argvs().back()[1], "-list");
  s.uninstall(ca_);
  auto del = std::vector<std::string>{(jdk_ / "bin/keytool").string(), "-delete", "-alias", ca_.name};
  for (auto& t : tail()) del.push_back(t);
  auto argvs = runner_.argvs();
  EXPECT_EQ(std::count(argvs.begin(), argvs.end(), del), 1);
}

TEST_F(JavaStoreTest, UninstallAlsoRemovesTheCopyDebiansHookMadeOfOurSystemAnchor) {
  std::set<std::string> aliases{"debian:" + ca_.name + ".pem", "debian:other-root.pem"};
  runner_.handler = [&](const process::Command& c) {
    if (c.argv[1] == "-list") return test::result(aliases.count(c.argv[3]) ? 0 : 1);
    if (c.argv[1] == "-delete") aliases.erase(c.argv[3]);
    return test::result(0);
  };
  store().uninstall(ca_);
  EXPECT_EQ(aliases, (std::set<std::string>{"debian:other-root.pem"}));
}

TEST_F(JavaStoreTest, AReadOnlyCacertsGoesThroughSudoWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write any file; this checks a normal user's path";
  ::chmod((jdk_ / "lib/security/cacerts").c_str(), 0444);
  runner_.programs = {"sudo"};
  auto argv = store(false).keytool_argv({"-importcert"});
  EXPECT_EQ(argv.front(), "sudo");
}

TEST_F(JavaStoreTest, KeytoolFailureNamesTheCommandToRun) {
  runner_.handler = [](const process::Command& c) {
    return c.argv[1] == "-list" ? test::result(1) : test::result(1, "keytool error: java.io.IOException: Keystore was tampered with");
  };
  try {
    store().install(ca_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tampered"), std::string::npos);
    EXPECT_NE(e.fix().find("-importcert"), std::string::npos);
  }
}

}  // namespace
}  // namespace devcert::trust
