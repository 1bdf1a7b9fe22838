// The names a certificate or a CSR carries, read in one place: its subjectAltName entries (the
// one walk over GENERAL_NAMES that inspect, CSR signing, the diagnosis and ACME's tls-alpn-01
// check read from) and its subject's common name.
#pragma once

#include <string>
#include <vector>

#include "ossl/handles.h"

namespace devcert::pki {

struct AltName {
  enum class Kind { dns, ip, email, uri, other };
  Kind kind = Kind::other;
  // DNS, email and URI: the entry's bytes as they are (an IA5String, which a hostile issuer may
  // fill with anything: escape before printing). IP: the address as text ("::1"). Other: empty.
  std::string value;
};

// The entries of `sans`, in order; none for null.
std::vector<AltName> alt_names(const GENERAL_NAMES* sans);
// The entries of the certificate's subjectAltName extension; none when it has none.
std::vector<AltName> alt_names(X509* cert);
// The entries of the CSR's requested subjectAltName extension; none when it asks for none.
std::vector<AltName> alt_names(X509_REQ* req);

// The bytes of the first commonName of `name` (escape before printing); empty when it has none.
std::string common_name(const X509_NAME* name);

}  // namespace devcert::pki
