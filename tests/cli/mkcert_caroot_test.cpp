// Coming from mkcert: devcert works on the CA mkcert made, as the README says. mkcert itself
// makes the CAROOT (no trust store is touched: only -install does that).
#include <gtest/gtest.h>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

class MkcertCaroot : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (!have_tool("mkcert")) GTEST_SKIP() << "mkcert is not installed (scripts/deps.sh --test installs it)";
    auto made = run_process({"mkcert", "-cert-file", (tmp / "m.pem").string(), "-key-file",
                             (tmp / "m-key.pem").string(), "localhost"},
                            {{"CAROOT", caroot.string()}, {"HOME", (tmp / "home").string()}}, tmp.path());
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ASSERT_TRUE(stdfs::exists(caroot / "rootCA-key.pem"));
  }
};

TEST_F(MkcertCaroot, DevcertIssuesFromItAndNeverRewritesIt) {
  auto ca_files = [&] {
    return std::make_pair(read_text(caroot / "rootCA.pem"), read_text(caroot / "rootCA-key.pem"));
  };
  auto before = ca_files();
  auto issued = devcert({"issue", "localhost", "127.0.0.1", "::1"}, {{"HOME", (tmp / "home").string()}});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  auto verified = run_process({"openssl", "verify", "-CAfile", (caroot / "rootCA.pem").string(),
                               (work / "localhost+2.pem").string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto init = devcert({"init"}, {{"HOME", (tmp / "home").string()}});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  // Compared without printing: one of them is a private key.
  EXPECT_TRUE(ca_files() == before) << "the mkcert CA is used as it is (devcert adds only its .lock)";
}

}  // namespace
}  // namespace devcert::test
