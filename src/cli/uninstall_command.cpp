#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/trust_commands.h"
#include "error.h"
#include "cli/trust_reports.h"
#include "trust/selection.h"

namespace devcert::cli {

int run_uninstall(const TrustOptions& opts, Context& ctx) {
  if (!opts.containers.empty()) {
    auto ca = trust::load_ca(ctx.caroot());
    auto stores = container_stores(opts.containers, opts.engine, !opts.stores.empty(), ctx);
    auto reports = run_on_store_list(ctx, ca, stores, "removing the root", trust::uninstall_from);
    return containers_succeeded(reports) ? kExitOk : kExitFailure;
  }
  auto reports =
      run_on_stores(ctx, opts.stores, false, "removing the root", trust::uninstall_from);
  for (const auto& r : reports)
    if (r.store == "nss" && r.outcome == trust::Outcome::removed)
      ctx.out.note("a browser that is already running may keep trusting the root until it restarts");
  ctx.out.note("the CA files stay in " + ctx.caroot().string());
  return trust::any_fatal_failure(reports) ? kExitFailure : kExitOk;
}

void add_uninstall_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<TrustOptions>();
  auto* cmd = app.add_subcommand("uninstall", "Remove the root from the trust stores (the CA files stay)");
  cmd->add_option("--store", opts->stores, "Only this store: system, nss, java or firefox-policy; repeatable");
  add_container_options(*cmd, *opts);
  cmd->footer("Removes exactly this CA's entries, never another certificate; with no --store, also its\n"
              "Firefox policy entry when install --firefox-policy made one.\n"
              "Examples:\n  devcert uninstall\n  devcert uninstall --store java\n  devcert uninstall --container web");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_uninstall(*opts, ctx); });
}

}  // namespace devcert::cli
