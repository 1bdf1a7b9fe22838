// pki/keys.cpp reads and writes unencrypted PKCS#8 EC keys itself and sets an EC leaf's public
// key itself (OpenSSL 3.0's encoder and decoder framework costs most of a `devcert issue`).
// These tests hold that work to OpenSSL's own: the same bytes written, the same key read, the
// same SubjectPublicKeyInfo, and every other kind of key still read by OpenSSL.
#include "pki/keys.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "error.h"
#include "pki_fixtures.h"

namespace devcert::pki {
namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

// What OpenSSL's own encoder writes for `key`: unencrypted PKCS#8 PEM.
std::string openssl_pkcs8(EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  return bio_text(bio.get());
}

// The traditional SEC1 "EC PRIVATE KEY" form.
std::string openssl_sec1(EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  return bio_text(bio.get());
}

// What OpenSSL's own decoder reads from `pem` (null when it reads nothing).
ossl::Pkey openssl_read(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ossl::Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string private_scalar_hex(EVP_PKEY* key) {
  BIGNUM* bn = nullptr;
  if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn)) return "";
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_clear_free(bn);
  return out;
}

// The same public key and parameters, and (for EC) the same private scalar.
void expect_same_key(EVP_PKEY* a, EVP_PKEY* b) {
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(a, b), 1);
  if (EVP_PKEY_is_a(a, "EC")) EXPECT_EQ(private_scalar_hex(a), private_scalar_hex(b));
}

// An EC key with a chosen private scalar (and the public point that belongs to it).
ossl::Pkey ec_key_with_scalar(const char* group, unsigned long scalar) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> priv(BN_new(), BN_free);
  BN_set_word(priv.get(), scalar);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get());
  // OpenSSL 3.0 does not derive the point on import: scalar x G with the EC_GROUP API.
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> ec_group(
      EC_GROUP_new_by_curve_name(OBJ_sn2nid(group)), EC_GROUP_free);
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> point(EC_POINT_new(ec_group.get()), EC_POINT_free);
  EC_POINT_mul(ec_group.get(), point.get(), priv.get(), nullptr, nullptr, nullptr);
  unsigned char buf[200];
  size_t len = EC_POINT_point2oct(ec_group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, buf, sizeof buf, nullptr);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, len);
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()), 1);
  return ossl::Pkey(key);
}

class EcKeys : public testing::TestWithParam<KeyType> {};

TEST_P(EcKeys, WrittenExactlyAsOpenSslWritesThemAndReadBackTheSame) {
  for (int i = 0; i < 24; ++i) {  // about one in ten P-256 scalars has a leading zero byte
    ossl::Pkey key = generate_key(GetParam());
    KeyEncoder encoder = KeyEncoder::openssl;
    std::string pem = private_key_pem(key.get(), &encoder);
    EXPECT_EQ(encoder, KeyEncoder::devcert_ec) << "devcert writes the keys it makes without OpenSSL's encoders";
    EXPECT_EQ(pem, openssl_pkcs8(key.get()));
    KeyDecoder decoder = KeyDecoder::openssl;
    ossl::Pkey read = load_private_key(pem, "test", &decoder);
    EXPECT_EQ(decoder, KeyDecoder::devcert_ec) << "the keys devcert writes skip OpenSSL's decoder framework";
    expect_same_key(read.get(), key.get());
    expect_same_key(read.get(), openssl_read(pem).get());
  }
}

INSTANTIATE_TEST_SUITE_P(Curves, EcKeys, testing::Values(KeyType::ecdsa_p256, KeyType::ecdsa_p384),
                         testing_support::key_type_param_name);

// Key generation reports to whoever asked (the CLI draws a spinner from it) instead of
// drawing anything itself: an RSA prime search reports what it does, an EC key is instant.
TEST(GenerateKey, AnRsaKeyReportsWhatItDoesToTheCallerOnly) {
  std::vector<std::string> reports;
  ossl::Pkey rsa = generate_key(KeyType::rsa_2048, [&](std::string_view doing) { reports.emplace_back(doing); });
  ASSERT_TRUE(rsa);
  EXPECT_EQ(EVP_PKEY_get_bits(rsa.get()), 2048);
  ASSERT_FALSE(reports.empty());
  for (const auto& r : reports) EXPECT_EQ(r, "generating an RSA-2048 key");

  reports.clear();
  ossl::Pkey ec = generate_key(KeyType::ecdsa_p256, [&](std::string_view doing) { reports.emplace_back(doing); });
  ASSERT_TRUE(ec);
  EXPECT_TRUE(reports.empty());
  EXPECT_TRUE(generate_key(KeyType::rsa_2048));  // no one to report to
}

TEST(EcKeyPem, ASmallScalarIsPaddedToTheOrderLength) {
  // Scalar 1: 31 leading zero bytes in a P-256 key, 47 in a P-384 one.
  for (const char* group : {"prime256v1", "secp384r1"}) {
    ossl::Pkey key = ec_key_with_scalar(group, 1);
    ASSERT_TRUE(key);
    std::string pem = private_key_pem(key.get());
    EXPECT_EQ(pem, openssl_pkcs8(key.get())) << group;
    expect_same_key(load_private_key(pem, "test").get(), key.get());
  }
}

TEST(LoadPrivateKey, OtherFormsStillGoThroughOpenSsl) {
  // SEC1 "EC PRIVATE KEY", RSA PKCS#8 and RSA PKCS#1: each read as OpenSSL reads it.
  ossl::Pkey ec = generate_key(KeyType::ecdsa_p256);
  std::string sec1_pem = openssl_sec1(ec.get());
  ASSERT_NE(sec1_pem.find("BEGIN EC PRIVATE KEY"), std::string::npos);
  KeyDecoder decoder = KeyDecoder::devcert_ec;
  expect_same_key(load_private_key(sec1_pem, "test", &decoder).get(), ec.get());
  EXPECT_EQ(decoder, KeyDecoder::openssl);

  ossl::Pkey rsa = generate_key(KeyType::rsa_2048);
  KeyEncoder encoder = KeyEncoder::devcert_ec;
  std::string rsa_pem = private_key_pem(rsa.get(), &encoder);
  EXPECT_EQ(encoder, KeyEncoder::openssl);
  EXPECT_EQ(rsa_pem, openssl_pkcs8(rsa.get()));
  decoder = KeyDecoder::devcert_ec;
  ossl::Pkey rsa_read = load_private_key(rsa_pem, "test", &decoder);
  EXPECT_EQ(decoder, KeyDecoder::openssl);
  ASSERT_TRUE(rsa_read);
  EXPECT_EQ(EVP_PKEY_eq(rsa_read.get(), rsa.get()), 1);
}

// devcert's own reader takes only the curves devcert writes: a PKCS#8 key on any other named
// curve is OpenSSL's to read, and still loads (and is written by OpenSSL's encoder).
TEST(LoadPrivateKey, OtherNamedCurvesGoThroughOpenSslAndStillLoad) {
  for (const char* curve : {"P-521", "secp256k1"}) {
    ossl::Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
    ASSERT_TRUE(key) << curve;
    std::string pem = private_key_pem(key.get());
    EXPECT_EQ(pem, openssl_pkcs8(key.get())) << curve;
    ASSERT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos) << curve;
    KeyDecoder decoder = KeyDecoder::devcert_ec;
    ossl::Pkey read = load_private_key(pem, "test", &decoder);
    EXPECT_EQ(decoder, KeyDecoder::openssl) << curve;
    expect_same_key(read.get(), key.get());
  }
}

TEST(LoadPrivateKey, TheFirstOfTwoKeysAsOpenSslWould) {
  // A SEC1 key, then a PKCS#8 one: OpenSSL takes the first; so must devcert.
  ossl::Pkey first = generate_key(KeyType::ecdsa_p256);
  ossl::Pkey second = generate_key(KeyType::ecdsa_p256);
  std::string both = openssl_sec1(first.get()) + private_key_pem(second.get());
  expect_same_key(load_private_key(both, "test").get(), first.get());
  expect_same_key(openssl_read(both).get(), first.get());
}

TEST(LoadPrivateKey, APointOffTheCurveIsRefused) {
  ossl::Pkey key = generate_key(KeyType::ecdsa_p256);
  std::string pem = private_key_pem(key.get());
  // Re-encode with the point's last byte changed: the point is no longer on the curve.
  ossl::Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> p8(
      PEM_read_bio_PKCS8_PRIV_KEY_INFO(in.get(), nullptr, nullptr, nullptr), PKCS8_PRIV_KEY_INFO_free);
  ASSERT_TRUE(p8);
  const unsigned char* der = nullptr;
  int der_len = 0;
  ASSERT_EQ(PKCS8_pkey_get0(nullptr, &der, &der_len, nullptr, p8.get()), 1);
  std::string inner(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  inner.back() = static_cast<char>(inner.back() ^ 1);  // the point ends the ECPrivateKey
  auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(inner.data(), inner.size()));
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> bad(PKCS8_PRIV_KEY_INFO_new(),
                                                                             PKCS8_PRIV_KEY_INFO_free);
  ASSERT_EQ(PKCS8_pkey_set0(bad.get(), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), 0, V_ASN1_OBJECT,
                            OBJ_nid2obj(NID_X9_62_prime256v1), copy, static_cast<int>(inner.size())),
            1);
  ossl::Bio out(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PKCS8_PRIV_KEY_INFO(out.get(), bad.get()), 1);
  std::string bad_pem = bio_text(out.get());
  EXPECT_FALSE(openssl_read(bad_pem));
  EXPECT_THROW(load_private_key(bad_pem, "test"), Error);
}

class EveryLeafKey : public testing::TestWithParam<KeyType> {};

TEST_P(EveryLeafKey, TheLeafHoldsItsKeyAsX509SetPubkeyWouldWriteIt) {
  CertificateAuthority ca = testing_support::make_ca();
  ossl::Pkey key = generate_key(GetParam());
  std::vector<SubjectName> names = parse_subject_names({"localhost"});
  ossl::X509Ptr leaf = build_leaf(LeafProfile{}, names, key.get(), ca.cert.get(), ca.key.get());
  // A usable decoded key (TLS servers and PKCS#12 need it) equal to the subject key.
  EVP_PKEY* pub = X509_get0_pubkey(leaf.get());
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(pub, key.get()), 1);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
  // The SubjectPublicKeyInfo byte for byte as OpenSSL's encoder writes it.
  unsigned char* mine = nullptr;
  unsigned char* theirs = nullptr;
  int mine_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf.get()), &mine);
  int theirs_len = i2d_PUBKEY(key.get(), &theirs);
  ASSERT_GT(mine_len, 0);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mine), static_cast<size_t>(mine_len)),
            std::string(reinterpret_cast<char*>(theirs), static_cast<size_t>(theirs_len)));
  OPENSSL_free(mine);
  OPENSSL_free(theirs);
  EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(ca.cert.get())), 1);
}

INSTANTIATE_TEST_SUITE_P(Keys, EveryLeafKey,
                         testing::Values(KeyType::ecdsa_p256, KeyType::ecdsa_p384, KeyType::rsa_2048),
                         testing_support::key_type_param_name);

}  // namespace
}  // namespace devcert::pki
