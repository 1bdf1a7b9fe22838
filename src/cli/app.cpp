#include "cli/app.h"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <utility>

#include <CLI/CLI.hpp>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "cli/help.h"
#include "cli/json_vocabulary.h"
#include "error.h"
#include "pki/ca.h"
#include "util/process.h"

namespace devcert::cli {
namespace {

// With --json, a script reads stdout: a failure is a JSON object there too (the message and the
// fix still go to stderr for people). Scanned from argv because a usage error stops the parse.
bool asked_for_json(int argc, char** argv) {
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
    if (std::string_view(argv[i]) == "--json") return true;
  return false;
}

int fail(Context& ctx, bool json, const std::string& message, const std::string& fix, int code) {
  ctx.out.error(message, fix);
  if (json)
    print_json(ctx.out.out(), json_error(message, fix, code));
  return code;
}

// The first word that is not an option must name a command (the global options take no value):
// CLI11 would only say "A subcommand is required" for `devcert isue`.
void check_command_name(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with('-')) continue;
    std::vector<std::string> names;
    for (const CLI::App* sub : std::as_const(app).get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == arg) return;
      names.push_back(sub->get_name());
    }
    std::string guess = nearest(arg, names);
    throw UsageError("unknown command '" + std::string(arg) + "'" +
                         (guess.empty() ? "" : "; did you mean '" + guess + "'?"),
                     "see 'devcert help' for the commands");
  }
}

// Only global options, or nothing at all: the person is asking what devcert is.
bool no_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::string_view(argv[i]).starts_with('-') || std::string_view(argv[i]) == "--help" ||
        std::string_view(argv[i]) == "-h" || std::string_view(argv[i]) == "--version")
      return false;
  return true;
}

// `devcert help [COMMAND]` and `devcert version`, for those who type words rather than flags.
void add_help_and_version(CLI::App& app, int& exit_code) {
  auto topic = std::make_shared<std::string>();
  auto* help = app.add_subcommand("help", "Show the commands, or one command's options");
  help->add_option("command", *topic, "A command's name");
  help->footer("Examples:\n  devcert help\n  devcert help issue");
  help->callback([&app, topic] {
    // Not app.help(): it would describe the command being run, which is `help` itself.
    if (topic->empty()) {
      std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
      return;
    }
    std::vector<std::string> names;
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == *topic) {
        std::cout << sub->help(app.get_name());
        return;
      }
      names.push_back(sub->get_name());
    }
    std::string guess = nearest(*topic, names);
    throw UsageError("unknown command '" + *topic + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"),
                     "see 'devcert help' for the commands");
  });
  auto* version = app.add_subcommand("version", "Show devcert's version");
  version->footer("Example:\n  devcert version");
  version->callback([&exit_code] {
    std::cout << "devcert " << DEVCERT_VERSION << "\n";
    exit_code = kExitOk;
  });
}

// "devcert status --help" when the parse got as far as a command, else "devcert --help".
std::string help_for(CLI::App& app) {
  auto used = app.get_subcommands();
  return "see 'devcert " + (used.empty() ? std::string() : used.front()->get_name() + " ") + "--help'";
}

// OpenSSL's random generators as HASH-DRBG over SHA-256 instead of the default CTR-DRBG over
// AES-256: both are NIST SP 800-90A DRBGs at 256-bit strength, seeded the same way from the
// kernel. The reason is start-up cost: instantiating CTR-DRBG makes OpenSSL 3.0 build its whole
// cipher table (3.2 million instructions, an eighth of a `devcert issue`), where SHA-256 is
// needed anyway to sign. Called before the first random byte is drawn, as OpenSSL requires.
void use_hash_drbg() {
  if (RAND_set_DRBG_type(nullptr, "HASH-DRBG", nullptr, nullptr, "SHA256") != 1) ERR_clear_error();
}

// An empty value (`--days ""`, `--cert-file ""`) is a mistake, never "use the default": each
// option or positional that takes a value, of every command, refuses it during the parse (exit 2).
void refuse_empty_values(CLI::App& app) {
  static const CLI::Validator not_empty(
      [](std::string& value) { return value.empty() ? std::string("an empty value is not allowed") : std::string(); },
      "", "not empty");
  for (CLI::Option* opt : app.get_options())
    if (opt->get_expected_min() > 0) opt->check(not_empty);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) refuse_empty_values(*sub);
}

}  // namespace

// Absolute, so that a relative DEVCERT_CAROOT means the same directory in what devcert prints
// (env exports, messages) wherever it is used from.
std::filesystem::path Context::caroot() const {
  return std::filesystem::absolute(pki::default_caroot(env));
}

int run_main(int argc, char** argv) {
  use_hash_drbg();
  Environment env = Environment::from_process();
  process::SystemRunner runner;  // --verbose shows its commands (runner.trace below)
  Context ctx{Output(std::cout, std::cerr, env), env, runner};
  int exit_code = kExitOk;
  CLI::App app{"devcert: a local development certificate authority.\n"
               "Trusted https:// and wss:// on localhost in three commands:\n"
               "  devcert init && devcert install && devcert issue localhost 127.0.0.1 ::1",
               "devcert"};
  app.formatter(make_formatter());
  app.set_version_flag("--version", std::string("devcert ") + DEVCERT_VERSION);
  app.add_flag("-q,--quiet", ctx.out.quiet, "Print only results, warnings and errors (no notes, no progress)");
  app.add_flag("-v,--verbose", ctx.out.verbose, "Show external commands run and TLS details");
  app.require_subcommand(1);
  app.fallthrough();
  app.footer("Examples:\n  devcert init && devcert install\n  devcert issue localhost 127.0.0.1 ::1\n"
             "  devcert verify-server wss://localhost:8443/\n\n"
             "Exit status: 0 success, 1 the operation failed, 2 usage error.\n"
             "Run 'devcert COMMAND --help' for a command's options. Manual: man devcert");
  // Runs after the flags are parsed and before the command: --quiet and --verbose hold
  // wherever they were written (before or after the command's name).
  app.parse_complete_callback([&ctx, &runner] {
    if (ctx.out.verbose) runner.trace = [&ctx](const std::string& argv) { ctx.out.detail("run: " + argv); };
    if (!ctx.out.quiet && ::isatty(STDERR_FILENO) == 1) ctx.out.progress().enable(std::cerr);
  });

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
  add_acme_command(app, ctx, exit_code);
  add_help_and_version(app, exit_code);
  refuse_empty_values(app);

  bool json = asked_for_json(argc, argv);
  if (no_command(argc, argv) && !json) {
    std::cout << app.help();
    return kExitOk;
  }
  try {
    check_command_name(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    exit_code = fail(ctx, json, usage_message(app, e), help_for(app), kExitUsage);
  } catch (const Error& e) {
    exit_code = fail(ctx, json, e.what(), e.fix(), e.exit_code());
  } catch (const std::exception& e) {
    exit_code = fail(ctx, json, e.what(), "", kExitFailure);
  }
  ctx.out.progress().disable();
  return exit_code;
}

}  // namespace devcert::cli
