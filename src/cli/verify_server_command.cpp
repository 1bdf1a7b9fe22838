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

std::string millis(std::chrono::microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

Output::Mark mark(wss::CheckItem::Status status) {
  switch (status) {
    case wss::CheckItem::Status::ok: return Output::Mark::ok;
    case wss::CheckItem::Status::failed: return Output::Mark::failed;
    case wss::CheckItem::Status::warning: return Output::Mark::warning;
    case wss::CheckItem::Status::skipped: break;
  }
  return Output::Mark::none;
}

void print_checklist(const wss::SelfTestReport& report, Context& ctx) {
  std::string group;
  for (const auto& item : report.items) {
    if (item.group != group) {
      group = item.group;
      ctx.out.line(group + ":");
    }
    std::string name = item.name;
    name.resize(std::max<std::size_t>(name.size(), 12), ' ');
    std::string line = name + " " + item.detail;
    if (item.status == wss::CheckItem::Status::skipped && item.detail.empty()) line += "skipped";
    else if (item.status != wss::CheckItem::Status::skipped) line += " (" + millis(item.elapsed) + ")";
    ctx.out.item("  ", mark(item.status), line);
    if (!item.fix.empty() && item.status != wss::CheckItem::Status::ok)
      ctx.out.line("      fix: " + item.fix);
  }
  for (const auto& entry : report.server_log) ctx.out.detail("server: " + entry);
  ctx.out.line(report.ok() ? "every required step passed" : "the self test failed");
}

void print_json(const wss::SelfTestReport& report, Context& ctx) {
  nlohmann::json j;
  j["ok"] = report.ok();
  j["steps"] = nlohmann::json::array();
  for (const auto& item : report.items)
    j["steps"].push_back({{"group", item.group},
                          {"name", item.name},
                          {"status", wss::status_name(item.status)},
                          {"detail", text::printable(item.detail)},  // it may quote the leaf's names
                          {"fix", text::printable(item.fix)},
                          {"ms", static_cast<double>(item.elapsed.count()) / 1000.0}});
  j["server_log"] = nlohmann::json::array();
  for (const auto& entry : report.server_log) j["server_log"].push_back(text::printable(entry));
  ctx.out.out() << j.dump(2) << "\n";
}

}  // namespace

int run_verify_server(const VerifyServerOptions& opts, Context& ctx) {
  if (!opts.url.empty()) return run_verify_url(opts, ctx);
  wss::SelfTestOptions options;
  options.caroot = ctx.caroot();
  options.cert_file = opts.cert_file;
  options.key_file = opts.key_file;
  options.require_trust = opts.require_trust;
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
  cmd->add_option("--cert", opts->cert_file, "Check this certificate file instead of a minted leaf");
  cmd->add_option("--key", opts->key_file, "The key of --cert");
  cmd->add_flag("--require-trust", opts->require_trust,
                "Fail (not just warn) when the system store does not trust the server");
  cmd->add_flag("--json", opts->json, "Print the checklist as one JSON object");
  cmd->footer("Steps: load the CA, mint a leaf, serve on loopback, then for localhost, 127.0.0.1\n"
              "and ::1: TLS, certificate, hostname, WebSocket upgrade, echo (text, binary,\n"
              "1 MiB), ping, close 1000; then the system store's view. Exit 0 when all passed.\n\n"
              "With a URL: url, dns, tcp, tls, certificate, trust, hostname, websocket, echo;\n"
              "stops at the first broken link and names the cause, what each client shows, the fix.\n"
              "Examples:\n  devcert verify-server\n  devcert verify-server wss://localhost:8443/ --json");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_verify_server(*opts, ctx); });
}

}  // namespace devcert::cli
