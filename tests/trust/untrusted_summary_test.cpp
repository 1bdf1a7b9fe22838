// The trust hints `devcert init` and `devcert issue` end with, against real NSS databases under
// a temporary HOME.
#include <cstdlib>

#include <gtest/gtest.h>

#include "pki/keys.h"
#include "trust/actions.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

// Sets an environment variable for one test and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A CA in tmp/ca, and HOME at tmp/home holding an empty Firefox NSS database.
class NssHome : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_tool("certutil")) GTEST_SKIP() << "certutil is not installed (libnss3-tools)";
    auto profile = tmp / "home/.mozilla/firefox/a.default";
    stdfs::create_directories(profile);
    ASSERT_EQ(test::run_process({"certutil", "-N", "-d", "sql:" + profile.string(), "--empty-password"}).exit_code, 0);
    test::make_ca(tmp / "ca");
  }

  void install(std::vector<std::string> args) {
    args.insert(args.begin(), "install");
    auto run = test::run_devcert(args, tmp / "ca", {}, {{"HOME", (tmp / "home").string()}});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }

  TempDir tmp;
  ScopedEnv home{"HOME", (tmp / "home").string()};
};

TEST_F(NssHome, UntrustedSummaryNamesTheStoresStillMissingAndTheFix) {
  ScopedEnv stores("DEVCERT_TRUST_STORES", "nss");
  StoreEnvironment env = StoreEnvironment::from_process();
  EXPECT_EQ(untrusted_summary(tmp / "ca", env), "the CA is not trusted yet by: nss; run 'devcert install'");
  install({});
  EXPECT_EQ(untrusted_summary(tmp / "ca", env), "");
  EXPECT_EQ(untrusted_summary(tmp / "no-ca-here", env), "");
}

// DEVCERT_TRUST_STORES is read once, with the rest of the environment, and what selects is the
// value handed in: the variable changing afterwards changes nothing.
TEST_F(NssHome, TheSelectionComesFromTheEnvironmentHandedIn) {
  ScopedEnv stores("DEVCERT_TRUST_STORES", "java, nss");
  StoreEnvironment env = StoreEnvironment::from_process();
  EXPECT_EQ(env.selected_stores, "java, nss");
  ::unsetenv("DEVCERT_TRUST_STORES");
  EXPECT_EQ(StoreEnvironment::from_process().selected_stores, "");
  env.selected_stores = "nss";
  EXPECT_EQ(untrusted_summary(tmp / "ca", env), "the CA is not trusted yet by: nss; run 'devcert install'");
}

// `devcert issue` asks about the stores it names (the system store), whatever
// DEVCERT_TRUST_STORES selects for the other commands, and hands over the root it has loaded.
TEST_F(NssHome, StoresMissingRootChecksExactlyTheNamedStores) {
  ScopedEnv stores("DEVCERT_TRUST_STORES", "java");
  StoreEnvironment env = StoreEnvironment::from_process();
  stdfs::path root_file = tmp / "ca" / "rootCA.pem";
  ossl::X509Ptr root = pki::load_certificate(test::read_text(root_file), root_file.string());
  EXPECT_EQ(stores_missing_root(tmp / "ca", {"nss"}, env), std::vector<std::string>{"nss"});
  EXPECT_EQ(stores_missing_root(root.get(), root_file, {"nss"}, env), std::vector<std::string>{"nss"});
  install({"--store", "nss"});
  EXPECT_TRUE(stores_missing_root(tmp / "ca", {"nss"}, env).empty());
  EXPECT_TRUE(stores_missing_root(root.get(), root_file, {"nss"}, env).empty());
  EXPECT_TRUE(stores_missing_root(tmp / "no-ca-here", {"nss"}, env).empty());
}

}  // namespace
}  // namespace devcert::trust
