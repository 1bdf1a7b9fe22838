// macOS's store is compiled only there; its argv and parsing are checked here.
#include "trust/keychain_store.h"

#include <gtest/gtest.h>

#include "error.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::FakeRunner;
using test::TempDir;

class KeychainStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = test::make_ca(caroot_.path());
    runner_.programs = {"security", "sudo"};
  }
  KeychainStore store(bool is_root = false) { return KeychainStore(runner_, {"/Users/dev", is_root}); }
  TempDir caroot_;
  FakeRunner runner_;
  CaCertificate ca_;
};

TEST_F(KeychainStoreTest, SystemKeychainThroughSudoWithTheAdminDomain) {
  auto s = store();
  EXPECT_EQ(s.add_argv(ca_), (std::vector<std::string>{"sudo", "security", "add-trusted-cert", "-d", "-r",
                                                       "trustRoot", "-k", "/Library/Keychains/System.keychain",
                                                       ca_.file.string()}));
  EXPECT_EQ(s.remove_trust_argv(ca_),
            (std::vector<std::string>{"sudo", "security", "remove-trusted-cert", "-d", ca_.file.string()}));
  EXPECT_EQ(s.delete_argv(ca_), (std::vector<std::string>{"sudo", "security", "delete-certificate", "-Z",
                                                          ca_.sha1_hex, "/Library/Keychains/System.keychain"}));
  EXPECT_EQ(store(true).add_argv(ca_).front(), "security");  // root: no sudo
}

TEST_F(KeychainStoreTest, LoginKeychainWithoutAdmin) {
  runner_.programs = {"security"};
  auto s = store();
  EXPECT_EQ(s.where(), "/Users/dev/Library/Keychains/login.keychain-db");
  EXPECT_EQ(s.add_argv(ca_), (std::vector<std::string>{"security", "add-trusted-cert", "-r", "trustRoot", "-k",
                                                       "/Users/dev/Library/Keychains/login.keychain-db",
                                                       ca_.file.string()}));
}

TEST_F(KeychainStoreTest, ContainsNeedsOurHashAndTrust) {
  runner_.handler = [&](const process::Command& c) {
    if (c.argv[1] == "find-certificate") return test::result(0, "SHA-1 hash: " + ca_.sha1_hex + "\n");
    return test::result(0);
  };
  EXPECT_TRUE(store().contains(ca_));
  runner_.handler = [&](const process::Command& c) {
    if (c.argv[1] == "find-certificate") return test::result(0, "SHA-1 hash: 00112233\n");
    return test::result(0);
  };
  EXPECT_FALSE(store().contains(ca_));
  store().uninstall(ca_);  // not ours: nothing deleted
  for (const auto& argv : runner_.argvs()) EXPECT_NE(argv[1], "delete-certificate");
  EXPECT_EQ(ca_.sha1_hex.size(), 40u);
}

}  // namespace
}  // namespace devcert::trust
