// Many devcert processes at once against one CA: every leaf verifies against the root, serial
// numbers never repeat, and racing writers of the same files leave a key and certificate that
// belong together. (16 concurrent inits: tests/cli/init_test.cpp.)
#include <openssl/bn.h>

#include <functional>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "pki/pki_fixtures.h"
#include "robust/robust_support.h"

namespace devcert::test {
namespace {

class Concurrency : public RobustTest {
 protected:
  void SetUp() override {
    RobustTest::SetUp();
    ASSERT_EQ(devcert({"init"}).exit_code, 0);
  }

  ProcessResult devcert(const std::vector<std::string>& args) const {
    return run_process(devcert_argv(args), devcert_env(caroot, home), work);
  }

  // Runs `n` copies of devcert at once, copy i with `args(i)`.
  std::vector<ProcessResult> run_together(int n, const std::function<std::vector<std::string>(int)>& args) {
    std::vector<ProcessResult> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back([&, i] { results[i] = devcert(args(i)); });
    for (auto& t : threads) t.join();
    return results;
  }
};

std::string serial_hex(X509* cert) {
  ossl::Bignum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex;
  OPENSSL_free(hex);
  return out;
}

TEST_F(Concurrency, FiftyIssuesAtOnceAllVerifyWithUniqueSerials) {
  constexpr int kRuns = 50;
  auto results = run_together(kRuns, [](int i) {
    std::string name = "host" + std::to_string(i) + ".test";
    return std::vector<std::string>{"issue", name, "--cert-file", name + ".pem", "--key-file", name + "-key.pem"};
  });
  auto root = pki::load_certificate(read_text(caroot / "rootCA.pem"), "root");
  std::set<std::string> serials;
  for (int i = 0; i < kRuns; ++i) {
    std::string name = "host" + std::to_string(i) + ".test";
    ASSERT_EQ(results[i].exit_code, 0) << results[i].err;
    EXPECT_EQ(check_pair(work / (name + ".pem"), work / (name + "-key.pem")), "");
    auto leaf = pki::load_certificate(read_text(work / (name + ".pem")), name);
    EXPECT_EQ(pki::testing_support::verify_leaf(leaf.get(), root.get(), name), X509_V_OK) << name;
    serials.insert(serial_hex(leaf.get()));
  }
  EXPECT_EQ(serials.size(), static_cast<std::size_t>(kRuns)) << "a serial number repeated";
  EXPECT_EQ(temp_files(work), 0);
}

// Two issues writing the same files: whichever lands last, key and certificate must be one pair.
TEST_F(Concurrency, RacingIssuesIntoTheSameFilesLeaveAMatchingPair) {
  for (int round = 0; round < 10; ++round) {
    auto results = run_together(8, [](int) {
      return std::vector<std::string>{"issue", "localhost", "--cert-file", "same.pem", "--key-file", "same-key.pem"};
    });
    for (const auto& r : results) ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(check_pair(work / "same.pem", work / "same-key.pem"), "") << "round " << round;
    EXPECT_EQ(temp_files(work), 0);
  }
}

}  // namespace
}  // namespace devcert::test
