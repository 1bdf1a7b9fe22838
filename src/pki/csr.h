// Certificate signing requests: only the public key and the requested names are taken.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ossl/handles.h"

namespace devcert::pki {

struct CertificateRequest {
  ossl::Pkey public_key;
  std::vector<std::string> names;  // from the CSR's subjectAltName (DNS, IP, email), in order
  std::string common_name;  // the subject's CN, "" when absent: ACME clients may name one there only
};

// Parses a PEM or DER CSR and checks its self-signature. Throws naming `origin` on failure.
// No extension of the CSR is copied into the certificate: devcert's leaf profile decides.
CertificateRequest load_csr(std::string_view data, std::string_view origin);

}  // namespace devcert::pki
