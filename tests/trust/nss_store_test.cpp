#include "trust/nss_store.h"

#include <gtest/gtest.h>

#include "error.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::FakeRunner;
using test::TempDir;

void make_db(const stdfs::path& dir, const char* file = "cert9.db") {
  stdfs::create_directories(dir);
  test::write_text(dir / file, "");
}

std::vector<std::string> dirs(const std::vector<NssDatabase>& dbs) {
  std::vector<std::string> out;
  for (const auto& db : dbs) out.push_back(db.dir.string());
  return out;
}

TEST(FindNssDatabases, EveryBrowserLocationTheIssueLists) {
  TempDir home;
  make_db(home / ".pki/nssdb");
  make_db(home / ".local/share/pki/nssdb");
  make_db(home / "snap/chromium/current/.pki/nssdb");
  // profiles.ini: a relative and an absolute profile; plus one only a directory scan finds.
  TempDir elsewhere;
  make_db(home / ".mozilla/firefox/abc.default-release");
  make_db(elsewhere / "custom-profile");
  make_db(home / ".mozilla/firefox/unlisted.dev");
  stdfs::create_directories(home / ".mozilla/firefox/no-db-here");
  test::write_text(home / ".mozilla/firefox/profiles.ini",
                   "[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default\nIsRelative=1\n"
                   "Path=abc.default-release\n\n[Profile1]\nName=custom\nIsRelative=0\nPath=" +
                       (elsewhere / "custom-profile").string() + "\n");
  make_db(home / "snap/firefox/common/.mozilla/firefox/snapprof.default");
  make_db(home / ".var/app/org.mozilla.firefox/.mozilla/firefox/flat.default", "cert8.db");

  auto found = dirs(find_nss_databases(home.path(), {}, false));
  for (const auto& expected :
       {home / ".pki/nssdb", home / ".local/share/pki/nssdb", home / "snap/chromium/current/.pki/nssdb",
        home / ".mozilla/firefox/abc.default-release", elsewhere / "custom-profile",
        home / ".mozilla/firefox/unlisted.dev",
        home / "snap/firefox/common/.mozilla/firefox/snapprof.default",
        home / ".var/app/org.mozilla.firefox/.mozilla/firefox/flat.default"})
    EXPECT_NE(std::find(found.begin(), found.end(), expected.string()), found.end()) << expected;
  EXPECT_EQ(found.size(), 8u);  // no-db-here is not a database, and nothing is listed twice
}

std::string profiles_ini(const std::string& name, const std::string& path) {
  return "[Install4F96D1932A9F858E]\nDefault=" + path + "\nLocked=1\n\n[Profile0]\nName=" + name +
         "\nIsRelative=1\nPath=" + path + "\nDefault=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n";
}

const NssDatabase* find_dir(const std::vector<NssDatabase>& dbs, const stdfs::path& dir) {
  for (const auto& db : dbs)
    if (db.dir == dir) return &db;
  return nullptr;
}

// Each Firefox root nsXREDirProvider resolves (legacy, XDG default, XDG_CONFIG_HOME; the snap's
// and the flatpak's legacy and XDG homes): a profile profiles.ini lists there is found, named
// after its Name=, even before Firefox has given it a database.
TEST(FindNssDatabases, FirefoxProfilesInEveryLayoutFirefoxUses) {
  TempDir home;
  TempDir xdg;
  const std::vector<std::pair<stdfs::path, std::string>> roots{
      {home / ".mozilla/firefox", "Firefox profile "},
      {home / ".config/mozilla/firefox", "Firefox profile "},
      {xdg / "mozilla/firefox", "Firefox profile "},
      {home / "snap/firefox/common/.mozilla/firefox", "Firefox (snap) profile "},
      {home / "snap/firefox/common/.config/mozilla/firefox", "Firefox (snap) profile "},
      {home / ".var/app/org.mozilla.firefox/.mozilla/firefox", "Firefox (flatpak) profile "},
      {home / ".var/app/org.mozilla.firefox/config/mozilla/firefox", "Firefox (flatpak) profile "},
  };
  int n = 0;
  for (const auto& [root, label] : roots) {
    std::string name = "p" + std::to_string(n++);
    stdfs::create_directories(root / ("x." + name));
    if (n % 2) make_db(root / ("x." + name));
    test::write_text(root / "profiles.ini", profiles_ini(name, "x." + name));
  }
  auto found = find_nss_databases(home.path(), xdg.path(), false);
  ASSERT_EQ(found.size(), roots.size());
  n = 0;
  for (const auto& [root, label] : roots) {
    std::string name = "p" + std::to_string(n++);
    const auto* db = find_dir(found, root / ("x." + name));
    ASSERT_NE(db, nullptr) << root;
    EXPECT_EQ(db->label, label + name);
    EXPECT_EQ(db->exists, n % 2 == 1) << root;
  }
  // Without XDG_CONFIG_HOME that root is not looked at; a relative value is ignored, as Firefox does.
  EXPECT_EQ(find_nss_databases(home.path(), {}, false).size(), roots.size() - 1);
  EXPECT_EQ(find_nss_databases(home.path(), "relative/dir", false).size(), roots.size() - 1);
}

TEST(FindNssDatabases, AProfileListedTwiceOrThroughASymlinkIsOneDatabase) {
  TempDir home;
  make_db(home / ".config/mozilla/firefox/a.default");
  test::write_text(home / ".config/mozilla/firefox/profiles.ini", profiles_ini("default", "a.default"));
  stdfs::create_directories(home / ".mozilla");
  stdfs::create_directory_symlink(home / ".config/mozilla/firefox", home / ".mozilla/firefox");
  auto found = find_nss_databases(home.path(), home / ".config", false);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].label, "Firefox profile default");
}

TEST(FindNssDatabases, ChromiumFamilySnapsAndFlatpaks) {
  TempDir home;
  const std::vector<std::pair<const char*, const char*>> expected{
      {"snap/chromium/current/.pki/nssdb", "Chromium (snap)"},
      {"snap/brave/current/.pki/nssdb", "Brave (snap)"},
      {".var/app/org.chromium.Chromium/.pki/nssdb", "Chromium (flatpak)"},
      {".var/app/com.google.Chrome/.pki/nssdb", "Chrome (flatpak)"},
      {".var/app/com.brave.Browser/.pki/nssdb", "Brave (flatpak)"},
      {".var/app/com.vivaldi.Vivaldi/.pki/nssdb", "Vivaldi (flatpak)"},
      {".var/app/com.microsoft.Edge/.pki/nssdb", "Edge (flatpak)"},
  };
  for (const auto& [dir, label] : expected) make_db(home / dir);
  // A flatpak app's directory without a database is nothing to create: it is not installed.
  stdfs::create_directories(home / ".var/app/com.vivaldi.Vivaldi/.pki");
  auto found = find_nss_databases(home.path(), {}, true);
  for (const auto& [dir, label] : expected) {
    const auto* db = find_dir(found, home / dir);
    ASSERT_NE(db, nullptr) << dir;
    EXPECT_EQ(db->label, label);
  }
  // chromium_installed: the shared ~/.pki/nssdb is planned too.
  ASSERT_NE(find_dir(found, home / ".pki/nssdb"), nullptr);
  EXPECT_FALSE(find_dir(found, home / ".pki/nssdb")->exists);
  EXPECT_EQ(found.size(), expected.size() + 1);
}

// Distribution builds of Chromium patched to the XDG data directory: $XDG_DATA_HOME/pki/nssdb,
// else ~/.local/share/pki/nssdb.
TEST(FindNssDatabases, ChromiumPatchedToXdgDataHome) {
  TempDir home, data;
  make_db(data / "pki/nssdb");
  make_db(home / ".local/share/pki/nssdb");
  auto found = find_nss_databases(home.path(), {}, false, data.path());
  ASSERT_NE(find_dir(found, data / "pki/nssdb"), nullptr);
  EXPECT_EQ(find_dir(found, data / "pki/nssdb")->label, "Chromium/Chrome (XDG)");
  EXPECT_NE(find_dir(found, home / ".local/share/pki/nssdb"), nullptr);
  EXPECT_EQ(find_dir(found, home / ".pki/nssdb"), nullptr) << "no Chromium installed: nothing to create";
}

TEST(FindNssDatabases, LegacyDbmAndSqlSpecs) {
  TempDir home;
  make_db(home / "a", "cert8.db");
  make_db(home / "b", "cert9.db");
  EXPECT_EQ((NssDatabase{home / "a", ""}.spec()), "dbm:" + (home / "a").string());
  EXPECT_EQ((NssDatabase{home / "b", ""}.spec()), "sql:" + (home / "b").string());
}

TEST(FindNssDatabases, ChromiumWithoutADatabaseGetsOneToCreate) {
  TempDir home;
  auto none = find_nss_databases(home.path(), {}, false);
  EXPECT_TRUE(none.empty());
  auto planned = find_nss_databases(home.path(), {}, true);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].dir, home / ".pki/nssdb");
  EXPECT_FALSE(planned[0].exists);
  // With the XDG database present, Chromium reads that one: nothing to create.
  make_db(home / ".local/share/pki/nssdb");
  auto xdg = find_nss_databases(home.path(), {}, true);
  ASSERT_EQ(xdg.size(), 1u);
  EXPECT_TRUE(xdg[0].exists);
}

class NssStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = test::make_ca(caroot_.path());
    runner_.programs = {"certutil"};
    // Plays certutil over an in-memory set of (db, nickname) -> PEM.
    runner_.handler = [this](const process::Command& c) {
      const auto& a = c.argv;
      std::string db = a.size() > 3 ? a[3] : "";
      if (a[1] == "-L") {
        auto it = entries_.find(db + "|" + a[5]);
        return it == entries_.end() ? test::result(255, "", "could not find cert") : test::result(0, it->second);
      }
      if (a[1] == "-A") entries_[db + "|" + a[7]] = ca_.pem;
      if (a[1] == "-D") entries_.erase(db + "|" + a[5]);
      if (a[1] == "-N") make_db(db.substr(4));
      return test::result(0);
    };
  }
  NssStore store() { return NssStore(runner_, {home_.path()}); }

  TempDir home_, caroot_;
  FakeRunner runner_;
  CaCertificate ca_;
  std::map<std::string, std::string> entries_;
};

TEST_F(NssStoreTest, InstallAddsToEveryDatabaseWithTrustFlagsCSSL) {
  make_db(home_ / ".pki/nssdb");
  make_db(home_ / ".mozilla/firefox/p.default");
  auto s = store();
  ASSERT_TRUE(s.availability().available);
  EXPECT_FALSE(s.contains(ca_));
  s.install(ca_);
  EXPECT_TRUE(s.contains(ca_));
  std::vector<std::vector<std::string>> adds;
  for (const auto& argv : runner_.argvs())
    if (argv[1] == "-A") adds.push_back(argv);
  ASSERT_EQ(adds.size(), 2u);
  EXPECT_EQ(adds[0], (std::vector<std::string>{"/usr/bin/certutil", "-A", "-d",
                                               "sql:" + (home_ / ".pki/nssdb").string(), "-t", "C,,",
                                               "-n", ca_.name, "-i", ca_.file.string()}));
}

TEST_F(NssStoreTest, CreatesChromiumsDatabaseWhenChromiumHasNone) {
  runner_.programs.insert("chromium");
  auto s = store();
  EXPECT_TRUE(s.availability().available);
  EXPECT_NE(s.where().find("(to create)"), std::string::npos);
  s.install(ca_);
  auto argvs = runner_.argvs();
  ASSERT_GE(argvs.size(), 2u);
  EXPECT_EQ(argvs[0], (std::vector<std::string>{"/usr/bin/certutil", "-N", "-d",
                                                "sql:" + (home_ / ".pki/nssdb").string(),
                                                "--empty-password"}));
  EXPECT_TRUE(s.contains(ca_));
}

TEST_F(NssStoreTest, UninstallDeletesOnlyOurNicknameAndOnlyWhenTheFingerprintIsOurs) {
  make_db(home_ / ".pki/nssdb");
  std::string db = "sql:" + (home_ / ".pki/nssdb").string();
  TempDir other_root;
  auto other = test::make_ca(other_root.path());
  entries_[db + "|" + ca_.name] = other.pem;  // our nickname, someone else's certificate
  auto s = store();
  s.uninstall(ca_);
  for (const auto& argv : runner_.argvs()) EXPECT_NE(argv[1], "-D");
  entries_[db + "|" + ca_.name] = ca_.pem;
  s.uninstall(ca_);
  EXPECT_EQ(runner_.argvs().back()[1], "-L");
  int deletes = 0;
  for (const auto& argv : runner_.argvs())
    if (argv[1] == "-D") {
      ++deletes;
      EXPECT_EQ(argv, (std::vector<std::string>{"/usr/bin/certutil", "-D", "-d", db, "-n", ca_.name}));
    }
  EXPECT_EQ(deletes, 1);
  EXPECT_FALSE(s.contains(ca_));
}

TEST_F(NssStoreTest, UnavailableSaysWhyAndWhichPackage) {
  auto nothing = store().availability();
  EXPECT_FALSE(nothing.available);
  EXPECT_NE(nothing.why.find("no Firefox profile and no Chromium"), std::string::npos);

  make_db(home_ / ".pki/nssdb");
  runner_.programs.clear();
  auto no_tool = store().availability();
  EXPECT_FALSE(no_tool.available);
  EXPECT_EQ(no_tool.why, "certutil not found");
  EXPECT_NE(no_tool.fix.find("libnss3-tools"), std::string::npos);
}

TEST_F(NssStoreTest, AFailingDatabaseIsReportedAfterTheOthersAreDone) {
  make_db(home_ / ".pki/nssdb");
  make_db(home_ / ".mozilla/firefox/locked.default");
  auto inner = runner_.handler;
  runner_.handler = [&](const process::Command& c) {
    if (c.argv[1] == "-A" && c.argv[3].find("locked") != std::string::npos)
      return test::result(255, "", "SEC_ERROR_BAD_DATABASE: database is locked");
    return inner(c);
  };
  auto s = store();
  try {
    s.install(ca_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("database is locked"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s.database_contains(s.databases()[0], ca_));
}

}  // namespace
}  // namespace devcert::trust
