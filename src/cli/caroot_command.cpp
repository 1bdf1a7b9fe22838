#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace devcert::cli {

void add_caroot_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("caroot", "Print the CA directory (DEVCERT_CAROOT)");
  cmd->footer("Examples:\n  devcert caroot\n  ls \"$(devcert caroot)\"");
  cmd->callback([&ctx, &exit_code] {
    ctx.out.out() << ctx.caroot().string() << "\n";
    exit_code = 0;
  });
}

}  // namespace devcert::cli
