#include "trust/linux_system_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "error.h"
#include "trust/jks_builder.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::FakeRunner;
using test::TempDir;

void os_release(const TempDir& root, const std::string& text) {
  stdfs::create_directories(root / "etc");
  test::write_text(root / "etc/os-release", text);
}

TEST(DetectLinuxLayout, FromOsReleaseIdForEveryFamily) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"debian", "/usr/local/share/ca-certificates"},  {"ubuntu", "/usr/local/share/ca-certificates"},
      {"alpine", "/usr/local/share/ca-certificates"},  {"fedora", "/etc/pki/ca-trust/source/anchors"},
      {"rhel", "/etc/pki/ca-trust/source/anchors"},    {"arch", "/etc/ca-certificates/trust-source/anchors"},
      {"opensuse-tumbleweed", "/etc/pki/trust/anchors"},
  };
  for (const auto& [id, anchors] : cases) {
    TempDir root;
    os_release(root, "NAME=\"X\"\nID=" + id + "\n");
    auto layout = detect_linux_layout(root.path());
    ASSERT_TRUE(layout) << id;
    EXPECT_EQ(layout->anchors_dir, anchors) << id;
  }
}

TEST(DetectLinuxLayout, UpdateCommandsAndExtensionsPerFamily) {
  auto find = [](const std::string& family) {
    for (const auto& l : linux_layouts())
      if (l.family == family) return l;
    throw std::runtime_error("no " + family);
  };
  EXPECT_EQ(find("Debian/Ubuntu").update_argv, (std::vector<std::string>{"update-ca-certificates"}));
  EXPECT_EQ(find("Fedora/RHEL").update_argv, (std::vector<std::string>{"update-ca-trust", "extract"}));
  EXPECT_EQ(find("Arch").update_argv, (std::vector<std::string>{"trust", "extract-compat"}));
  EXPECT_EQ(find("openSUSE").update_argv, (std::vector<std::string>{"update-ca-certificates"}));
  EXPECT_EQ(find("Debian/Ubuntu").extension, ".crt");  // update-ca-certificates reads only *.crt
  EXPECT_EQ(find("Fedora/RHEL").extension, ".pem");
}

TEST(DetectLinuxLayout, FromIdLikeThenFromAnchorsDirectory) {
  TempDir a;
  os_release(a, "ID=someos\nID_LIKE=\"rhel centos fedora\"\n");
  EXPECT_EQ(detect_linux_layout(a.path())->family, "Fedora/RHEL");

  TempDir b;
  stdfs::create_directories(b / "etc/ca-certificates/trust-source/anchors");
  EXPECT_EQ(detect_linux_layout(b.path())->family, "Arch");

  TempDir none;
  EXPECT_FALSE(detect_linux_layout(none.path()));
  FakeRunner runner;
  LinuxSystemStore store(runner, {none.path(), std::nullopt, true});
  auto a_none = store.availability();
  EXPECT_FALSE(a_none.available);
  EXPECT_NE(a_none.why.find("no known system trust store"), std::string::npos);
}

class LinuxSystemStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    os_release(root_, "ID=debian\n");
    stdfs::create_directories(root_ / "usr/local/share/ca-certificates");
    stdfs::create_directories(root_ / "etc/ssl/certs");
    ca_ = test::make_ca(caroot_.path());
    runner_.programs = {"update-ca-certificates", "sudo"};
    // Plays update-ca-certificates: the bundle becomes every anchor's PEM.
    runner_.handler = [this](const process::Command& c) {
      if (c.argv.back() == "update-ca-certificates") {
        std::string bundle = "SYSTEM ROOTS\n";
        for (const auto& e : stdfs::directory_iterator(anchors()))
          bundle += test::read_text(e.path());
        test::write_text(root_ / "etc/ssl/certs/ca-certificates.crt", bundle);
      }
      return test::result(0);
    };
  }
  stdfs::path anchors() const { return root_ / "usr/local/share/ca-certificates"; }
  LinuxSystemStore store(bool is_root = true) { return {runner_, {root_.path(), std::nullopt, is_root}}; }

  TempDir root_, caroot_;
  FakeRunner runner_;
  CaCertificate ca_;
};

TEST_F(LinuxSystemStoreTest, InstallAsRootWritesTheAnchorAndRunsTheUpdateOnce) {
  auto s = store();
  EXPECT_TRUE(s.availability().available);
  EXPECT_FALSE(s.contains(ca_));
  s.install(ca_);
  auto anchor = anchors() / (ca_.name + ".crt");
  EXPECT_EQ(test::read_text(anchor), ca_.pem);
  struct stat st {};
  ::stat(anchor.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(runner_.argvs(), (std::vector<std::vector<std::string>>{{"update-ca-certificates"}}));
  EXPECT_TRUE(s.contains(ca_));
  EXPECT_EQ(ca_.name.size(), std::string("devcert-").size() + 16);
  EXPECT_EQ(ca_.name.substr(8), ca_.fingerprint_hex.substr(0, 16));
}

TEST_F(LinuxSystemStoreTest, AnAnchorNotYetInTheBundleIsNotTrusted) {
  auto s = store();
  test::write_text(anchors() / (ca_.name + ".crt"), ca_.pem);
  test::write_text(root_ / "etc/ssl/certs/ca-certificates.crt", "SYSTEM ROOTS\n");
  EXPECT_FALSE(s.contains(ca_));
  s.install(ca_);
  EXPECT_TRUE(s.contains(ca_));
}

TEST_F(LinuxSystemStoreTest, AnotherCertificateUnderOurNameIsNotOurs) {
  auto s = store();
  TempDir other_root;
  auto other = test::make_ca(other_root.path());
  test::write_text(anchors() / (ca_.name + ".crt"), other.pem);
  EXPECT_FALSE(s.contains(ca_));
}

TEST_F(LinuxSystemStoreTest, NotRootGoesThroughSudoWithTheCertificateOnStdin) {
  auto s = store(false);
  s.install(ca_);
  auto anchor = (anchors() / (ca_.name + ".crt")).string();
  ASSERT_EQ(runner_.commands.size(), 3u);
  EXPECT_EQ(runner_.commands[0].argv, (std::vector<std::string>{"sudo", "mkdir", "-p", anchors().string()}));
  EXPECT_EQ(runner_.commands[1].argv, (std::vector<std::string>{"sudo", "tee", anchor}));
  EXPECT_EQ(runner_.commands[1].input, ca_.pem);
  EXPECT_EQ(runner_.commands[2].argv, (std::vector<std::string>{"sudo", "update-ca-certificates"}));
}

TEST_F(LinuxSystemStoreTest, NotRootWithoutSudoSaysWhatToRun) {
  runner_.programs.erase("sudo");
  auto s = store(false);
  try {
    s.install(ca_);
    FAIL() << "install without root or sudo succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sudo is not installed"), std::string::npos);
    EXPECT_NE(e.fix().find("run devcert as root: sudo DEVCERT_CAROOT="), std::string::npos) << e.fix();
    EXPECT_NE(e.fix().find(" devcert install --store system"), std::string::npos) << e.fix();
  }
  EXPECT_TRUE(runner_.commands.empty());
}

// sudo refused (no password on a terminal, not in sudoers): the fix is devcert itself as root,
// never the step that failed (mkdir of a directory that may well exist).
TEST_F(LinuxSystemStoreTest, ARefusedSudoPointsAtDevcertAsRoot) {
  runner_.handler = [](const process::Command&) { return test::result(1, "", "sudo: a password is required"); };
  auto s = store(false);
  try {
    s.install(ca_);
    FAIL() << "install succeeded though sudo refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a password is required"), std::string::npos) << e.what();
    EXPECT_EQ(e.fix().find("mkdir"), std::string::npos) << e.fix();
    EXPECT_NE(e.fix().find("DEVCERT_CAROOT=" + ca_.file.parent_path().string()), std::string::npos) << e.fix();
  }
}

TEST_F(LinuxSystemStoreTest, AFailingUpdateIsAnErrorWithTheToolsMessage) {
  runner_.handler = [](const process::Command&) { return test::result(1, "", "E: disk full\n"); };
  auto s = store();
  try {
    s.install(ca_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("E: disk full"), std::string::npos) << e.what();
    EXPECT_NE(e.fix().find("update-ca-certificates"), std::string::npos);
  }
}

TEST_F(LinuxSystemStoreTest, MissingUpdateToolIsUnavailableWithThePackage) {
  runner_.programs.clear();
  auto a = store().availability();
  EXPECT_FALSE(a.available);
  EXPECT_EQ(a.why, "update-ca-certificates not found");
  EXPECT_EQ(a.fix, "sudo apt-get install ca-certificates");
}

TEST_F(LinuxSystemStoreTest, UninstallRemovesExactlyOurAnchor) {
  TempDir other_root;
  auto other = test::make_ca(other_root.path());
  test::write_text(anchors() / (other.name + ".crt"), other.pem);
  test::write_text(anchors() / "corp-root.crt", "corporate\n");
  auto s = store();
  s.install(ca_);
  s.uninstall(ca_);
  EXPECT_FALSE(stdfs::exists(anchors() / (ca_.name + ".crt")));
  EXPECT_EQ(test::read_text(anchors() / (other.name + ".crt")), other.pem);
  EXPECT_EQ(test::read_text(anchors() / "corp-root.crt"), "corporate\n");
  EXPECT_EQ(runner_.commands.size(), 2u);  // one update per change
  EXPECT_FALSE(s.contains(ca_));
}

TEST_F(LinuxSystemStoreTest, UninstallRemovesTheLinksDebiansUpdateWouldLeaveDangling) {
  auto certs = root_ / "etc/ssl/certs";
  auto s = store();
  s.install(ca_);
  stdfs::create_symlink(anchors() / (ca_.name + ".crt"), certs / (ca_.name + ".pem"));
  stdfs::create_symlink(ca_.name + ".pem", certs / "10b49423.0");
  stdfs::create_symlink("corp.pem", certs / "aabbccdd.0");
  s.uninstall(ca_);
  EXPECT_FALSE(stdfs::is_symlink(certs / (ca_.name + ".pem")));
  EXPECT_FALSE(stdfs::is_symlink(certs / "10b49423.0"));
  EXPECT_TRUE(stdfs::is_symlink(certs / "aabbccdd.0"));
}

// Debian's ca-certificates-java hook copied our anchor into Java's cacerts on install; the
// update on removal tells it nothing, so uninstall deletes that one alias with keytool.
TEST_F(LinuxSystemStoreTest, UninstallRemovesTheJavaCopyDebiansHookMadeAndNothingElse) {
  runner_.programs.insert("keytool");
  auto s = store();
  s.install(ca_);
  const auto cacerts = root_ / "etc/ssl/certs/java/cacerts";
  test::JksBuilder jks(2);
  jks.trusted("debian:" + ca_.name + ".pem", test::certificate_der(ca_));
  jks.trusted("debian:other-root.pem", "not read");
  stdfs::create_directories(cacerts.parent_path());
  test::write_text(cacerts, jks.bytes());
  s.uninstall(ca_);
  const std::vector<std::string> removal{"/usr/bin/keytool", "-delete", "-alias", "debian:" + ca_.name + ".pem",
                                         "-keystore", cacerts.string(), "-storepass", "changeit"};
  auto argvs = runner_.argvs();
  ASSERT_EQ(argvs.size(), 3u);  // update, update, one keytool run: no JVM to look first
  EXPECT_EQ(argvs.back(), removal);
}

TEST_F(LinuxSystemStoreTest, UninstallStartsNoJvmWhenJavaHasNoCopy) {
  runner_.programs.insert("keytool");
  auto s = store();
  s.install(ca_);
  test::JksBuilder jks(2);
  jks.trusted("debian:other-root.pem", "not read");
  stdfs::create_directories(root_ / "etc/ssl/certs/java");
  test::write_text(root_ / "etc/ssl/certs/java/cacerts", jks.bytes());
  s.uninstall(ca_);
  EXPECT_EQ(runner_.commands.size(), 2u);
}

TEST_F(LinuxSystemStoreTest, UninstallWhenAbsentRunsNothing) {
  store().uninstall(ca_);
  EXPECT_TRUE(runner_.commands.empty());
}

}  // namespace
}  // namespace devcert::trust
