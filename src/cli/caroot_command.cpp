#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "error.h"

namespace devcert::cli {

int run_caroot(Context& ctx) {
  ctx.out.out() << ctx.caroot().string() << "\n";
  return kExitOk;
}

void add_caroot_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("caroot", "Print the CA directory (DEVCERT_CAROOT)");
  cmd->footer("Examples:\n  devcert caroot\n  ls \"$(devcert caroot)\"");
  cmd->callback([&ctx, &exit_code] { exit_code = run_caroot(ctx); });
}

}  // namespace devcert::cli
