#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/trust_commands.h"
#include "error.h"
#include "cli/trust_reports.h"
#include "trust/selection.h"
#include "trust/env_exports.h"
#include "util/fs.h"

namespace devcert::cli {

int run_env(const EnvOptions& opts, Context& ctx) {
  auto ca = trust::load_ca(ctx.caroot());
  std::string system_roots;
  if (auto bundle = trust::system_roots_bundle()) system_roots = fs::read_file(*bundle, fs::kBundleLimit);
  else ctx.out.warning("no system CA bundle found: " + ctx.caroot().string() +
                       "/ca-bundle.pem holds only the devcert root");
  // Written on every run so it follows the system's roots; atomic so a running client never
  // reads half a bundle.
  auto bundle_file = ctx.caroot() / "ca-bundle.pem";
  fs::write_file_atomic(bundle_file, trust::build_bundle(system_roots, ca.pem), 0644);

  std::string shell_env = ctx.env.get("SHELL");
  auto shell = opts.shell.empty() ? trust::default_shell(shell_env.empty() ? nullptr : shell_env.c_str())
                                  : trust::parse_shell(opts.shell);
  ctx.out.out() << trust::render_exports(
      shell, trust::runtime_variables(ca.file.string(), bundle_file.string()));
  ctx.out.out().flush();
  return kExitOk;
}

void add_env_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<EnvOptions>();
  auto* cmd = app.add_subcommand("env", "Print exports for Node, Deno and Python requests");
  cmd->add_option("--shell", opts->shell, "bash, zsh, fish or powershell (default: from $SHELL)");
  cmd->footer("Examples:\n  eval \"$(devcert env)\"\n  devcert env --shell fish | source");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_env(*opts, ctx); });
}

}  // namespace devcert::cli
