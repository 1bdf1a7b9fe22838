#include "pki/csr.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "error.h"
#include "ossl/check.h"
#include "pki/cert_names.h"
#include "pki/names.h"

namespace devcert::pki {

CertificateRequest load_csr(std::string_view data, std::string_view origin) {
  ossl::Bio bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  ossl::X509Req req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) {
    const auto* der = reinterpret_cast<const unsigned char*>(data.data());
    req.reset(d2i_X509_REQ(nullptr, &der, static_cast<long>(data.size())));
  }
  ERR_clear_error();
  if (!req) throw Error(std::string(origin) + " is not a certificate signing request (PEM or DER)");

  CertificateRequest out;
  out.public_key.reset(X509_REQ_get_pubkey(req.get()));
  if (!out.public_key) throw Error(std::string(origin) + ": the CSR's public key cannot be read");
  if (X509_REQ_verify(req.get(), out.public_key.get()) != 1) {
    ERR_clear_error();
    throw Error(std::string(origin) + ": the CSR's signature does not verify; it was altered or "
                "signed with another key");
  }
  if (EVP_PKEY_is_a(out.public_key.get(), "RSA") && EVP_PKEY_get_bits(out.public_key.get()) < 2048)
    throw Error(std::string(origin) + ": the CSR's RSA key has fewer than 2048 bits; clients reject it");

  for (const AltName& n : alt_names(req.get()))
    if (n.kind == AltName::Kind::dns || n.kind == AltName::Kind::email || n.kind == AltName::Kind::ip)
      out.names.push_back(n.value);
  out.common_name = common_name(X509_REQ_get_subject_name(req.get()));
  return out;
}

}  // namespace devcert::pki
