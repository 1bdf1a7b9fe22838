#include "trust/java_keystore.h"

#include <gtest/gtest.h>

#include "trust/jks_builder.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::TempDir;

TEST(ReadJks, TrustedAndKeyEntriesInBothVersions) {
  TempDir a, b;
  auto ours = test::make_ca(a.path()), other = test::make_ca(b.path());
  for (int version : {1, 2}) {
    test::JksBuilder jks(version);
    jks.trusted("debian:" + ours.name + ".pem", test::certificate_der(ours));
    jks.key("mykey", {test::certificate_der(other)});
    auto entries = read_jks(jks.bytes());
    ASSERT_TRUE(entries) << version;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_TRUE(holds_alias(*entries, "debian:" + ours.name + ".pem"));
    EXPECT_TRUE(holds_alias(*entries, "mykey"));
    EXPECT_FALSE(holds_alias(*entries, ours.name));
    EXPECT_TRUE(holds_fingerprint(*entries, ours.fingerprint_hex));
    EXPECT_TRUE(holds_fingerprint(*entries, other.fingerprint_hex));
  }
}

TEST(ReadJks, NotJksOrTruncatedIsNotReadAtAll) {
  TempDir a;
  auto ca = test::make_ca(a.path());
  test::JksBuilder jks(2);
  jks.trusted("x", test::certificate_der(ca));
  std::string whole = jks.bytes();
  EXPECT_TRUE(read_jks(whole));
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{12}, whole.size() / 2, whole.size() - 21})
    EXPECT_FALSE(read_jks(whole.substr(0, cut))) << cut;
  EXPECT_FALSE(read_jks("\x30\x82\x01\x00 a PKCS#12 file starts with a DER SEQUENCE"));
  std::string huge_count = whole;
  huge_count[8] = '\x7f';
  EXPECT_FALSE(read_jks(huge_count));
}

// The keystore Debian's ca-certificates-java keeps: read here as keytool reads it (read only).
TEST(ReadJks, DebiansRealCacertsReadsLikeKeytool) {
  const stdfs::path cacerts = "/etc/ssl/certs/java/cacerts";
  if (!stdfs::exists(cacerts) || !test::have_tool("keytool")) GTEST_SKIP() << "no Debian Java cacerts";
  auto entries = read_jks(test::read_text(cacerts));
  if (!entries) GTEST_SKIP() << cacerts << " is not JKS here";
  auto listed = test::run_process({"keytool", "-list", "-keystore", cacerts.string(), "-storepass", "changeit"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("Your keystore contains " + std::to_string(entries->size()) + " entr"),
            std::string::npos)
      << listed.out.substr(0, 300);
  for (const auto& e : *entries) EXPECT_NE(listed.out.find(e.alias + ","), std::string::npos) << e.alias;
}

// keytool makes the keystore, with the entry devcert removes between two others; after the
// edit keytool still opens it with the password (so the digest is right), lists exactly the two
// others, and their bytes are unchanged.
TEST(JksWithoutAlias, KeytoolAcceptsTheResultAndTheOtherEntriesStay) {
  if (!test::have_tool("keytool")) GTEST_SKIP() << "keytool is not installed (default-jdk-headless)";
  TempDir dir;
  auto store = (dir / "cacerts").string();
  for (const char* name : {"first", "ours", "last"}) {
    auto made = test::run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                   "ec_paramgen_curve:P-256", "-nodes", "-keyout", (dir / name).string() + ".key",
                                   "-out", (dir / name).string() + ".pem", "-subj", std::string("/CN=") + name,
                                   "-days", "2"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    auto imported = test::run_process({"keytool", "-importcert", "-noprompt", "-storetype", "JKS", "-keystore",
                                       store, "-storepass", "changeit", "-alias", std::string("debian:") + name + ".pem",
                                       "-file", (dir / name).string() + ".pem"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  std::string before = test::read_text(store);
  EXPECT_FALSE(jks_without_alias(before, "debian:ours.pem", "wrong password")) << "an unverified store is not rewritten";
  EXPECT_FALSE(jks_without_alias(before, "debian:absent.pem", "changeit"));
  auto edited = jks_without_alias(before, "debian:ours.pem", "changeit");
  ASSERT_TRUE(edited);
  test::write_text(dir / "cacerts", *edited);

  auto listed = test::run_process({"keytool", "-list", "-keystore", store, "-storepass", "changeit"});
  ASSERT_EQ(listed.exit_code, 0) << "keytool refused the edited store: " << listed.err << listed.out;
  EXPECT_NE(listed.out.find("Your keystore contains 2 entries"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("debian:first.pem,"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("debian:last.pem,"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("debian:ours.pem"), std::string::npos) << listed.out;
  auto old_entries = read_jks(before), new_entries = read_jks(*edited);
  ASSERT_TRUE(old_entries && new_entries);
  ASSERT_EQ(new_entries->size(), 2u);
  EXPECT_EQ((*new_entries)[0].der, (*old_entries)[0].der);
  EXPECT_EQ((*new_entries)[1].der, (*old_entries)[2].der);
}

}  // namespace
}  // namespace devcert::trust
