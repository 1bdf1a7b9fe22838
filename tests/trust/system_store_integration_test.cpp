// The real update-ca-certificates and OpenSSL's default verify paths, on a private copy of
// the system store inside a mount namespace (tests/trust/in_private_system_store.sh).
#include <gtest/gtest.h>

#include "support/helpers.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

using test::in_private_system_store;

using test::has;

class SystemStoreIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_tool("update-ca-certificates") && !stdfs::exists("/usr/sbin/update-ca-certificates"))
      GTEST_SKIP() << "update-ca-certificates is not installed (Debian package ca-certificates)";
    if (!test::have_tool("unshare")) GTEST_SKIP() << "unshare is not installed (util-linux)";
    stdfs::create_directories(tmp_ / "home");
    auto init = test::run_devcert({"init"}, tmp_ / "ca");
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto leaf = test::run_devcert({"issue", "--cert-file", (tmp_ / "leaf.pem").string(), "--key-file",
                                   (tmp_ / "leaf-key.pem").string(), "localhost"},
                                  tmp_ / "ca", tmp_.path());
    ASSERT_EQ(leaf.exit_code, 0) << leaf.err;
  }
  TempDir tmp_;
};

TEST_F(SystemStoreIntegration, InstallTrustsUninstallRestoresTheStoreByteForByte) {
  // Start from the store as update-ca-certificates itself leaves it: a hand-made machine may
  // hold files where the tool keeps links, and that is not devcert's change to undo.
  auto r = in_private_system_store(tmp_, R"SH(
set -u
update-ca-certificates >/dev/null 2>&1 || PATH=$PATH:/usr/sbin update-ca-certificates >/dev/null
stores="/usr/local/share/ca-certificates /etc/ssl/certs"
before=$("$SNAPSHOT" $stores)
openssl verify leaf.pem >/dev/null 2>&1; echo "verify-before=$?"
"$DEVCERT_BIN" install --store system; echo "install=$?"
openssl verify leaf.pem >/dev/null 2>&1; echo "verify-installed=$?"
ls /usr/local/share/ca-certificates
"$DEVCERT_BIN" status --store system >/dev/null; echo "status-installed=$?"
"$DEVCERT_BIN" install --store system; echo "install-again=$?"
"$DEVCERT_BIN" uninstall --store system; echo "uninstall=$?"
openssl verify leaf.pem >/dev/null 2>&1; echo "verify-after=$?"
"$DEVCERT_BIN" status --store system >/dev/null; echo "status-after=$?"
after=$("$SNAPSHOT" $stores)
[ "$before" = "$after" ] && echo "store-identical=yes" || { echo "store-identical=no"; diff <(echo "$before") <(echo "$after") | head -20; }
)SH");
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  SCOPED_TRACE(r.out + r.err);
  EXPECT_FALSE(has(r.out, "verify-before=0"));
  EXPECT_TRUE(has(r.out, "install=0"));
  EXPECT_TRUE(has(r.out, "✓ system: installed"));
  EXPECT_TRUE(has(r.out, "verify-installed=0"));
  EXPECT_TRUE(has(r.out, "status-installed=0"));
  EXPECT_TRUE(has(r.out, "✓ system: already installed"));
  EXPECT_TRUE(has(r.out, "nothing changed"));
  EXPECT_TRUE(has(r.out, "uninstall=0"));
  EXPECT_TRUE(has(r.out, "✓ system: removed"));
  EXPECT_FALSE(has(r.out, "verify-after=0"));
  EXPECT_TRUE(has(r.out, "status-after=1"));
  EXPECT_TRUE(has(r.out, "store-identical=yes"));
}

TEST_F(SystemStoreIntegration, TwoCaRootsCoexistAndUninstallRemovesOnlyOne) {
  auto second = test::run_devcert({"init"}, tmp_ / "ca2");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto r = in_private_system_store(tmp_, R"SH(
set -u
"$DEVCERT_BIN" install --store system >/dev/null; echo "install1=$?"
DEVCERT_CAROOT="$DEVCERT_CAROOT"2 "$DEVCERT_BIN" install --store system >/dev/null; echo "install2=$?"
echo "anchors=$(ls /usr/local/share/ca-certificates | grep -c '^devcert-')"
"$DEVCERT_BIN" uninstall --store system >/dev/null; echo "uninstall1=$?"
echo "anchors-left=$(ls /usr/local/share/ca-certificates | grep -c '^devcert-')"
DEVCERT_CAROOT="$DEVCERT_CAROOT"2 "$DEVCERT_BIN" status --store system >/dev/null; echo "status2=$?"
openssl verify leaf.pem >/dev/null 2>&1; echo "verify1=$?"
DEVCERT_CAROOT="$DEVCERT_CAROOT"2 "$DEVCERT_BIN" uninstall --store system >/dev/null
)SH");
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  SCOPED_TRACE(r.out + r.err);
  EXPECT_TRUE(has(r.out, "install1=0"));
  EXPECT_TRUE(has(r.out, "install2=0"));
  EXPECT_TRUE(has(r.out, "anchors=2"));
  EXPECT_TRUE(has(r.out, "anchors-left=1"));
  EXPECT_TRUE(has(r.out, "status2=0"));
  EXPECT_FALSE(has(r.out, "verify1=0"));
}

}  // namespace
}  // namespace devcert::trust
