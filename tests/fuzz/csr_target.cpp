#include <openssl/x509v3.h>

#include "error.h"
#include "fuzz/targets.h"
#include "pki/csr.h"
#include "pki/keys.h"
#include "pki/names.h"

namespace devcert::fuzz {
namespace {

void check_request(std::string_view data) {
  pki::CertificateRequest request;
  try {
    request = pki::load_csr(data, "fuzz input");
  } catch (const Error&) {
    return;
  }
  DEVCERT_FUZZ_CHECK(request.public_key);
  DEVCERT_FUZZ_CHECK(!pki::describe_key(request.public_key.get()).empty());
  // `devcert issue --csr` classifies the CSR's names as if typed on the command line: each is
  // either refused with a message or becomes a name that classifies to itself.
  for (const std::string& name : request.names) {
    try {
      pki::SubjectName n = pki::classify_name(name);
      DEVCERT_FUZZ_CHECK(pki::classify_name(n.value).value == n.value);
    } catch (const NameError&) {
    }
  }
}

// A correctly signed CSR whose subjectAltName extension holds `san_der`: mutated bytes rarely
// keep a CSR's signature valid, so this is how the fuzzer reaches the name extraction.
std::string signed_csr_around(std::string_view san_der) {
  static ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  ossl::X509Req req(X509_REQ_new());
  X509_REQ_set_pubkey(req.get(), key.get());
  ossl::Asn1OctetString value(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(san_der.data()),
                        static_cast<int>(san_der.size()));
  ossl::X509Extension ext(X509_EXTENSION_create_by_NID(nullptr, NID_subject_alt_name, 0, value.get()));
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, ext.get());
  X509_REQ_add_extensions(req.get(), exts);
  sk_X509_EXTENSION_free(exts);
  X509_REQ_sign(req.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  int len = i2d_X509_REQ(req.get(), &der);
  std::string out = len > 0 ? std::string(reinterpret_cast<char*>(der), static_cast<size_t>(len)) : "";
  OPENSSL_free(der);
  return out;
}

}  // namespace

void csr(std::string_view data) {
  check_request(data);
  // Files that are not a CSR (PEM text, DER) are only parsed; short DER-looking input is also
  // tried as the names of a validly signed CSR.
  if (!data.empty() && data.front() == 0x30 && data.size() < 1024) check_request(signed_csr_around(data));
}

}  // namespace devcert::fuzz
