// Widening a CA in a temporary CAROOT: the root re-issued over the same key, every earlier leaf
// still valid under it, and every refusal changing nothing.
#include "pki/widen.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "error.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "pki/pki_fixtures.h"
#include "support/helpers.h"
#include "util/fs.h"

namespace devcert::pki {
namespace {

using testing_support::verify_leaf;

std::string ski_of(X509* cert) {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert);
  return ski ? std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                           static_cast<size_t>(ASN1_STRING_length(ski)))
             : "";
}

class WidenRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    RootProfile profile;
    profile.user_host = "tester@box";
    ASSERT_TRUE(root_.init(profile).created);
  }
  std::vector<SubjectName> names(const std::vector<std::string>& inputs) { return parse_subject_names(inputs); }

  test::TempDir tmp_;
  CaRoot root_{tmp_ / "ca"};
};

TEST_F(WidenRoot, SameKeySubjectKeyIdAndValidityANewSerialAndTheUnion) {
  CertificateAuthority old_ca = root_.load();
  Leaf before = issue_leaf(old_ca, names({"localhost"}), LeafProfile{});
  std::string key_pem = test::read_text(root_.key_path());
  std::string old_pem = test::read_text(root_.cert_path());

  Widening w = widen_root(root_, {"mycorp.dev", "100.64.0.0/10"});
  ASSERT_TRUE(w.changed);
  CertificateAuthority ca = root_.load();
  EXPECT_EQ(test::read_text(root_.key_path()), key_pem) << "the key is never rewritten";
  X509* was = old_ca.cert.get();
  X509* now = ca.cert.get();
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(was), X509_get_subject_name(now)), 0);
  EXPECT_EQ(ski_of(was), ski_of(now));
  EXPECT_FALSE(ski_of(now).empty());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(was), X509_get0_serialNumber(now)), 0);
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(was), X509_get0_notAfter(now)), 0);
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notBefore(was), X509_get0_notBefore(now)), 0);
  EXPECT_NE(w.new_fingerprint, w.old_fingerprint);
  EXPECT_EQ(w.new_fingerprint, fingerprint_sha256(now));

  PermittedSet expected = default_permitted();
  expected.domains.push_back("mycorp.dev");
  add_permit(expected, "100.64.0.0/10");
  EXPECT_EQ(read_name_constraints(now), expected);
  EXPECT_EQ(w.added.domains, std::vector<std::string>{"mycorp.dev"});
  ASSERT_EQ(w.added.ranges.size(), 1u);
  EXPECT_EQ(w.added.ranges[0].to_string(), "100.64.0.0/10");

  // The leaf issued before verifies under the new root alone; a leaf for the new name too.
  EXPECT_EQ(verify_leaf(before.cert.get(), now, "localhost"), X509_V_OK);
  Leaf after = issue_leaf(ca, names({"api.mycorp.dev", "100.64.1.2"}), LeafProfile{});
  EXPECT_EQ(verify_leaf(after.cert.get(), now, "api.mycorp.dev"), X509_V_OK);
  EXPECT_EQ(verify_leaf(after.cert.get(), now, "", "100.64.1.2"), X509_V_OK);
  EXPECT_NE(verify_leaf(after.cert.get(), was, "api.mycorp.dev"), X509_V_OK) << "the old root never permitted it";

  // The old root is kept (0644) for the trust stores that must remove it.
  EXPECT_EQ(w.previous_root, previous_root_path(root_, was));
  EXPECT_EQ(test::read_text(w.previous_root), old_pem);
  EXPECT_EQ(fs::file_mode(w.previous_root).value_or(0) & 0777, 0644u);
  EXPECT_EQ(previous_roots(root_), std::vector<stdfs::path>{w.previous_root});
  EXPECT_EQ(fs::file_mode(root_.cert_path()).value_or(0) & 0777, 0644u);
}

TEST_F(WidenRoot, TwoWideningsKeepEverythingPermittedSoFar) {
  widen_root(root_, {"one.dev"});
  widen_root(root_, {"two.dev"});
  auto set = read_name_constraints(root_.load_cert().get());
  ASSERT_TRUE(set);
  EXPECT_EQ(set->domains.back(), "two.dev");
  EXPECT_EQ(set->domains[set->domains.size() - 2], "one.dev");
  EXPECT_EQ(previous_roots(root_).size(), 2u);
}

TEST_F(WidenRoot, WhatIsAlreadyPermittedChangesNothing) {
  std::string pem = test::read_text(root_.cert_path());
  Widening w = widen_root(root_, {"example.com", "app.test", "10.1.0.0/16"});
  EXPECT_FALSE(w.changed);
  EXPECT_EQ(test::read_text(root_.cert_path()), pem);
  EXPECT_TRUE(previous_roots(root_).empty());
}

TEST_F(WidenRoot, AnUnconstrainedRootIsRefusedAndNothingChanges) {
  test::TempDir other;
  CaRoot open_root(other / "ca");
  RootProfile profile;
  profile.user_host = "mkcert@box";
  profile.constrained = false;
  ASSERT_TRUE(open_root.init(profile).created);
  std::string pem = test::read_text(open_root.cert_path());
  try {
    widen_root(open_root, {"mycorp.dev"});
    FAIL() << "widened an unconstrained root";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no name constraints"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("mkcert"), std::string::npos) << e.what();
    EXPECT_NE(e.fix().find("devcert issue"), std::string::npos) << e.fix();
  }
  EXPECT_EQ(test::read_text(open_root.cert_path()), pem);
  EXPECT_TRUE(previous_roots(open_root).empty());
}

TEST_F(WidenRoot, ARootWithoutItsKeyIsRefusedAndNothingChanges) {
  stdfs::rename(root_.key_path(), tmp_ / "key-elsewhere.pem");
  std::string pem = test::read_text(root_.cert_path());
  try {
    widen_root(root_, {"mycorp.dev"});
    FAIL() << "widened a root without its key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no key"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::read_text(root_.cert_path()), pem);
  EXPECT_TRUE(previous_roots(root_).empty());
  EXPECT_FALSE(stdfs::exists(root_.key_path())) << "no key is ever made for it";
}

TEST_F(WidenRoot, PermitsMissingIsWhatTheRootLacks) {
  auto cert = root_.load_cert();
  PermittedSet missing = permits_missing(cert.get(), {"mycorp.dev", "example.org", "app.test"});
  EXPECT_EQ(missing.domains, std::vector<std::string>{"mycorp.dev"});
  EXPECT_TRUE(missing.ranges.empty());
}

// One refusal names every name outside the constraints and the one command that fixes them all.
TEST_F(WidenRoot, ARefusalNamesEveryNameOutsideAndOneWidening) {
  auto cert = root_.load_cert();
  try {
    check_constraints(cert.get(), names({"example.com", "myapp.dev", "localhost", "*.other.dev", "8.8.8.8"}));
    FAIL() << "issued for public names";
  } catch (const NameError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("cannot issue for myapp.dev, *.other.dev, 8.8.8.8: myapp.dev, *.other.dev are outside "
                        "the CA's permitted domains ("), std::string::npos) << what;
    EXPECT_NE(what.find("; 8.8.8.8 is outside the CA's permitted IP ranges (127.0.0.0/8"), std::string::npos) << what;
    EXPECT_NE(e.fix().find("devcert init --permit myapp.dev --permit other.dev --permit 8.8.8.8"),
              std::string::npos) << e.fix();
  }
}

}  // namespace
}  // namespace devcert::pki
