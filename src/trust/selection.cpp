#include "trust/selection.h"

#include <algorithm>

#include "error.h"
#include "pki/ca.h"
#include "trust/firefox_policy.h"

namespace devcert::trust {

CaCertificate load_ca(const stdfs::path& caroot) {
  pki::CaRoot root(caroot);
  root.load_cert();  // throws with the fix when CAROOT holds no CA
  return CaCertificate::from_file(root.cert_path());
}

std::vector<std::string> selected_from(const std::vector<std::string>& flags, const StoreEnvironment& env) {
  return select_store_names(flags, env.selected_stores);
}

std::vector<std::string> selected_with_policy(const std::vector<std::string>& flags, bool add_policy,
                                              const CaCertificate& ca, const StoreEnvironment& env) {
  auto names = selected_from(flags, env);
  bool chosen = !flags.empty() || !env.selected_stores.empty();
  FirefoxPolicyStore policy({kFirefoxPolicyFile, env.is_root, env.home});
  bool listed = false;
  if (!add_policy && !chosen) {
    try {
      listed = policy.contains(ca);
    } catch (const Error&) {
      // A policies.json devcert cannot read holds no entry of ours; `--store firefox-policy` says why.
    }
  }
  if ((add_policy || listed) && std::find(names.begin(), names.end(), policy.name()) == names.end())
    names.push_back(policy.name());
  return names;
}

}  // namespace devcert::trust
