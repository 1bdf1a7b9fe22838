// Widening a CA that the stores trust, proved with real clients: the stores hold the new root
// and not the old one, and a leaf issued before widening and one for the newly permitted name
// both verify under the new root alone, in OpenSSL, NSS, Node and Java. Everything happens in a
// temporary HOME and CAROOT; the system store only inside in_private_system_store.sh.
#include <gtest/gtest.h>

#include "support/helpers.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::has;
using test::TempDir;

const std::string kWidenClientsDir = DEVCERT_SOURCE_DIR "/tests/trust/clients/";

class WidenClients : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_tool("certutil")) GTEST_SKIP() << "certutil is not installed (libnss3-tools)";
    firefox_ = tmp_ / "home/.mozilla/firefox/w1.default";
    stdfs::create_directories(firefox_);
    test::write_text(tmp_ / "home/.mozilla/firefox/profiles.ini",
                     "[Profile0]\nName=default\nIsRelative=1\nPath=w1.default\n");
    ASSERT_EQ(test::run_process({"certutil", "-N", "-d", db(), "--empty-password"}).exit_code, 0);
    env_ = {{"HOME", (tmp_ / "home").string()}, {"DEVCERT_TRUST_STORES", "nss"}};
    ASSERT_EQ(devcert({"init"}).exit_code, 0);
    ASSERT_EQ(devcert({"issue", "--cert-file", "before.pem", "--key-file", "before-key.pem", "localhost"}).exit_code, 0);
    auto install = devcert({"install"});
    ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
    old_ = CaCertificate::from_file(tmp_ / "ca/rootCA.pem");
  }
  std::string db() const { return "sql:" + firefox_.string(); }
  test::ProcessResult devcert(const std::vector<std::string>& args) {
    return test::run_devcert(args, tmp_ / "ca", tmp_.path(), env_);
  }
  // NSS's own verdict on `leaf` from a copy of the Firefox database, as devcert left it.
  test::ProcessResult nss_verify(const std::string& leaf) {
    TempDir copy;
    stdfs::copy(firefox_, copy.path(), stdfs::copy_options::recursive);
    std::string spec = "sql:" + copy.path().string();
    test::run_process({"certutil", "-A", "-d", spec, "-t", ",,", "-n", "leaf", "-i", (tmp_ / leaf).string()});
    return test::run_process({"certutil", "-V", "-u", "V", "-d", spec, "-n", "leaf"});
  }

  TempDir tmp_;
  stdfs::path firefox_;
  std::map<std::string, std::string> env_;
  CaCertificate old_;
};

TEST_F(WidenClients, TheStoreHoldsTheNewRootOnlyAndEveryClientAcceptsBothLeaves) {
  auto widen = devcert({"init", "--permit", "mycorp.dev"});
  ASSERT_EQ(widen.exit_code, 0) << widen.out << widen.err;
  CaCertificate now = CaCertificate::from_file(tmp_ / "ca/rootCA.pem");
  ASSERT_NE(now.name, old_.name);
  EXPECT_TRUE(has(widen.out, "the new root " + now.name + ", into the stores that trusted the old one:\n✓ nss: installed"))
      << widen.out;
  EXPECT_TRUE(has(widen.out, "the old root " + old_.name + ", out of them:\n✓ nss: removed")) << widen.out;
  auto listed = test::run_process({"certutil", "-L", "-d", db()}).out;
  EXPECT_TRUE(has(listed, now.name)) << listed;
  EXPECT_FALSE(has(listed, old_.name)) << listed;
  EXPECT_FALSE(stdfs::exists(tmp_ / ("ca/rootCA-previous-" + old_.fingerprint_hex.substr(0, 16) + ".pem")))
      << "no store needs the old root any more";
  EXPECT_EQ(devcert({"status"}).exit_code, 0) << "every store holds the current root";

  ASSERT_EQ(devcert({"issue", "--cert-file", "after.pem", "--key-file", "after-key.pem", "api.mycorp.dev"}).exit_code,
            0);
  const std::string root = (tmp_ / "ca/rootCA.pem").string();
  for (auto [leaf, key, host] : {std::tuple{"before.pem", "before-key.pem", "localhost"},
                                 std::tuple{"after.pem", "after-key.pem", "api.mycorp.dev"}}) {
    SCOPED_TRACE(leaf);
    auto ossl = test::run_process({"openssl", "verify", "-CAfile", root, "-verify_hostname", host,
                                   (tmp_ / leaf).string()});
    EXPECT_EQ(ossl.exit_code, 0) << ossl.out << ossl.err;
    auto nss = nss_verify(leaf);
    EXPECT_EQ(nss.exit_code, 0) << nss.out << nss.err;
    if (test::have_tool("node")) {
      auto node = test::run_process({"node", kWidenClientsDir + "node_verify_leaf.js", root, (tmp_ / leaf).string(),
                                     (tmp_ / key).string(), host});
      EXPECT_EQ(node.exit_code, 0) << node.out << node.err;
      EXPECT_TRUE(has(node.out, std::string("authorized ") + host)) << node.out;
    }
  }
  // The old root is not what makes them valid: a leaf for the new name fails under it.
  auto old_pem = tmp_ / "old-root.pem";
  test::write_text(old_pem, old_.pem);
  EXPECT_NE(test::run_process({"openssl", "verify", "-CAfile", old_pem.string(), (tmp_ / "after.pem").string()})
                .exit_code, 0);

  // Java's PKIX validator does not apply a trust anchor's own nameConstraints (RFC 5280 6.1.1
  // leaves them optional), so Java shows the chain to the new root, not the constraints.
  if (!test::have_tool("keytool") || !test::have_tool("java")) GTEST_SKIP() << "no JDK (default-jdk-headless)";
  auto store = (tmp_ / "truststore.p12").string();
  ASSERT_EQ(test::run_process({"keytool", "-importcert", "-noprompt", "-alias", "devcert", "-file", root,
                               "-keystore", store, "-storetype", "PKCS12", "-storepass", "changeit"})
                .exit_code, 0);
  for (const char* leaf : {"before.pem", "after.pem"}) {
    auto java = test::run_process({"java", kWidenClientsDir + "VerifyLeaf.java", store, (tmp_ / leaf).string()},
                                  {{"HOME", (tmp_ / "home").string()}});
    EXPECT_EQ(java.exit_code, 0) << leaf << ": " << java.out << java.err;
  }
}

// A store whose old root cannot be removed trusts both for a while; the old root's copy stays in
// CAROOT, the command says so and fails, and a later `devcert init` finishes the move.
TEST_F(WidenClients, AStoreThatCannotBeMovedKeepsThePreviousRootUntilInitFinishes) {
  auto previous = tmp_ / ("ca/rootCA-previous-" + old_.fingerprint_hex.substr(0, 16) + ".pem");
  stdfs::create_directories(tmp_ / "bin");
  test::write_text(tmp_ / "bin/certutil",
                   "#!/bin/sh\nfor a; do [ \"$a\" = -D ] && { echo 'SEC_ERROR_READ_ONLY' >&2; exit 1; }; done\n"
                   "exec /usr/bin/certutil \"$@\"\n");
  stdfs::permissions(tmp_ / "bin/certutil", stdfs::perms::owner_all);
  const char* path = std::getenv("PATH");
  auto broken = env_;
  broken["PATH"] = (tmp_ / "bin").string() + ":" + (path ? path : "/usr/bin:/bin");
  auto widen = test::run_devcert({"init", "--permit", "mycorp.dev"}, tmp_ / "ca", tmp_.path(), broken);
  EXPECT_EQ(widen.exit_code, 1) << widen.out << widen.err;
  EXPECT_TRUE(has(widen.out, "✗ nss: failed")) << widen.out;
  EXPECT_TRUE(has(widen.err, "the old root stays in " + previous.string())) << widen.err;
  EXPECT_TRUE(has(widen.err, "run 'devcert init' again")) << widen.err;
  ASSERT_TRUE(stdfs::exists(previous));
  CaCertificate now = CaCertificate::from_file(tmp_ / "ca/rootCA.pem");
  auto listed = test::run_process({"certutil", "-L", "-d", db()}).out;
  EXPECT_TRUE(has(listed, old_.name)) << "the store still trusts the old root: " << listed;
  EXPECT_TRUE(has(listed, now.name)) << "and the new one: " << listed;

  auto finish = devcert({"init"});
  EXPECT_EQ(finish.exit_code, 0) << finish.out << finish.err;
  EXPECT_TRUE(has(finish.out, "✓ nss: already installed")) << finish.out;
  EXPECT_TRUE(has(finish.out, "✓ nss: removed")) << finish.out;
  EXPECT_FALSE(stdfs::exists(previous));
  listed = test::run_process({"certutil", "-L", "-d", db()}).out;
  EXPECT_TRUE(has(listed, now.name)) << listed;
  EXPECT_FALSE(has(listed, old_.name)) << listed;
}

}  // namespace
}  // namespace devcert::trust
