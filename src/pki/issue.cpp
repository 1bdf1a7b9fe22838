#include "pki/issue.h"

#include <algorithm>

#include "error.h"
#include "pki/certificate.h"
#include "pki/constraints.h"
#include "pki/keys.h"

namespace devcert::pki {

void check_constraints(X509* ca_cert, const std::vector<SubjectName>& names) {
  std::optional<PermittedSet> permitted = read_name_constraints(ca_cert);
  if (!permitted) return;
  // Every name outside at once, so one widening fixes them all; names with the same reason
  // (the same permitted list) share it: "a.dev, b.dev are outside the CA's permitted domains (...)".
  std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;
  std::string inputs;
  std::vector<std::string> permits;
  for (const auto& name : names) {
    auto why = constraint_violation(*permitted, name);
    if (!why) continue;
    std::string reason = why->substr(why->find(" is ") + 4);
    auto same = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& r) { return r.first == reason; });
    if (same == by_reason.end()) same = by_reason.insert(by_reason.end(), {reason, {}});
    same->second.push_back(name.value);
    inputs += (inputs.empty() ? "" : ", ") + name.input;
    // What --permit takes: the address, the email's domain, or the wildcard's base domain.
    std::string permit = name.value;
    if (name.kind == NameKind::email) permit = permit.substr(permit.rfind('@') + 1);
    if (name.wildcard) permit = permit.substr(2);
    if (std::find(permits.begin(), permits.end(), permit) == permits.end()) permits.push_back(permit);
  }
  if (permits.empty()) return;
  std::string reasons;
  for (const auto& [reason, outside] : by_reason) {
    std::string list;
    for (const auto& n : outside) list += (list.empty() ? "" : ", ") + n;
    reasons += (reasons.empty() ? "" : "; ") + list + (outside.size() > 1 ? " are " : " is ") + reason;
  }
  std::string flags, public_names;
  for (const auto& p : permits) {
    flags += " --permit " + p;
    PermittedSet one;  // one at a time: many names must not meet add_permit's cap here
    add_permit(one, p);
    for (const auto& reach : review_permitted(one).public_reach)
      public_names += (public_names.empty() ? "" : ", ") + reach;
  }
  throw NameError("cannot issue for " + inputs + ": " + reasons + "; clients would reject the certificate",
                  "widen this CA (its root is re-issued over the same key, and certificates already issued "
                  "stay valid): devcert init" + flags +
                      (public_names.empty() ? ""
                                            : " (init warns: " + public_names +
                                                  " reaches public sites, and anyone who copies the root's "
                                                  "key can impersonate them to this machine)"));
}

Leaf issue_leaf(const CertificateAuthority& ca, const std::vector<SubjectName>& names,
                const LeafProfile& profile, EVP_PKEY* public_key, const KeyProgress& progress) {
  check_constraints(ca.cert.get(), names);
  Leaf leaf;
  if (!public_key) {
    leaf.key = generate_key(profile.key_type, progress);
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
