#include <cmath>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/wss_commands.h"
#include "error.h"
#include "util/text.h"
#include "wss/self_test.h"

namespace devcert::cli {
namespace {

void print_checklist(const wss::SelfTestReport& report, Context& ctx) {
  ctx.out.line("setup:");
  diagnose::Diagnosis setup;
  setup.stages = report.setup;
  print_walk(setup, ctx, "  ", false);
  if (!report.setup_fix.empty()) ctx.out.line("      fix: " + report.setup_fix);
  for (const auto& walk : report.walks) {
    ctx.out.line(walk.name + ":");
    print_walk(walk.diagnosis, ctx, "  ", !walk.required);
    if (walk.diagnosis.ok) continue;
    if (walk.required) print_cause(walk.diagnosis, ctx, "      ");
    else ctx.out.line("      fix: " + walk.diagnosis.fix);
  }
  for (const auto& entry : report.server_log) ctx.out.detail("server: " + entry);
  ctx.out.line(report.ok() ? "every required step passed" : "the self test failed");
}

// {"ok", "setup": [stage...], "walks": [{"name", "required", <the object of verify-server URL
// --json>}...], "server_log": [...]}: each walk is the same object a URL diagnosis prints.
void print_json(const wss::SelfTestReport& report, Context& ctx) {
  nlohmann::json j;
  j["ok"] = report.ok();
  j["setup"] = nlohmann::json::array();
  for (const auto& s : report.setup) j["setup"].push_back(diagnose::to_json(s));
  j["setup_fix"] = text::printable(report.setup_fix);
  j["walks"] = nlohmann::json::array();
  for (const auto& walk : report.walks) {
    nlohmann::json w = {{"name", walk.name}, {"required", walk.required}};
    w.update(diagnose::to_json(walk.diagnosis));
    j["walks"].push_back(std::move(w));
  }
  j["server_log"] = nlohmann::json::array();
  for (const auto& entry : report.server_log) j["server_log"].push_back(text::printable(entry));
  ctx.out.out() << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int run_verify_server(const VerifyServerOptions& opts, Context& ctx) {
  if (!opts.url.empty()) return run_verify_url(opts, ctx);
  wss::SelfTestOptions options;
  options.caroot = ctx.caroot();
  options.cert_file = opts.cert_file;
  options.key_file = opts.key_file;
  options.require_trust = opts.require_trust;
  if (!opts.ca_file.empty() || !opts.origin.empty() || !opts.subprotocol.empty() || opts.no_echo ||
      !opts.client_cert_file.empty() || !opts.client_key_file.empty())
    throw UsageError("--ca, --origin, --subprotocol, --no-echo, --client-cert and --client-key go with a URL",
                     "devcert verify-server wss://HOST:PORT/ [options]");
  wss::SelfTestReport report = wss::run_self_test(options);
  if (opts.json) print_json(report, ctx);
  else print_checklist(report, ctx);
  return report.ok() ? kExitOk : kExitFailure;
}

void add_verify_server_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<VerifyServerOptions>();
  auto* cmd = app.add_subcommand("verify-server", "Prove TLS + WebSocket end to end on this machine");
  cmd->add_option("url", opts->url, "Diagnose this wss://, ws:// or https:// endpoint instead");
  cmd->add_option("--ca", opts->ca_file, "With a URL: trust only the certificates in this file");
  cmd->add_option("--origin", opts->origin, "With a URL: the Origin header (default: the URL's own origin)");
  cmd->add_option("--subprotocol", opts->subprotocol, "With a URL: request this Sec-WebSocket-Protocol");
  cmd->add_option("--timeout", opts->timeout_seconds, "With a URL: seconds each step may take in all (default 10)")
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
  cmd->add_option("--cert", opts->cert_file, "Check this certificate file instead of a minted leaf");
  cmd->add_option("--key", opts->key_file, "The key of --cert");
  cmd->add_flag("--require-trust", opts->require_trust,
                "Fail (not just warn) when the system store does not trust the server");
  cmd->add_flag("--json", opts->json, "Print the checklist as one JSON object");
  cmd->footer("Both modes walk the same stages with the same client: url, dns, tcp, tls,\n"
              "certificate, trust, hostname, websocket, echo; each walk stops at the first broken\n"
              "link and names the cause, what each client shows, and the fix.\n\n"
              "Without a URL: load the CA, mint a leaf, serve on loopback, then walk localhost,\n"
              "127.0.0.1 and ::1 trusting only the devcert root, adding binary and 1 MiB echoes,\n"
              "ping and close 1000; then walk localhost trusting only the system store (through\n"
              "hostname). Exit 0 when every required walk passed.\n"
              "Examples:\n  devcert verify-server\n  devcert verify-server wss://localhost:8443/ --json");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_verify_server(*opts, ctx); });
}

}  // namespace devcert::cli
