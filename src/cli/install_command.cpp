#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/trust_commands.h"
#include "error.h"
#include "cli/trust_reports.h"
#include "trust/selection.h"
#include "trust/firefox_policy.h"

namespace devcert::cli {

int run_install(const TrustOptions& opts, Context& ctx) {
  if (!opts.containers.empty()) {
    auto ca = trust::load_ca(ctx.caroot());
    auto stores = container_stores(opts.containers, opts.engine, !opts.stores.empty() || opts.firefox_policy, ctx);
    auto reports = run_on_store_list(ctx, ca, stores, "installing the root", trust::install_into);
    // What the system store does not reach inside the container either.
    ctx.out.note("a runtime with its own root list (Node from nodejs.org, pip's requests) in the container also "
                 "needs NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE: devcert snippet compose shows them");
    return containers_succeeded(reports) ? kExitOk : kExitFailure;
  }
  auto reports =
      run_on_stores(ctx, opts.stores, opts.firefox_policy, "installing the root", trust::install_into);
  bool changed = false;
  for (const auto& r : reports) changed |= r.outcome == trust::Outcome::installed;
  if (!changed && !trust::any_fatal_failure(reports))
    ctx.out.line("nothing changed: the root was already in every available store");
  for (const auto& r : reports)
    if (r.store == "nss" && r.outcome == trust::Outcome::installed)
      ctx.out.note("a browser that is already running may keep its old view of the root until it restarts");
  // True of every build: Debian's Node reads the system store, nodejs.org's and Deno do not.
  ctx.out.note("a runtime with its own root list (Node from nodejs.org, Deno, pip's requests) also needs: "
               "eval \"$(devcert env)\"");
  return trust::any_fatal_failure(reports) ? kExitFailure : kExitOk;
}

void add_container_options(CLI::App& cmd, TrustOptions& opts) {
  cmd.add_option("--container", opts.containers,
                 "A running container (name or ID) whose system store to use instead of the host's; repeatable");
  cmd.add_option("--engine", opts.engine, "podman or docker (default: the first of them on PATH)");
}

void add_install_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<TrustOptions>();
  auto* cmd = app.add_subcommand("install", "Trust the root in the system, NSS (browsers) and Java stores");
  cmd->add_option("--store", opts->stores, "Only this store: system, nss, java or firefox-policy; repeatable "
                  "(default: $DEVCERT_TRUST_STORES, else all)");
  cmd->add_flag("--firefox-policy", opts->firefox_policy,
                "Also add the root to Firefox's enterprise policy file (" + trust::kFirefoxPolicyFile.string() +
                    ", needs root) so profiles made later trust it; Firefox then says it is managed");
  add_container_options(*cmd, *opts);
  cmd->footer("Idempotent: a second run changes nothing and says so.\n"
              "Examples:\n  devcert install\n  devcert install --store nss --store java\n"
              "  sudo devcert install --firefox-policy\n"
              "  devcert install --container web --container db");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_install(*opts, ctx); });
}

}  // namespace devcert::cli
