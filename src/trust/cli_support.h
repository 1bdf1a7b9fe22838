// What the install/uninstall/status/env commands share: our root, the selected stores and how
// store reports are printed.
#pragma once

#include <string>
#include <vector>

#include "trust/actions.h"
#include "trust/stores.h"
#include "util/output.h"
#include "util/process.h"
#include "util/progress.h"

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

// Shows "installing the root: nss (2/3)" on `task`'s progress line (a terminal only).
StoreProgress progress_line(progress::Task& task, std::string doing);

// "✓ system: installed  /usr/local/share/ca-certificates (Debian/Ubuntu)" and the why/fix
// lines under it; warnings for optional stores' failures.
void print_reports(Output& out, const std::vector<StoreReport>& reports);

// install and uninstall: load CAROOT's root, make the selected stores, say which root, run
// `action` on them behind a progress line saying `doing`, print the reports and return them.
using StoreAction = std::vector<StoreReport> (*)(StoreList&, const CaCertificate&, const StoreProgress&);
std::vector<StoreReport> run_on_stores(const stdfs::path& caroot, const std::vector<std::string>& store_flags,
                                       bool add_policy, Output& out, const std::string& doing, StoreAction action);

}  // namespace devcert::trust
