// The command line: builds the CLI::App and is the only place errors are caught.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "trust/stores.h"
#include "util/environment.h"
#include "util/output.h"
#include "util/process.h"

namespace CLI {
class App;
}

namespace devcert::cli {

// What every command is given: the output voice, the environment it reads variables from and
// the runner of the external commands it starts (certutil, update-ca-certificates, keytool).
// run_main() passes the process's own; a test passes its streams, variables and a fake runner.
struct Context {
  Output out;
  Environment env;
  process::CommandRunner& runner;

  // DEVCERT_CAROOT, else the platform's data directory; absolute.
  std::filesystem::path caroot() const;
  // Where the trust stores are, from `env`.
  trust::StoreEnvironment stores() const { return trust::StoreEnvironment::from(env); }
};

// Parses argv, runs the command, turns any error into a message and an exit code.
int run_main(int argc, char** argv);

// Each command file adds itself here (CLIUtils subcom_in_files style).
void add_caroot_command(CLI::App& app, Context& ctx, int& exit_code);
void add_init_command(CLI::App& app, Context& ctx, int& exit_code);
void add_issue_command(CLI::App& app, Context& ctx, int& exit_code);
void add_inspect_command(CLI::App& app, Context& ctx, int& exit_code);
void add_install_command(CLI::App& app, Context& ctx, int& exit_code);
void add_uninstall_command(CLI::App& app, Context& ctx, int& exit_code);
void add_status_command(CLI::App& app, Context& ctx, int& exit_code);
void add_env_command(CLI::App& app, Context& ctx, int& exit_code);
void add_serve_command(CLI::App& app, Context& ctx, int& exit_code);
void add_verify_server_command(CLI::App& app, Context& ctx, int& exit_code);
void add_snippet_command(CLI::App& app, Context& ctx, int& exit_code);
void add_acme_command(CLI::App& app, Context& ctx, int& exit_code);

}  // namespace devcert::cli
