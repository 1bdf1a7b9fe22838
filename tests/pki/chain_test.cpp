// Chains as OpenSSL verifies them, strict mode, sslserver purpose, host and IP checks; and the
// root's name constraints enforced by the verifier itself, not only by devcert.
#include <gtest/gtest.h>

#include "error.h"
#include "pki/constraints.h"
#include "pki_fixtures.h"

namespace devcert::pki {
namespace {

using namespace testing_support;

class Chain : public testing::Test {
 protected:
  CertificateAuthority ca = make_ca();
  Leaf leaf = issue_leaf(ca, parse_subject_names({"localhost", "127.0.0.1", "::1", "*.app.test"}), LeafProfile{});
};

TEST_F(Chain, VerifiesForEveryName) {
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "localhost"), X509_V_OK);
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "", "127.0.0.1"), X509_V_OK);
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "", "::1"), X509_V_OK);
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "web.app.test"), X509_V_OK);
}

TEST_F(Chain, RejectsNamesItDoesNotCarry) {
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "other.localhost"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "app.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "a.b.app.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "", "127.0.0.2"), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(Chain, AnotherRootDoesNotVerifyIt) {
  CertificateAuthority other = make_ca();
  EXPECT_EQ(verify_leaf(leaf.cert.get(), other.cert.get(), "localhost"),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

// A leaf for a public name, signed with the CA key directly (bypassing devcert's own check):
// the verifier refuses it because of the root's nameConstraints.
TEST_F(Chain, ConstraintsAreEnforcedByTheVerifier) {
  for (const char* name : {"google.com", "8.8.8.8", "2001:db8::1", "localhost.evil.com"}) {
    auto names = parse_subject_names({name});
    ossl::Pkey key = generate_key(KeyType::ecdsa_p256);
    ossl::X509Ptr rogue = build_leaf(LeafProfile{}, names, key.get(), ca.cert.get(), ca.key.get());
    EXPECT_EQ(verify_leaf(rogue.get(), ca.cert.get()), X509_V_ERR_PERMITTED_VIOLATION) << name;
  }
}

TEST_F(Chain, DevcertRefusesToIssueOutsideConstraints) {
  try {
    issue_leaf(ca, parse_subject_names({"localhost", "google.com"}), LeafProfile{});
    FAIL();
  } catch (const NameError& e) {
    EXPECT_NE(std::string(e.what()).find("google.com is outside the CA's permitted domains"), std::string::npos)
        << e.what();
    EXPECT_NE(e.fix().find("devcert init --permit google.com (init warns: google.com (a public name) reaches public sites"),
              std::string::npos)
        << e.fix();
  }
  try {
    issue_leaf(ca, parse_subject_names({"8.8.8.8"}), LeafProfile{});
    FAIL();
  } catch (const NameError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.0/8"), std::string::npos) << e.what();
    EXPECT_NE(e.fix().find("--permit 8.8.8.8 (init warns: 8.8.8.8/32 (public addresses) reaches public sites"), std::string::npos) << e.fix();
  }
}

TEST(Permit, ExtendsTheConstraintsForDomainsIpsAndCidrs) {
  RootProfile profile;
  profile.user_host = "t@h";
  add_permit(profile.permitted, "corp.mycorp.dev");
  add_permit(profile.permitted, "100.64.0.0/10");
  add_permit(profile.permitted, "2001:db8::/32");
  add_permit(profile.permitted, "203.0.113.7");
  CertificateAuthority ca;
  ca.key = generate_key(KeyType::ecdsa_p256);
  ca.cert = build_root(profile, ca.key.get());

  Leaf leaf = issue_leaf(ca, parse_subject_names({"api.corp.mycorp.dev", "100.100.1.1", "2001:db8::5", "203.0.113.7"}),
                         LeafProfile{});
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "api.corp.mycorp.dev"), X509_V_OK);
  EXPECT_THROW(issue_leaf(ca, parse_subject_names({"mycorp.dev"}), LeafProfile{}), NameError);
  EXPECT_THROW(issue_leaf(ca, parse_subject_names({"203.0.113.8"}), LeafProfile{}), NameError);
}

TEST(Permit, RejectsWhatIsNotADomainOrRange) {
  PermittedSet set = default_permitted();
  EXPECT_THROW(add_permit(set, "10.0.0.0/33"), UsageError);
  EXPECT_THROW(add_permit(set, "*.corp.example"), UsageError);
  EXPECT_THROW(add_permit(set, "bad domain"), UsageError);
  EXPECT_THROW(add_permit(set, "1.2.3.4/x"), UsageError);
  size_t before = set.domains.size();
  add_permit(set, "localhost");  // already there: not duplicated
  EXPECT_EQ(set.domains.size(), before);
}

TEST(Constraints, ReadBackEqualsWhatWasWritten) {
  CertificateAuthority ca = make_ca();
  auto read = read_name_constraints(ca.cert.get());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, default_permitted());
  std::vector<std::string> cidrs;
  for (const auto& r : read->ranges) cidrs.push_back(r.to_string());
  EXPECT_EQ(cidrs, (std::vector<std::string>{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12",
                                             "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10"}));
}

TEST(Constraints, SubdomainMatchingIsByLabel) {
  PermittedSet set = default_permitted();
  auto check = [&](const char* n) { return !constraint_violation(set, classify_name(n)).has_value(); };
  EXPECT_TRUE(check("localhost"));
  EXPECT_TRUE(check("a.b.localhost"));
  EXPECT_TRUE(check("*.app.test"));
  EXPECT_TRUE(check("me@dev.example"));
  EXPECT_FALSE(check("notlocalhost"));
  EXPECT_FALSE(check("localhost.com"));
  EXPECT_TRUE(check("me@example.com"));  // RFC 2606
  EXPECT_FALSE(check("me@example.co"));
  EXPECT_FALSE(check("me@myexample.com"));
  EXPECT_TRUE(check("fd12::1"));
  EXPECT_TRUE(check("172.31.255.255"));
  EXPECT_FALSE(check("172.32.0.1"));
}

}  // namespace
}  // namespace devcert::pki
