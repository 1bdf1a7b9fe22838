#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/trust_commands.h"
#include "error.h"
#include "trust/cli_support.h"

namespace devcert::cli {

int run_uninstall(const TrustOptions& opts, Context& ctx) {
  auto ca = trust::load_ca(ctx.caroot());
  process::SystemRunner runner;  // --verbose shows its commands (process::set_trace in app.cpp)
  auto stores = trust::make_stores(trust::selected_from(opts.stores), runner,
                                   trust::StoreEnvironment::from_process());
  ctx.out.line("root " + ca.name + " (SHA-256 " + ca.fingerprint + ")");
  std::vector<trust::StoreReport> reports;
  {
    progress::Task task("removing the root");
    reports = trust::uninstall_from(stores, ca, trust::progress_line(task, "removing the root"));
  }
  trust::print_reports(ctx.out, reports);
  ctx.out.note("the CA files stay in " + ctx.caroot().string());
  return trust::any_fatal_failure(reports) ? kExitFailure : kExitOk;
}

void add_uninstall_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<TrustOptions>();
  auto* cmd = app.add_subcommand("uninstall", "Remove the root from the trust stores (the CA files stay)");
  cmd->add_option("--store", opts->stores, "Only this store: system, nss or java; repeatable");
  cmd->footer("Removes exactly this CA's entries, never another certificate.\n"
              "Examples:\n  devcert uninstall\n  devcert uninstall --store java");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_uninstall(*opts, ctx); });
}

}  // namespace devcert::cli
