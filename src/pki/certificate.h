// Building and signing the two certificate shapes devcert makes.
#pragma once

#include <vector>

#include "ossl/handles.h"
#include "pki/names.h"
#include "pki/profiles.h"

namespace devcert::pki {

// A self-signed root for `key` (the key signs itself).
ossl::X509Ptr build_root(const RootProfile& profile, EVP_PKEY* key);

// `root` signed anew by its own `key` with `permitted` as its name constraints: the same subject,
// validity and other extensions (so the same subjectKeyIdentifier, which the leaves' authority
// key identifiers name), and a new serial, as two certificates from one issuer must differ.
ossl::X509Ptr reissue_root(X509* root, EVP_PKEY* key, const PermittedSet& permitted);

// A leaf for `names` around `subject_key` (a public key is enough), signed by the CA.
ossl::X509Ptr build_leaf(const LeafProfile& profile, const std::vector<SubjectName>& names,
                         EVP_PKEY* subject_key, X509* ca_cert, EVP_PKEY* ca_key);

// A random positive 128-bit serial (CA/B asks for at least 64 bits of entropy).
ossl::Asn1Integer random_serial();

}  // namespace devcert::pki
