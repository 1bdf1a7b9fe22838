// Minting leaves: the CA's constraints checked first, then the leaf profile applied.
#pragma once

#include <vector>

#include "pki/ca.h"
#include "pki/leaf_rules.h"

namespace devcert::pki {

// Throws NameError naming every name the CA's nameConstraints do not permit, why, and the one
// `devcert init --permit ...` that widens the CA to permit them all.
void check_constraints(X509* ca_cert, const std::vector<SubjectName>& names);

struct Leaf {
  ossl::X509Ptr cert;
  ossl::Pkey key;  // null when the public key came from a CSR
};

// A fresh key pair of profile.key_type, or `public_key` (from a CSR) when given.
Leaf issue_leaf(const CertificateAuthority& ca, const std::vector<SubjectName>& names,
                const LeafProfile& profile, EVP_PKEY* public_key = nullptr, const KeyProgress& progress = {});

}  // namespace devcert::pki
