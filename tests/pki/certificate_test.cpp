#include "pki/certificate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "error.h"
#include "pki/keys.h"
#include "pki_fixtures.h"

namespace devcert::pki {
namespace {

using namespace testing_support;

class EveryKeyType : public testing::TestWithParam<KeyType> {};

std::string expected_key(KeyType t) {
  switch (t) {
    case KeyType::ecdsa_p256: return "ECDSA P-256";
    case KeyType::ecdsa_p384: return "ECDSA P-384";
    case KeyType::rsa_2048: return "RSA 2048";
    case KeyType::rsa_3072: return "RSA 3072";
    case KeyType::rsa_4096: return "RSA 4096";
  }
  return "";
}

TEST_P(EveryKeyType, RootProfile) {
  KeyType type = GetParam();
  CertificateAuthority ca = make_ca(type);
  X509* root = ca.cert.get();

  EXPECT_EQ(X509_get_version(root), X509_VERSION_3);
  EXPECT_EQ(describe_key(X509_get0_pubkey(root)), expected_key(type));
  int expected_sig = type == KeyType::ecdsa_p384 ? NID_ecdsa_with_SHA384
                     : (type == KeyType::ecdsa_p256) ? NID_ecdsa_with_SHA256
                                                     : NID_sha256WithRSAEncryption;
  EXPECT_EQ(X509_get_signature_nid(root), expected_sig);
  // 10 years.
  EXPECT_EQ(validity_seconds(root), 3650L * 86400);
  // Random positive 128-bit serial.
  ossl::Bignum serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(root), nullptr));
  EXPECT_FALSE(BN_is_negative(serial.get()));
  EXPECT_EQ(BN_num_bytes(serial.get()), 16);
  // Subject.
  EXPECT_EQ(subject_field(root, NID_organizationName), "devcert development CA");
  EXPECT_EQ(subject_field(root, NID_organizationalUnitName), "tester@box");
  EXPECT_NE(subject_field(root, NID_commonName).find("devcert tester@box"), std::string::npos);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(root), X509_get_issuer_name(root)), 0);
  // Extensions.
  EXPECT_TRUE(ext_critical(root, NID_basic_constraints));
  EXPECT_EQ(ext_text(root, NID_basic_constraints), "CA:TRUE, pathlen:0");
  EXPECT_TRUE(ext_critical(root, NID_key_usage));
  EXPECT_EQ(ext_text(root, NID_key_usage), "Certificate Sign, CRL Sign");
  EXPECT_FALSE(ext_text(root, NID_subject_key_identifier).empty());
  EXPECT_TRUE(ext_critical(root, NID_name_constraints));
  std::string nc = ext_text(root, NID_name_constraints);
  for (const char* part : {"DNS:localhost", "DNS:test", "DNS:example", "DNS:invalid", "DNS:local",
                           "DNS:internal", "DNS:home.arpa", "DNS:example.com", "DNS:example.net",
                           "DNS:example.org", "IP:127.0.0.0/255.0.0.0", "IP:10.0.0.0/255.0.0.0",
                           "IP:172.16.0.0/255.240.0.0", "IP:192.168.0.0/255.255.0.0",
                           "IP:169.254.0.0/255.255.0.0", "email:.localhost", "URI:.test"})
    EXPECT_NE(nc.find(part), std::string::npos) << part << " missing from\n" << nc;
  // Self-signature verifies.
  EXPECT_EQ(X509_verify(root, X509_get0_pubkey(root)), 1);
}

TEST_P(EveryKeyType, LeafProfile) {
  KeyType type = GetParam();
  CertificateAuthority ca = make_ca(type);
  LeafProfile profile;
  profile.key_type = type;
  auto names = parse_subject_names({"localhost", "127.0.0.1", "::1", "*.app.test"});
  Leaf leaf = issue_leaf(ca, names, profile);
  X509* cert = leaf.cert.get();

  EXPECT_EQ(describe_key(X509_get0_pubkey(cert)), expected_key(type));
  EXPECT_TRUE(key_matches_certificate(leaf.key.get(), cert));
  EXPECT_EQ(subject_field(cert, NID_commonName), "localhost");
  EXPECT_EQ(ext_text(cert, NID_subject_alt_name),
            "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:*.app.test");
  EXPECT_TRUE(ext_critical(cert, NID_basic_constraints));
  EXPECT_EQ(ext_text(cert, NID_basic_constraints), "CA:FALSE");
  EXPECT_TRUE(ext_critical(cert, NID_key_usage));
  bool rsa = type == KeyType::rsa_2048 || type == KeyType::rsa_3072 || type == KeyType::rsa_4096;
  EXPECT_EQ(ext_text(cert, NID_key_usage), rsa ? "Digital Signature, Key Encipherment" : "Digital Signature");
  EXPECT_EQ(ext_text(cert, NID_ext_key_usage), "TLS Web Server Authentication");
  EXPECT_FALSE(ext_text(cert, NID_subject_key_identifier).empty());
  // AKI = the root's SKI (Python 3.13's strict mode requires it).
  EXPECT_EQ(ext_text(cert, NID_authority_key_identifier), ext_text(ca.cert.get(), NID_subject_key_identifier));
  // Whole validity, backdating included, exactly the profile's days and within Apple's 825.
  EXPECT_EQ(validity_seconds(cert), profile.days * 86400L);
  EXPECT_LE(validity_seconds(cert), 825L * 86400);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert), nullptr), 0);
  EXPECT_EQ(verify_leaf(cert, ca.cert.get(), "localhost"), X509_V_OK);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, EveryKeyType,
                         testing::Values(KeyType::ecdsa_p256, KeyType::ecdsa_p384, KeyType::rsa_2048,
                                         KeyType::rsa_3072, KeyType::rsa_4096),
                         testing_support::key_type_param_name);

TEST(LeafProfile, ClientAndEmailUsages) {
  CertificateAuthority ca = make_ca();
  LeafProfile profile;
  profile.client_auth = true;
  Leaf leaf = issue_leaf(ca, parse_subject_names({"me@example.test", "app.test"}), profile);
  EXPECT_EQ(ext_text(leaf.cert.get(), NID_ext_key_usage),
            "TLS Web Server Authentication, TLS Web Client Authentication, E-mail Protection");
  // The CN is the first host name, never the email.
  EXPECT_EQ(subject_field(leaf.cert.get(), NID_commonName), "app.test");
}

TEST(LeafProfile, IpOnlyLeafHasNoCnAndVerifiesUnderConstraints) {
  CertificateAuthority ca = make_ca();
  Leaf leaf = issue_leaf(ca, parse_subject_names({"127.0.0.1"}), LeafProfile{});
  EXPECT_EQ(subject_field(leaf.cert.get(), NID_commonName), "");
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "", "127.0.0.1"), X509_V_OK);
}

TEST(LeafProfile, DaysBoundsAndNeverOutlivesTheRoot) {
  CertificateAuthority ca = make_ca();
  auto names = parse_subject_names({"localhost"});
  LeafProfile p;
  p.days = 825;
  EXPECT_EQ(validity_seconds(issue_leaf(ca, names, p).cert.get()), 825L * 86400);
  p.days = 826;
  EXPECT_THROW(issue_leaf(ca, names, p), LeafDaysError);
  p.days = 0;
  EXPECT_THROW(issue_leaf(ca, names, p), LeafDaysError);

  RootProfile short_root;
  short_root.days = 30;
  short_root.user_host = "t@h";
  CertificateAuthority young;
  young.key = generate_key(KeyType::ecdsa_p256);
  young.cert = build_root(short_root, young.key.get());
  Leaf leaf = issue_leaf(young, names, LeafProfile{});
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(leaf.cert.get()), X509_get0_notAfter(young.cert.get())), 0);
}

TEST(RootProfile, LongNonAsciiUserAndHostAreCutToTheNameLimits) {
  RootProfile profile;
  // 63 bytes, then "é" across the 64th byte: the cut must not split it.
  profile.user_host = std::string(40, 'u') + "@" + std::string(22, 'h') + "\xC3\xA9" + std::string(30, 'h');
  ossl::Pkey key = generate_key(KeyType::ecdsa_p256);
  ossl::X509Ptr root = build_root(profile, key.get());
  const X509_NAME* subject = X509_get_subject_name(root.get());
  for (int nid : {NID_organizationalUnitName, NID_commonName}) {
    const ASN1_STRING* value =
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, X509_NAME_get_index_by_NID(subject, nid, -1)));
    EXPECT_LE(ASN1_STRING_length(value), 64) << OBJ_nid2sn(nid);
    unsigned char* utf8 = nullptr;
    EXPECT_GT(ASN1_STRING_to_UTF8(&utf8, value), 0) << OBJ_nid2sn(nid) << ": not valid UTF-8";
    OPENSSL_free(utf8);
  }
}

TEST(RandomSerial, IsPositiveSixteenBytesAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    ossl::Asn1Integer s = random_serial();
    ossl::Bignum bn(ASN1_INTEGER_to_BN(s.get(), nullptr));
    ASSERT_FALSE(BN_is_negative(bn.get()));
    ASSERT_EQ(BN_num_bytes(bn.get()), 16);
    char* hex = BN_bn2hex(bn.get());
    seen.insert(hex);
    OPENSSL_free(hex);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Unconstrained, RootHasNoNameConstraintsAndIssuesAnything) {
  CertificateAuthority ca = make_ca(KeyType::ecdsa_p256, /*constrained=*/false);
  EXPECT_EQ(ext_text(ca.cert.get(), NID_name_constraints), "");
  Leaf leaf = issue_leaf(ca, parse_subject_names({"example.com"}), LeafProfile{});
  EXPECT_EQ(verify_leaf(leaf.cert.get(), ca.cert.get(), "example.com"), X509_V_OK);
}

}  // namespace
}  // namespace devcert::pki
