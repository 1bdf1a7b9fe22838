// The Firefox enterprise policy edits: merged into whatever policies.json holds, every other key
// kept, refused (nothing changed) when it is not JSON, and undone exactly by uninstall.
#include "trust/firefox_policy.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "error.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using nlohmann::json;
using test::TempDir;

const stdfs::path kFile = "/etc/firefox/policies/policies.json";

TEST(FirefoxPolicyJson, NewFileHoldsOnlyOurEntry) {
  auto text = policy_with_root("", "/ca/rootCA.pem", kFile);
  EXPECT_EQ(json::parse(text), json::parse(R"({"policies":{"Certificates":{"Install":["/ca/rootCA.pem"]}}})"));
  EXPECT_TRUE(policy_lists_root(text, "/ca/rootCA.pem", kFile));
  EXPECT_FALSE(policy_lists_root(text, "/other/rootCA.pem", kFile));
  EXPECT_EQ(policy_without_root(text, "/ca/rootCA.pem", kFile), std::nullopt);
}

TEST(FirefoxPolicyJson, OtherPoliciesAndInstallEntriesStay) {
  std::string before = R"({"policies":{"DisableAppUpdate":true,
    "Certificates":{"ImportEnterpriseRoots":true,"Install":["corp.pem"]}},"extra":[1,2]})";
  auto text = policy_with_root(before, "/ca/rootCA.pem", kFile);
  auto doc = json::parse(text);
  EXPECT_EQ(doc["policies"]["DisableAppUpdate"], true);
  EXPECT_EQ(doc["policies"]["Certificates"]["ImportEnterpriseRoots"], true);
  EXPECT_EQ(doc["policies"]["Certificates"]["Install"], json::parse(R"(["corp.pem","/ca/rootCA.pem"])"));
  EXPECT_EQ(doc["extra"], json::parse("[1,2]"));
  auto after = policy_without_root(text, "/ca/rootCA.pem", kFile);
  ASSERT_TRUE(after);
  EXPECT_EQ(json::parse(*after), json::parse(before));
}

TEST(FirefoxPolicyJson, OursAlreadyThereIsNotDuplicated) {
  auto once = policy_with_root("", "/ca/rootCA.pem", kFile);
  EXPECT_EQ(policy_with_root(once, "/ca/rootCA.pem", kFile), once);
}

TEST(FirefoxPolicyJson, KeysWeEmptyGoOthersStay) {
  auto after = policy_without_root(R"({"policies":{"Certificates":{"Install":["/ca/rootCA.pem"]},"X":1}})",
                                   "/ca/rootCA.pem", kFile);
  ASSERT_TRUE(after);
  EXPECT_EQ(json::parse(*after), json::parse(R"({"policies":{"X":1}})"));
}

TEST(FirefoxPolicyJson, InvalidJsonOrWrongShapesAreRefusedNamingTheFile) {
  for (std::string bad : {"{\"policies\": {", "[1]", R"({"policies":[]})", R"({"policies":{"Certificates":1}})",
                          R"({"policies":{"Certificates":{"Install":"x.pem"}}})"}) {
    try {
      policy_with_root(bad, "/ca/rootCA.pem", kFile);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(kFile.string()), std::string::npos) << e.what();
      EXPECT_NE(e.fix().find("--firefox-policy"), std::string::npos) << e.fix();
    }
  }
}

class FirefoxPolicyStoreTest : public ::testing::Test {
 protected:
  TempDir tmp;
  CaCertificate ca = test::make_ca(tmp / "ca");
  stdfs::path file = tmp / "etc/firefox/policies/policies.json";
  FirefoxPolicyStore store{{file, true}};
};

TEST_F(FirefoxPolicyStoreTest, UninstallRemovesTheFileAndDirectoriesItCreated) {
  stdfs::create_directories(tmp / "etc");  // there before: stays
  store.install(ca);
  EXPECT_TRUE(store.contains(ca));
  EXPECT_TRUE(policy_lists_root(test::read_text(file), ca.file.string(), file));
  store.uninstall(ca);
  EXPECT_FALSE(stdfs::exists(file));
  EXPECT_FALSE(stdfs::exists(tmp / "etc/firefox"));
  EXPECT_TRUE(stdfs::exists(tmp / "etc"));
  EXPECT_FALSE(store.contains(ca));
}

TEST_F(FirefoxPolicyStoreTest, UninstallLeavesAnExistingFileByteIdentical) {
  std::string before = "{ \"policies\" :\n\t{ \"DisableTelemetry\": true,\n  \"Certificates\": {\"Install\": [\"a.pem\"]} } }";
  stdfs::create_directories(file.parent_path());
  test::write_text(file, before);
  store.install(ca);
  EXPECT_TRUE(store.contains(ca));
  EXPECT_EQ(json::parse(test::read_text(file))["policies"]["DisableTelemetry"], true);
  store.uninstall(ca);
  EXPECT_EQ(test::read_text(file), before);
}

TEST_F(FirefoxPolicyStoreTest, FileEditedSinceInstallLosesOnlyOurEntry) {
  store.install(ca);
  auto doc = json::parse(test::read_text(file));
  doc["policies"]["DisablePocket"] = true;
  test::write_text(file, doc.dump());
  store.uninstall(ca);
  EXPECT_EQ(json::parse(test::read_text(file)), json::parse(R"({"policies":{"DisablePocket":true}})"));
}

TEST_F(FirefoxPolicyStoreTest, InvalidJsonIsRefusedAndLeftAlone) {
  stdfs::create_directories(file.parent_path());
  test::write_text(file, "{ not json");
  EXPECT_THROW(store.install(ca), Error);
  EXPECT_EQ(test::read_text(file), "{ not json");
  EXPECT_FALSE(stdfs::exists(tmp / "ca/firefox-policy-undo.json"));
}

TEST_F(FirefoxPolicyStoreTest, NotRootIsRefusedWithTheSudoCommand) {
  FirefoxPolicyStore user{{file, false, "/home/dev"}};
  try {
    user.install(ca);
    FAIL() << "installed without root";
  } catch (const Error& e) {
    // This user's CAROOT and HOME go along: root's own are another CA and other profiles.
    EXPECT_EQ(e.fix(), "sudo DEVCERT_CAROOT=" + stdfs::absolute(ca.file).parent_path().string() +
                           " HOME=/home/dev devcert install --firefox-policy");
  }
  EXPECT_FALSE(stdfs::exists(file));
}

}  // namespace
}  // namespace devcert::trust
