// What `devcert snippet` warns about a certificate it is given: the checks clients make.
#include <gtest/gtest.h>

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "snippets/snippets.h"

namespace devcert::snippets {
namespace {

// A self-signed certificate naming `san`, valid from `from_days` to `to_days` from now.
std::string certificate_pem(const char* san, int from_days, int to_days) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  time_t now = std::time(nullptr);
  X509_time_adj_ex(X509_getm_notBefore(cert), from_days, 0, &now);
  X509_time_adj_ex(X509_getm_notAfter(cert), to_days, 0, &now);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_set_pubkey(cert, key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

TEST(CertificateProblems, AHealthyLocalhostCertificateHasNone) {
  EXPECT_TRUE(certificate_problems(certificate_pem("DNS:localhost", -1, 30), "ok.pem").empty());
}

TEST(CertificateProblems, ExpiredNotYetValidAndOtherNamesAreEachNamed) {
  auto expired = certificate_problems(certificate_pem("DNS:localhost", -30, -1), "old.pem");
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_NE(expired[0].find("expired on "), std::string::npos) << expired[0];
  auto early = certificate_problems(certificate_pem("DNS:localhost", 2, 30), "early.pem");
  ASSERT_EQ(early.size(), 1u);
  EXPECT_NE(early[0].find("not valid before"), std::string::npos) << early[0];
  // The CN says localhost, but clients read only the SAN.
  auto other = certificate_problems(certificate_pem("DNS:app.test", -1, 30), "app.pem");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0], "it does not name localhost, the host the snippet serves on");
  EXPECT_EQ(certificate_problems(certificate_pem("DNS:app.test", -30, -1), "both.pem").size(), 2u);
  EXPECT_TRUE(certificate_problems("not a certificate", "junk.pem").empty());
}

}  // namespace
}  // namespace devcert::snippets
