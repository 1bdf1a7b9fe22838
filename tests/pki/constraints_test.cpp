#include "pki/constraints.h"

#include <gtest/gtest.h>

namespace devcert::pki {
namespace {

// The public reach review_permitted reports for the defaults plus one --permit value.
std::vector<std::string> reach_of(const std::string& permit) {
  PermittedSet set = default_permitted();
  add_permit(set, permit);
  return review_permitted(set).public_reach;
}

TEST(ReviewPermitted, DefaultsReachNothingPublic) {
  PermitReview review = review_permitted(default_permitted());
  EXPECT_TRUE(review.public_reach.empty());
  EXPECT_EQ(review.domains, (std::vector<std::string>{"localhost", "test", "example", "invalid", "local",
                                                      "internal", "home.arpa", "example.com", "example.net",
                                                      "example.org"}));
  EXPECT_EQ(review.ranges, (std::vector<std::string>{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12",
                                                     "192.168.0.0/16", "169.254.0.0/16", "fc00::/7",
                                                     "fe80::/10"}));
}

TEST(ReviewPermitted, PublicSuffixesAndTopLevelDomainsArePublic) {
  EXPECT_EQ(reach_of("com"), std::vector<std::string>{"com (a top-level domain)"});
  EXPECT_EQ(reach_of("dev"), std::vector<std::string>{"dev (a top-level domain)"});
  EXPECT_EQ(reach_of("corp"), std::vector<std::string>{"corp (a top-level domain)"});  // not delegated yet
  EXPECT_EQ(reach_of("co.uk"), std::vector<std::string>{"co.uk (a public suffix)"});
  EXPECT_EQ(reach_of("github.io"), std::vector<std::string>{"github.io (a public suffix)"});
  EXPECT_EQ(reach_of(".CO.UK"), std::vector<std::string>{"co.uk (a public suffix)"});
}

// Only the special-use names are known never to be someone's site; every other name is public,
// the names above public suffixes included (amazonaws.com holds us-east-1.amazonaws.com).
TEST(ReviewPermitted, EveryNameOutsideTheSpecialUseOnesIsPublic) {
  for (const char* permit : {"google.com", "amazonaws.com", "me.github.io", "example.co.uk", "testing", "mytest"})
    EXPECT_EQ(reach_of(permit).size(), 1u) << permit;
  EXPECT_EQ(reach_of("google.com"), std::vector<std::string>{"google.com (a public name)"});
  EXPECT_EQ(reach_of("amazonaws.com"), std::vector<std::string>{"amazonaws.com (a public name)"});
  EXPECT_EQ(reach_of("me.github.io"), std::vector<std::string>{"me.github.io (a public name)"});
}

// RFC 2606's second-level names are in every tutorial (mkcert's help issues for example.com):
// permitted by default, and as special-use as .test, so never reported as public reach.
TEST(DefaultPermitted, CoversTheRfc2606NamesAndTheirSubdomainsAndNothingBeside) {
  PermittedSet set = default_permitted();
  for (const char* name : {"example.com", "www.example.com", "a.b.example.net", "example.org"})
    EXPECT_EQ(constraint_violation(set, classify_name(name)), std::nullopt) << name;
  for (const char* name : {"myexample.com", "example.co", "com", "example.com.evil.dev"})
    EXPECT_NE(constraint_violation(set, classify_name(name)), std::nullopt) << name;
  EXPECT_TRUE(reach_of("api.example.com").empty());
  EXPECT_TRUE(reach_of("example.org").empty());
}

TEST(ReviewPermitted, SpecialUseNamesAndTheirSubdomainsAreNot) {
  for (const char* permit : {"corp.example", "app.test", "lan.home.arpa", "a.b.internal", "x.localhost",
                             "printer.local", "x.invalid"})
    EXPECT_TRUE(reach_of(permit).empty()) << permit;
}

TEST(ReviewPermitted, PublicAddressSpaceIsPublic) {
  EXPECT_EQ(reach_of("0.0.0.0/0"), std::vector<std::string>{"0.0.0.0/0 (public addresses)"});
  EXPECT_EQ(reach_of("::/0"), std::vector<std::string>{"::/0 (public addresses)"});
  EXPECT_EQ(reach_of("8.8.0.0/16"), std::vector<std::string>{"8.8.0.0/16 (public addresses)"});
  EXPECT_EQ(reach_of("8.8.8.8"), std::vector<std::string>{"8.8.8.8/32 (public addresses)"});
  EXPECT_EQ(reach_of("2001:db8::/32"), std::vector<std::string>{"2001:db8::/32 (public addresses)"});
  // Overlapping a private range is not enough: 172.0.0.0/8 holds 172.16.0.0/12 and public space.
  EXPECT_EQ(reach_of("172.0.0.0/8"), std::vector<std::string>{"172.0.0.0/8 (public addresses)"});
  EXPECT_EQ(reach_of("10.0.0.0/7"), std::vector<std::string>{"10.0.0.0/7 (public addresses)"});
}

TEST(ReviewPermitted, PrivateLoopbackLinkLocalUlaAndSharedSpaceAreNot) {
  for (const char* permit : {"10.1.2.0/24", "10.1.2.3", "172.20.0.0/16", "192.168.7.7", "127.0.0.2",
                             "169.254.1.0/24", "fd12:3456::/48", "fe80::1", "::1", "100.64.0.0/10",
                             "100.100.100.100"})
    EXPECT_TRUE(reach_of(permit).empty()) << permit;
}

TEST(ReviewPermitted, ListsExactlyWhatTheRootMaySign) {
  PermittedSet set = default_permitted();
  add_permit(set, "corp.example");
  add_permit(set, "100.64.0.0/10");
  PermitReview review = review_permitted(set);
  EXPECT_EQ(review.domains.back(), "corp.example");
  EXPECT_EQ(review.ranges.back(), "100.64.0.0/10");
  EXPECT_EQ(review.domains.size(), set.domains.size());
  EXPECT_EQ(review.ranges.size(), set.ranges.size());
}

}  // namespace
}  // namespace devcert::pki
