// Widening a CA that the system store trusts, inside a private mount namespace
// (in_private_system_store.sh): the real update-ca-certificates leaves the new root in the store
// and the old one gone, and curl, which reads only the system store, accepts a loopback
// openssl s_server serving a leaf issued before widening and one for the new name.
#include <gtest/gtest.h>

#include "support/helpers.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::has;
using test::TempDir;

TEST(WidenSystemStore, TheStoreSwapsTheOldRootForTheNewAndCurlAcceptsBothLeaves) {
  if (!test::have_tool("update-ca-certificates") && !stdfs::exists("/usr/sbin/update-ca-certificates"))
    GTEST_SKIP() << "update-ca-certificates is not installed (Debian package ca-certificates)";
  if (!test::have_tool("unshare") || !test::have_tool("curl")) GTEST_SKIP() << "needs unshare and curl";
  TempDir tmp;
  stdfs::create_directories(tmp / "home");
  // Each server serves one leaf to one connection (-naccept 1) on a port the kernel picks,
  // read from its "ACCEPT 127.0.0.1:PORT" line; the script waits for the line, not for time.
  auto r = test::in_private_system_store(tmp, R"SH(
set -u
PATH=$PATH:/usr/sbin
update-ca-certificates >/dev/null 2>&1
serve_and_curl() {  # LEAF KEY HOST
  openssl s_server -accept 127.0.0.1:0 -cert "$1" -key "$2" -www -naccept 1 >server.out 2>&1 &
  pid=$!
  for _ in $(seq 1 500); do grep -q '^ACCEPT' server.out && break; sleep 0.02; done
  port=$(sed -n 's/^ACCEPT 127.0.0.1:\([0-9]*\)$/\1/p' server.out)
  curl -sS -o /dev/null --resolve "$3:$port:127.0.0.1" "https://$3:$port/"; echo "curl-$3=$?"
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
}
"$DEVCERT_BIN" init >/dev/null
"$DEVCERT_BIN" issue --cert-file before.pem --key-file before-key.pem localhost >/dev/null
"$DEVCERT_BIN" install --store system >/dev/null; echo "install=$?"
echo "old=$(ls /usr/local/share/ca-certificates | grep devcert)"
DEVCERT_TRUST_STORES=system "$DEVCERT_BIN" init --permit mycorp.dev; echo "widen=$?"
echo "now=$(ls /usr/local/share/ca-certificates | grep devcert)"
echo "linked=$(ls /etc/ssl/certs | grep devcert | tr '\n' ' ')"
"$DEVCERT_BIN" issue --cert-file after.pem --key-file after-key.pem api.mycorp.dev >/dev/null; echo "issue=$?"
serve_and_curl before.pem before-key.pem localhost
serve_and_curl after.pem after-key.pem api.mycorp.dev
ls "$DEVCERT_CAROOT"
)SH");
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  SCOPED_TRACE(r.out + r.err);
  EXPECT_TRUE(has(r.out, "install=0"));
  EXPECT_TRUE(has(r.out, "widen=0"));
  EXPECT_TRUE(has(r.out, "✓ system: removed"));
  EXPECT_TRUE(has(r.out, "✓ system: installed"));
  auto value = [&](const std::string& key) {
    auto at = r.out.find(key + "=");
    return at == std::string::npos ? std::string() : r.out.substr(at + key.size() + 1, r.out.find('\n', at) - at - key.size() - 1);
  };
  std::string old_file = value("old"), new_file = value("now");
  ASSERT_TRUE(old_file.starts_with("devcert-")) << old_file;
  ASSERT_TRUE(new_file.starts_with("devcert-")) << new_file;
  EXPECT_NE(old_file, new_file) << "the store holds the new root, and only it";
  std::string old_stem = old_file.substr(0, old_file.rfind('.'));
  EXPECT_FALSE(has(value("linked"), old_stem)) << value("linked");
  EXPECT_TRUE(has(value("linked"), new_file.substr(0, new_file.rfind('.')))) << value("linked");
  EXPECT_TRUE(has(r.out, "issue=0"));
  EXPECT_TRUE(has(r.out, "curl-localhost=0"));
  EXPECT_TRUE(has(r.out, "curl-api.mycorp.dev=0"));
  EXPECT_FALSE(has(r.out, "rootCA-previous-")) << "no store needs the old root's copy";
}

}  // namespace
}  // namespace devcert::trust
