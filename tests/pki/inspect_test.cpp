#include "pki/inspect.h"

#include <gtest/gtest.h>

#include <ctime>

#include "cli/commands.h"
#include "pki_fixtures.h"

namespace devcert::pki {
namespace {

using namespace testing_support;

bool has(const CertificateReport& r, const std::string& code) {
  for (const auto& f : r.findings)
    if (f.code == code) return true;
  return false;
}

class Inspect : public testing::Test {
 protected:
  CertificateAuthority ca = make_ca();
  Leaf leaf = issue_leaf(ca, parse_subject_names({"localhost", "::1"}), LeafProfile{});

  // Shifts the leaf's validity by `days` and re-signs it with the CA key using `md`.
  void resign(long from_days, long to_days, const EVP_MD* md = EVP_sha256()) {
    time_t now = std::time(nullptr);
    X509_time_adj_ex(X509_getm_notBefore(leaf.cert.get()), static_cast<int>(from_days), 0, &now);
    X509_time_adj_ex(X509_getm_notAfter(leaf.cert.get()), static_cast<int>(to_days), 0, &now);
    ASSERT_GT(X509_sign(leaf.cert.get(), ca.key.get(), md), 0);
  }
};

TEST_F(Inspect, CleanDevcertLeaf) {
  CertificateReport r = inspect_certificate(leaf.cert.get(), ca.cert.get());
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.issued_by_devcert_ca, true);
  ASSERT_EQ(r.sans.size(), 2u);
  EXPECT_EQ(r.sans[1], (std::pair<std::string, std::string>{"IP", "::1"}));
  EXPECT_EQ(r.validity_days, 824);
  EXPECT_FALSE(r.is_ca);
  CertificateReport other = inspect_certificate(leaf.cert.get(), make_ca().cert.get());
  EXPECT_EQ(other.issued_by_devcert_ca, false);
  EXPECT_FALSE(inspect_certificate(leaf.cert.get(), nullptr).issued_by_devcert_ca.has_value());
}

TEST_F(Inspect, TheRootItselfHasNoServerFindings) {
  CertificateReport r = inspect_certificate(ca.cert.get(), ca.cert.get());
  EXPECT_TRUE(r.is_ca);
  EXPECT_TRUE(r.findings.empty()) << r.findings.front().code;
}

TEST_F(Inspect, Expired) {
  resign(-30, -1);
  EXPECT_TRUE(has(inspect_certificate(leaf.cert.get(), ca.cert.get()), "expired"));
}

TEST_F(Inspect, NotYetValid) {
  resign(2, 30);
  EXPECT_TRUE(has(inspect_certificate(leaf.cert.get(), ca.cert.get()), "not_yet_valid"));
}

TEST_F(Inspect, Sha1Signature) {
  resign(0, 30, EVP_sha1());
  auto r = inspect_certificate(leaf.cert.get(), ca.cert.get());
  EXPECT_TRUE(has(r, "sha1"));
  EXPECT_FALSE(has(r, "expired"));
}

TEST_F(Inspect, JsonHasEveryField) {
  auto j = cli::inspect_json(inspect_certificate(leaf.cert.get(), ca.cert.get()), std::nullopt);
  for (const char* key : {"ok", "subject", "issuer", "serial", "names", "not_before", "not_after", "days_left",
                          "validity_days", "key_type", "signature_algorithm", "extended_key_usage", "is_ca",
                          "ca", "issued_by_ca", "fingerprint_sha256", "findings"})
    EXPECT_TRUE(j.contains(key)) << key;
}

// The labels of the text report ("DNS:localhost", as OpenSSL prints names) and the JSON's types.
TEST(InspectNames, EveryLabelHasItsJsonType) {
  EXPECT_EQ(san_type("DNS"), "dns");
  EXPECT_EQ(san_type("IP"), "ip");
  EXPECT_EQ(san_type("email"), "email");
  EXPECT_EQ(san_type("URI"), "uri");
  EXPECT_EQ(san_type("other"), "other");
}

}  // namespace
}  // namespace devcert::pki
