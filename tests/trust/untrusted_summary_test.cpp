// The trust hints `devcert init` and `devcert issue` end with, against real NSS databases under
// a temporary HOME.
#include <gtest/gtest.h>

#include "pki/keys.h"
#include "trust/actions.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

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

  // Only ever the NSS store of the temporary HOME: the binary inherits this process's
  // environment, and without a selection it would install into the machine's real system and
  // Java stores.
  void install(std::vector<std::string> args) {
    args.insert(args.begin(), "install");
    auto run = test::run_devcert(args, tmp / "ca", {},
                                 {{"HOME", (tmp / "home").string()}, {"DEVCERT_TRUST_STORES", "nss"}});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }

  // The environment a command would hand the trust layer: this HOME, and `stores` as
  // DEVCERT_TRUST_STORES.
  StoreEnvironment environment(const std::string& stores) const {
    return StoreEnvironment::from(Environment({{"HOME", (tmp / "home").string()}, {"DEVCERT_TRUST_STORES", stores}}));
  }

  TempDir tmp;
  process::SystemRunner runner;
};

TEST_F(NssHome, UntrustedSummaryNamesTheStoresStillMissingAndTheFix) {
  StoreEnvironment env = environment("nss");
  EXPECT_EQ(untrusted_summary(tmp / "ca", env, runner), "the CA is not trusted yet by: nss; run 'devcert install'");
  install({});
  EXPECT_EQ(untrusted_summary(tmp / "ca", env, runner), "");
  EXPECT_EQ(untrusted_summary(tmp / "no-ca-here", env, runner), "");
}

// DEVCERT_TRUST_STORES is read once, with the rest of the environment, and what selects is the
// value handed in.
TEST_F(NssHome, TheSelectionComesFromTheEnvironmentHandedIn) {
  StoreEnvironment env = environment("java, nss");
  EXPECT_EQ(env.selected_stores, "java, nss");
  EXPECT_EQ(env.home, tmp / "home");
  env.selected_stores = "nss";
  EXPECT_EQ(untrusted_summary(tmp / "ca", env, runner), "the CA is not trusted yet by: nss; run 'devcert install'");
}

// `devcert issue` asks about the stores it names (the system store), whatever
// DEVCERT_TRUST_STORES selects for the other commands, and hands over the root it has loaded.
TEST_F(NssHome, StoresMissingRootChecksExactlyTheNamedStores) {
  StoreEnvironment env = environment("java");
  stdfs::path root_file = tmp / "ca" / "rootCA.pem";
  ossl::X509Ptr root = pki::load_certificate(test::read_text(root_file), root_file.string());
  EXPECT_EQ(stores_missing_root(tmp / "ca", {"nss"}, env, runner), std::vector<std::string>{"nss"});
  EXPECT_EQ(stores_missing_root(root.get(), root_file, {"nss"}, env, runner), std::vector<std::string>{"nss"});
  install({"--store", "nss"});
  EXPECT_TRUE(stores_missing_root(tmp / "ca", {"nss"}, env, runner).empty());
  EXPECT_TRUE(stores_missing_root(root.get(), root_file, {"nss"}, env, runner).empty());
  EXPECT_TRUE(stores_missing_root(tmp / "no-ca-here", {"nss"}, env, runner).empty());
}

}  // namespace
}  // namespace devcert::trust
