#include "wss/identity.h"

#include "error.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "pki/names.h"
#include "util/fs.h"

namespace devcert::wss {

ServerIdentity mint_identity(const pki::CertificateAuthority& ca,
                             const std::vector<std::string>& names) {
  pki::LeafProfile profile;
  profile.days = 1;
  pki::Leaf leaf = pki::issue_leaf(ca, pki::parse_subject_names(names), profile);
  ServerIdentity identity;
  identity.cert = std::move(leaf.cert);
  identity.key = std::move(leaf.key);
  return identity;
}

ServerIdentity load_identity(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() != key_file.empty())
    throw UsageError("a server certificate and its key go together", "pass both, or neither to mint a leaf");
  std::vector<ossl::X509Ptr> certs = pki::load_certificates(fs::read_file(cert_file), cert_file);
  if (certs.empty()) throw Error("no certificate in " + cert_file);
  ServerIdentity identity;
  identity.key = pki::load_private_key(fs::read_file(key_file), key_file);
  if (!pki::key_matches_certificate(identity.key.get(), certs.front().get()))
    throw Error(key_file + " is not the key of the certificate in " + cert_file,
                "pass the key file written together with this certificate");
  identity.cert = std::move(certs.front());
  for (std::size_t i = 1; i < certs.size(); ++i) identity.chain.push_back(std::move(certs[i]));
  return identity;
}

}  // namespace devcert::wss
