// How the trust commands (install, uninstall, init's widening) run the stores and print what
// each store reported: the trust layer returns StoreReports, these lines are the CLI's.
#pragma once

#include <string>
#include <vector>

#include "cli/app.h"
#include "trust/actions.h"
#include "util/progress.h"

namespace devcert::cli {

// Shows "installing the root: nss (2/3)" on `task`'s progress line (a terminal only).
trust::StoreProgress progress_line(progress::Task& task, std::string doing);

// "✓ system: installed  /usr/local/share/ca-certificates (Debian/Ubuntu)" and the why/fix
// lines under it; warnings for optional stores' failures.
void print_reports(Output& out, const std::vector<trust::StoreReport>& reports);

// install and uninstall: load CAROOT's root, make the selected stores with the context's runner
// and environment, say which root, run `action` on them behind a progress line saying `doing`,
// print the reports and return them.
using StoreAction = std::vector<trust::StoreReport> (*)(trust::StoreList&, const trust::CaCertificate&,
                                                         const trust::StoreProgress&);
std::vector<trust::StoreReport> run_on_stores(Context& ctx, const std::vector<std::string>& store_flags,
                                              bool add_policy, const std::string& doing, StoreAction action);
// The same over stores already made: say which root, run `action`, print the reports.
std::vector<trust::StoreReport> run_on_store_list(Context& ctx, const trust::CaCertificate& ca,
                                                  trust::StoreList& stores, const std::string& doing,
                                                  StoreAction action);

// --container NAME...: one store per container (trust/container_store.h), every container found
// before any changes, so one that cannot be reached fails the command with nothing done.
// UsageError when the host's --store or --firefox-policy is asked for too.
trust::StoreList container_stores(const std::vector<std::string>& containers, const std::string& engine,
                                  bool host_stores_named, Context& ctx);
// Whether every container report is a success: an unavailable container store (its image lacks
// the CA tooling) fails the command, as it is the one store asked for.
bool containers_succeeded(const std::vector<trust::StoreReport>& reports);

}  // namespace devcert::cli
