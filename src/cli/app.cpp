#include "cli/app.h"

#include <CLI/CLI.hpp>

#include "error.h"
#include "pki/ca.h"

namespace devcert::cli {

std::filesystem::path Context::caroot() const { return pki::default_caroot(); }

int run_main(int argc, char** argv) {
  Context ctx;
  int exit_code = kExitOk;
  CLI::App app{"devcert: a local development certificate authority.\n"
               "Trusted https:// and wss:// on localhost in three commands:\n"
               "  devcert init && devcert install && devcert issue localhost 127.0.0.1 ::1",
               "devcert"};
  app.set_version_flag("--version", std::string("devcert ") + DEVCERT_VERSION);
  app.add_flag("-q,--quiet", ctx.out.quiet, "Print only results and errors");
  app.add_flag("-v,--verbose", ctx.out.verbose, "Show external commands run and TLS details");
  app.require_subcommand(1);
  app.fallthrough();
  app.footer("Run 'devcert COMMAND --help' for a command's options. Manual: man devcert");

  add_init_command(app, ctx, exit_code);
  add_issue_command(app, ctx, exit_code);
  add_caroot_command(app, ctx, exit_code);
  add_inspect_command(app, ctx, exit_code);
  add_install_command(app, ctx, exit_code);
  add_uninstall_command(app, ctx, exit_code);
  add_status_command(app, ctx, exit_code);
  add_env_command(app, ctx, exit_code);
  add_serve_command(app, ctx, exit_code);
  add_verify_server_command(app, ctx, exit_code);
  add_snippet_command(app, ctx, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    ctx.out.error(e.what(), "see 'devcert --help'");
    return kExitUsage;
  } catch (const Error& e) {
    ctx.out.error(e.what(), e.fix());
    return e.exit_code();
  } catch (const std::exception& e) {
    ctx.out.error(e.what());
    return kExitFailure;
  }
  return exit_code;
}

}  // namespace devcert::cli
