#include "pki/leaf_rules.h"

#include <gtest/gtest.h>

#include "error.h"
#include "pki/profiles.h"

namespace devcert::pki {
namespace {

TEST(ParseSubjectNames, KeepsOrderAndDropsDuplicates) {
  auto names = parse_subject_names({"localhost", "127.0.0.1", "LOCALHOST", "::1", "0:0::1"});
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0].value, "localhost");
  EXPECT_EQ(names[1].value, "127.0.0.1");
  EXPECT_EQ(names[2].value, "::1");
  EXPECT_EQ(names[2].ip_bytes, std::string(15, '\0') + "\x01");
}

TEST(ParseSubjectNames, EmptyListIsAUsageError) {
  try {
    parse_subject_names({});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(ParseSubjectNames, StopsAtTheFirstBadName) {
  EXPECT_THROW(parse_subject_names({"localhost", "localhost:8443"}), NameError);
}

// The index lets devcert.toml point at the element; the message stays classify_name's own.
TEST(ParseSubjectNames, SaysWhichInputItRefused) {
  try {
    parse_subject_names({"localhost", "localhost", "a.test", "localhost:8443", "b:1"});
    FAIL() << "accepted a port";
  } catch (const SubjectNameError& e) {
    EXPECT_EQ(e.index(), 3u) << "counted over the inputs, duplicates included";
    EXPECT_EQ(std::string(e.what()).rfind("invalid name 'localhost:8443': ports are not part", 0), 0u) << e.what();
    EXPECT_EQ(e.fix(), "a certificate covers every port: devcert issue localhost");
    EXPECT_EQ(e.exit_code(), 1);
  }
}

TEST(DefaultFileStem, FollowsMkcertNaming) {
  EXPECT_EQ(default_file_stem(parse_subject_names({"localhost", "127.0.0.1", "::1"})), "localhost+2");
  EXPECT_EQ(default_file_stem(parse_subject_names({"*.app.test"})), "_wildcard.app.test");
  EXPECT_EQ(default_file_stem(parse_subject_names({"::1"})), "__1");
  EXPECT_EQ(default_file_stem(parse_subject_names({"app.test"})), "app.test");
}

TEST(DefaultLeafFiles, CountTheNamesAfterDuplicatesAreDropped) {
  LeafFileNames one = default_leaf_files(parse_subject_names({"app.test", "app.test", "APP.test."}));
  EXPECT_EQ(one.cert, "app.test.pem");
  EXPECT_EQ(one.key, "app.test-key.pem");
  LeafFileNames three = default_leaf_files(parse_subject_names({"localhost", "127.0.0.1", "::1", "::0:1"}));
  EXPECT_EQ(three.cert, "localhost+2.pem");
  EXPECT_EQ(three.key, "localhost+2-key.pem");
}

TEST(LeafDays, BoundedBy825AndNamingNoFlag) {
  EXPECT_EQ(leaf_days(1), 1);
  EXPECT_EQ(leaf_days(kMaxLeafDays), 825);
  for (int64_t days : {int64_t{0}, int64_t{-1}, int64_t{826}, int64_t{1} << 40}) {
    try {
      leaf_days(days);
      FAIL() << days << " accepted";
    } catch (const LeafDaysError& e) {
      EXPECT_EQ(e.days(), days);
      EXPECT_EQ(std::string(e.what()),
                "a leaf certificate's validity must be between 1 and 825 (Apple rejects longer TLS "
                "certificates), not " + std::to_string(days) + " days");
      // The command line and devcert.toml each say which setting it was.
      EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos);
    }
  }
  EXPECT_EQ(LeafDaysError::allowed(), "between 1 and 825 (Apple rejects longer TLS certificates)");
}

}  // namespace
}  // namespace devcert::pki
