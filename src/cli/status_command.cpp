#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/json_vocabulary.h"
#include "cli/trust_commands.h"
#include "error.h"
#include "cli/trust_reports.h"
#include "trust/selection.h"
#include "util/process.h"

namespace devcert::cli {

int run_status(const TrustOptions& opts, Context& ctx) {
  auto ca = trust::load_ca(ctx.caroot());
  auto env = ctx.stores();
  auto stores = opts.containers.empty()
                    ? trust::make_stores(trust::selected_with_policy(opts.stores, false, ca, env), ctx.runner, env)
                    : container_stores(opts.containers, opts.engine, !opts.stores.empty(), ctx);
  auto statuses = trust::status_of(stores, ca);
  bool everywhere = true;
  for (const auto& s : statuses) everywhere &= !s.available || s.installed;

  if (opts.json) {
    nlohmann::json per_store = nlohmann::json::array();
    for (const auto& s : statuses) per_store.push_back(json_store_status(s));
    print_json(ctx.out.out(), {{"ok", everywhere}, {"ca", json_ca(ca)}, {"stores", per_store}});
    return everywhere ? kExitOk : kExitFailure;
  }
  ctx.out.line("root " + ca.file.string());
  ctx.out.line("  fingerprint (SHA-256): " + ca.fingerprint);
  ctx.out.line("  expires: " + ca.not_after);
  for (const auto& s : statuses) {
    if (!s.available) {
      ctx.out.item("", Output::Mark::warning, s.store + ": not available: " + s.why);
      ctx.out.line("    fix: " + s.fix);
    } else {
      ctx.out.item("", s.installed ? Output::Mark::ok : Output::Mark::failed,
                   s.store + ": " + (s.installed ? "installed" : "not installed"));
      for (const auto& l : s.locations)
        ctx.out.item("    ", l.holds_root ? Output::Mark::ok : Output::Mark::failed,
                     l.label + "  " + l.path.string() + (l.exists ? "" : " (no database yet)"));
    }
  }
  if (!everywhere) {
    std::vector<std::string> argv{"devcert", "install"};
    for (const auto& c : opts.containers) argv.insert(argv.end(), {"--container", c});
    ctx.out.line("not trusted everywhere: run '" + process::display(argv) + "'");
  }
  return everywhere ? kExitOk : kExitFailure;
}

void add_status_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<TrustOptions>();
  auto* cmd = app.add_subcommand("status", "Show in which trust stores the root is installed");
  cmd->add_option("--store", opts->stores, "Only this store: system, nss, java or firefox-policy; repeatable");
  cmd->add_flag("--json", opts->json, "Print JSON");
  add_container_options(*cmd, *opts);
  cmd->footer("Exit status: 0 when the root is installed in every available selected store, 1 otherwise.\n"
              "Examples:\n  devcert status\n  devcert status --store nss --json\n  devcert status --container web");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_status(*opts, ctx); });
}

}  // namespace devcert::cli
