#include "pki/issue.h"

#include "error.h"
#include "pki/certificate.h"
#include "pki/constraints.h"
#include "pki/keys.h"

namespace devcert::pki {

void check_constraints(X509* ca_cert, const std::vector<SubjectName>& names) {
  std::optional<PermittedSet> permitted = read_name_constraints(ca_cert);
  if (!permitted) return;
  for (const auto& name : names) {
    if (auto why = constraint_violation(*permitted, name)) {
      // What --permit takes: the address, the email's domain, or the wildcard's base domain.
      std::string permit = name.value;
      if (name.kind == NameKind::email) permit = permit.substr(permit.rfind('@') + 1);
      if (name.wildcard) permit = permit.substr(2);
      PermittedSet wanted;
      add_permit(wanted, permit);
      bool is_public = !review_permitted(wanted).public_reach.empty();
      throw NameError("cannot issue for " + name.input + ": " + *why +
                          "; clients would reject the certificate",
                      "a CA's constraints are fixed when it is made: create one that permits it, "
                      "e.g. DEVCERT_CAROOT=~/.local/share/devcert-extra devcert init --permit " +
                          permit +
                          (is_public ? " (init warns: " + permit +
                                           " is public, and anyone who copies that root's key can "
                                           "impersonate it to this machine)"
                                     : ""));
    }
  }
}

Leaf issue_leaf(const CertificateAuthority& ca, const std::vector<SubjectName>& names,
                const LeafProfile& profile, EVP_PKEY* public_key) {
  check_constraints(ca.cert.get(), names);
  Leaf leaf;
  if (!public_key) {
    leaf.key = generate_key(profile.key_type);
    public_key = leaf.key.get();
  }
  leaf.cert = build_leaf(profile, names, public_key, ca.cert.get(), ca.key.get());
  if (size_t size = certificate_der(leaf.cert.get()).size(); size > kMaxLeafDerBytes)
    throw NameError("a certificate for these " + std::to_string(names.size()) + " names would be " +
                        std::to_string(size) + " bytes, over the " + std::to_string(kMaxLeafDerBytes) +
                        " that clients accept: OpenSSL (curl, Python, Node) and Chrome refuse a "
                        "certificate chain over 100 KiB (\"excessive message size\")",
                    "split the names over several certificates, or cover many subdomains with one "
                    "wildcard (*.app.test)");
  return leaf;
}

}  // namespace devcert::pki
