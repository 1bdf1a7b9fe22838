#include "pki/csr.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "error.h"
#include "ossl/check.h"
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

  // Handles: ip_to_string and push_back may throw while these are held.
  ossl::ExtensionStack exts(X509_REQ_get_extensions(req.get()));
  if (exts) {
    ossl::GeneralNames sans(
        static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* gen = sk_GENERAL_NAME_value(sans.get(), i);
      const ASN1_STRING* s = nullptr;
      if (gen->type == GEN_DNS) s = gen->d.dNSName;
      else if (gen->type == GEN_EMAIL) s = gen->d.rfc822Name;
      else if (gen->type == GEN_IPADD) s = gen->d.iPAddress;
      if (!s) continue;
      std::string raw(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<size_t>(ASN1_STRING_length(s)));
      out.names.push_back(gen->type == GEN_IPADD ? ip_to_string(raw) : raw);
    }
  }
  if (X509_NAME* subject = X509_REQ_get_subject_name(req.get())) {
    int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (const X509_NAME_ENTRY* cn = at >= 0 ? X509_NAME_get_entry(subject, at) : nullptr) {
      const ASN1_STRING* s = X509_NAME_ENTRY_get_data(cn);
      out.common_name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  return out;
}

}  // namespace devcert::pki
