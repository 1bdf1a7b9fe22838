// What the install/uninstall/status/env commands share below the CLI: our root and the stores
// a command works on.
#pragma once

#include <string>
#include <vector>

#include "trust/actions.h"
#include "trust/stores.h"

namespace devcert::trust {

// Loads CAROOT's root; throws devcert::Error with "run 'devcert init'" when there is none.
CaCertificate load_ca(const stdfs::path& caroot);

// --store flags, else DEVCERT_TRUST_STORES (env.selected_stores), else all.
std::vector<std::string> selected_from(const std::vector<std::string>& flags, const StoreEnvironment& env);

// selected_from plus the opt-in Firefox policy store: when `add_policy` (install
// --firefox-policy), or when nothing was selected and the policy file already lists `ca`, so a
// plain uninstall undoes it and a plain status shows it.
std::vector<std::string> selected_with_policy(const std::vector<std::string>& flags, bool add_policy,
                                              const CaCertificate& ca, const StoreEnvironment& env);

}  // namespace devcert::trust
