// The one reader of a certificate's and a CSR's names, over what OpenSSL's own tool wrote.
#include "pki/cert_names.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "pki/keys.h"
#include "support/helpers.h"

namespace devcert::pki {
namespace {

using test::run_process;
using Kind = AltName::Kind;

const char* kSans = "subjectAltName=DNS:a.test,IP:::1,IP:127.0.0.1,email:x@y.test,URI:https://u.test/,RID:1.2.3.4";

void expect_every_kind(const std::vector<AltName>& names) {
  ASSERT_EQ(names.size(), 6u);
  EXPECT_EQ(names[0].kind, Kind::dns);
  EXPECT_EQ(names[0].value, "a.test");
  EXPECT_EQ(names[1].kind, Kind::ip);
  EXPECT_EQ(names[1].value, "::1");
  EXPECT_EQ(names[2].value, "127.0.0.1");
  EXPECT_EQ(names[3].kind, Kind::email);
  EXPECT_EQ(names[3].value, "x@y.test");
  EXPECT_EQ(names[4].kind, Kind::uri);
  EXPECT_EQ(names[4].value, "https://u.test/");
  EXPECT_EQ(names[5].kind, Kind::other);
  EXPECT_EQ(names[5].value, "");
}

TEST(CertNames, ReadsEveryKindOfACertificateInOrderAndItsCommonName) {
  test::TempDir tmp;
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", (tmp / "k.pem").string(), "-out", (tmp / "c.pem").string(), "-days", "1",
                           "-subj", "/O=devcert test/CN=cn.test", "-addext", kSans});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto cert = load_certificate(test::read_text(tmp / "c.pem"), "c.pem");
  expect_every_kind(alt_names(cert.get()));
  EXPECT_EQ(common_name(X509_get_subject_name(cert.get())), "cn.test");
}

TEST(CertNames, ReadsTheNamesACsrAsksFor) {
  test::TempDir tmp;
  auto made = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", (tmp / "k.pem").string(), "-out", (tmp / "r.pem").string(), "-subj",
                           "/CN=cn.test", "-addext", kSans});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string pem = test::read_text(tmp / "r.pem");
  ossl::Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::X509Req req(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(req);
  expect_every_kind(alt_names(req.get()));
}

TEST(CertNames, NoExtensionAndNoCommonNameAreEmpty) {
  test::TempDir tmp;
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", (tmp / "k.pem").string(), "-out", (tmp / "c.pem").string(), "-days", "1",
                           "-subj", "/O=devcert test", "-addext", "basicConstraints=CA:FALSE"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto cert = load_certificate(test::read_text(tmp / "c.pem"), "c.pem");
  EXPECT_TRUE(alt_names(cert.get()).empty());
  EXPECT_EQ(common_name(X509_get_subject_name(cert.get())), "");
  EXPECT_TRUE(alt_names(static_cast<const GENERAL_NAMES*>(nullptr)).empty());
}

}  // namespace
}  // namespace devcert::pki
