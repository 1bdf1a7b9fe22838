// `devcert verify-server` without a URL: the self test and its two verdicts (self_test_verdicts.h),
// printed for people or as JSON (verify_server_json.cpp); and the command's options.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/self_test_verdicts.h"
#include "cli/wss_commands.h"
#include "error.h"
#include "wss/self_test.h"

namespace devcert::cli {
namespace {

void print_verdict(const Verdict& v, Context& ctx) {
  // A failed verdict is what a user of --quiet still needs to read.
  std::optional<Unquiet> loud;
  if (!v.ok) loud.emplace(ctx);
  ctx.out.item("  ", v.ok ? Output::Mark::ok : Output::Mark::failed, (v.ok ? "passed  " : "FAILED  ") + v.summary);
  if (v.ok) return;
  ctx.out.line("      cause: " + v.cause);
  ctx.out.line("      why: " + v.message);
  ctx.out.line("      fix: " + v.fix);
}

void print_checklist(const wss::SelfTestReport& report, const SelfTestVerdicts& verdicts, Context& ctx) {
  ctx.out.line("setup:");
  diagnose::Diagnosis setup;
  setup.stages = report.setup;
  print_walk(setup, ctx, "  ", false);
  if (!report.setup_fix.empty()) ctx.out.line("      fix: " + report.setup_fix);
  for (const auto& walk : report.walks) {
    ctx.out.line(walk.name + ":");
    print_walk(walk.diagnosis, ctx, "  ", !walk.required);
    if (walk.diagnosis.ok) continue;
    if (!walk.required) ctx.out.line("      fix: " + walk.diagnosis.fix);
    // With --quiet the summary below says it once, not once a walk.
    else if (!ctx.out.quiet) print_cause(walk.diagnosis, ctx, "      ");
  }
  if (verdicts.machine) {
    ctx.out.line("trust stores (as devcert status reads them):");
    for (const auto& s : verdicts.machine->stores)
      ctx.out.item("  ", !s.available ? Output::Mark::none : s.installed ? Output::Mark::ok : Output::Mark::failed,
                   s.store + ": " + (!s.available ? "not available here (" + s.why + ")"
                                     : s.installed ? "installed"
                                                   : "not installed") + "  " + s.where);
  }
  for (const auto& entry : report.server_log) ctx.out.detail("server: " + entry);
  ctx.out.line("summary:");
  print_verdict(verdicts.root, ctx);
  if (verdicts.machine) print_verdict(*verdicts.machine, ctx);
  if (verdicts.issued && !verdicts.issued->empty()) {
    ctx.out.line("certificates found here; the self test proves each with:");
    for (const auto& p : *verdicts.issued) ctx.out.line("  " + p.command);
  }
  std::string last;
  if (!verdicts.root.ok) last = "the self test failed";
  else if (!verdicts.machine || verdicts.machine->ok) last = "both verdicts passed: your root works and this machine trusts it";
  else if (verdicts.machine->required) last = "the self test failed: this machine does not trust your root (--require-trust)";
  else last = "your root works, but this machine does not trust it yet: " + verdicts.machine->fix;
  ctx.out.line(last);
}

}  // namespace

int run_verify_server(const VerifyServerOptions& opts, Context& ctx) {
  if (!opts.from_container.empty()) return run_verify_from_container(opts, ctx);
  if (!opts.engine.empty())
    throw UsageError("--engine goes with --from-container", "devcert verify-server URL --from-container NAME --engine podman");
  if (!opts.url.empty()) return run_verify_url(opts, ctx);
  if (opts.cert_file.empty() != opts.key_file.empty())
    throw UsageError("--cert and --key go together", "pass both, or neither to mint a leaf");
  wss::SelfTestOptions options;
  options.caroot = ctx.caroot();
  options.cert_file = opts.cert_file;
  options.key_file = opts.key_file;
  options.require_trust = opts.require_trust;
  options.timeout = std::chrono::milliseconds(static_cast<long>(opts.timeout_seconds * 1000));
  if (!opts.ca_file.empty() || !opts.origin.empty() || !opts.subprotocol.empty() || opts.no_echo ||
      !opts.client_cert_file.empty() || !opts.client_key_file.empty())
    throw UsageError("--ca, --origin, --subprotocol, --no-echo, --client-cert and --client-key go with a URL",
                     "devcert verify-server wss://HOST:PORT/ [options]");
  wss::SelfTestReport report = wss::run_self_test(options);
  SelfTestVerdicts verdicts = judge_self_test(report, options.caroot, opts.require_trust, ctx.stores(), ctx.runner);
  if (opts.cert_file.empty() && opts.key_file.empty() && verdicts.machine)
    verdicts.issued = find_issued_pairs(std::filesystem::current_path(), ctx.env.get("HOME"));
  if (opts.json)
    ctx.out.out() << self_test_json(report, verdicts).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else
    print_checklist(report, verdicts, ctx);
  return verdicts.ok() ? kExitOk : kExitFailure;
}

void add_verify_server_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<VerifyServerOptions>();
  auto* cmd = app.add_subcommand("verify-server", "Prove TLS + WebSocket end to end on this machine");
  cmd->add_option("url", opts->url, "Diagnose this wss://, ws:// or https:// endpoint instead");
  cmd->add_option("--ca", opts->ca_file, "With a URL: trust only the certificates in this file");
  cmd->add_option("--origin", opts->origin, "With a URL: the Origin header (default: the URL's own origin)");
  cmd->add_option("--subprotocol", opts->subprotocol, "With a URL: request this Sec-WebSocket-Protocol");
  cmd->add_option("--timeout", opts->timeout_seconds, "Seconds each network step may take in all (default 10)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            // CLI::Range lets NaN through (every comparison with it is false).
            double seconds = 0;
            if (CLI::detail::lexical_cast(text, seconds) && std::isfinite(seconds) && seconds >= 0.1 && seconds <= 300)
              return "";
            return "--timeout takes a number of seconds from 0.1 to 300";
          },
          "SECONDS in [0.1, 300]"));
  cmd->add_flag("--no-echo", opts->no_echo, "With a URL: the server is not an echo server; skip that step");
  cmd->add_option("--client-cert", opts->client_cert_file,
                  "With a URL: present this client certificate (PEM, from devcert issue --client) when asked");
  cmd->add_option("--client-key", opts->client_key_file, "With a URL: the key of --client-cert");
  cmd->add_option("--from-container", opts->from_container,
                  "With a URL: diagnose from inside this running container (its DNS, network and trust store)");
  cmd->add_option("--engine", opts->engine, "With --from-container: podman or docker (default: the first on PATH)");
  // Set by --from-container on the copy it runs inside the container; not for people.
  cmd->add_option("--in-container", opts->in_container)->group("");
  cmd->add_option("--cert", opts->cert_file, "Check this certificate file instead of a minted leaf");
  cmd->add_option("--key", opts->key_file, "The key of --cert");
  cmd->add_flag("--require-trust", opts->require_trust,
                "Fail (exit 1) unless this machine's clients trust the root too");
  cmd->add_flag("--json", opts->json, "Print one JSON object (one shape for both modes)");
  cmd->footer("Both modes walk the same stages with the same client: url, dns, tcp, tls,\n"
              "certificate, trust, hostname, websocket, echo; each walk stops at the first\n"
              "broken link and names the cause, every problem of the certificate seen, what\n"
              "each client shows, and one fix.\n\n"
              "Without a URL: load the CA, mint a leaf, serve on loopback, then walk\n"
              "localhost, 127.0.0.1 and ::1 trusting only the devcert root, adding binary\n"
              "and 1 MiB echoes, ping and close 1000; then walk localhost trusting only the\n"
              "system store (through hostname), and read whether the root is in this\n"
              "machine's stores (as devcert status). Two verdicts: your root works (the\n"
              "walks trusting it), and this machine trusts it (the system store walk and\n"
              "the stores). Exit 0 when your root works; with --require-trust, only when\n"
              "this machine trusts it too. Certificates found in this directory or\n"
              "devcert.toml are listed with the command that proves them.\n"
              "Examples:\n  devcert verify-server\n  devcert verify-server wss://localhost:8443/ --json\n"
              "  devcert verify-server wss://localhost:8443/ --from-container web");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_verify_server(*opts, ctx); });
}

}  // namespace devcert::cli
