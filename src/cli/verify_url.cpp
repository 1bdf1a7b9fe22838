// `devcert verify-server URL`: the diagnosis of someone else's server, printed for people or
// as JSON.
#include <nlohmann/json.hpp>

#include "cli/wss_commands.h"
#include "diagnose/causes.h"
#include "diagnose/diagnose.h"
#include "error.h"
#include "pki/ca.h"
#include "util/fs.h"

namespace devcert::cli {

int run_verify_url(const VerifyServerOptions& opts, Context& ctx) {
  if (!opts.cert_file.empty() || !opts.key_file.empty() || opts.require_trust)
    throw UsageError("--cert, --key and --require-trust belong to the self test, not to a URL",
                     "devcert verify-server " + opts.url + " [--ca FILE]");
  diagnose::DiagnoseOptions d;
  d.url = opts.url;
  if (!opts.ca_file.empty()) d.ca_pem = fs::read_file(opts.ca_file);
  pki::CaRoot root(ctx.caroot());
  if (opts.ca_file.empty() && root.exists()) {
    try {
      d.devcert_ca_pem = fs::read_file(root.cert_path());
    } catch (const Error& e) {
      ctx.out.warning(std::string("cannot read the devcert CA: ") + e.what());
    }
  }
  d.origin = opts.origin;
  d.subprotocol = opts.subprotocol;
  d.timeout = std::chrono::milliseconds(static_cast<long>(opts.timeout_seconds * 1000));
  d.echo = !opts.no_echo;
  diagnose::Diagnosis result = diagnose::diagnose(d);

  if (opts.json) {
    // Every text field is escaped (diagnose.cpp); `replace` keeps the JSON valid even so.
    ctx.out.out() << diagnose::to_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return result.ok ? kExitOk : kExitFailure;
  }
  ctx.out.line("diagnosing " + result.endpoint.url());
  for (const auto& s : result.stages) {
    std::string name = s.name;
    name.resize(std::max<size_t>(name.size(), 12), ' ');
    Output::Mark mark = s.status == diagnose::Stage::Status::ok       ? Output::Mark::ok
                        : s.status == diagnose::Stage::Status::failed ? Output::Mark::failed
                                                                      : Output::Mark::none;
    std::string detail = s.detail.empty() && s.status == diagnose::Stage::Status::skipped ? "skipped" : s.detail;
    ctx.out.item("  ", mark, name + " " + detail);
  }
  for (std::size_t i = 0; i < result.peer_certificates.size(); ++i)
    ctx.out.detail("peer certificate " + std::to_string(i) + ": subject " + result.peer_certificates[i].subject +
                   ", issuer " + result.peer_certificates[i].issuer);
  for (const auto& w : result.warnings) ctx.out.warning(w);
  if (result.ok) {
    ctx.out.line("ok: a verifying WebSocket client connects to " + result.endpoint.url());
    return kExitOk;
  }
  const auto& info = diagnose::cause_info(result.cause);
  ctx.out.line("");
  ctx.out.line("cause: " + result.cause + ": " + std::string(info.meaning));
  ctx.out.line("what clients show:");
  ctx.out.line("  Chrome:  " + std::string(info.clients.chrome) + " (the page sees only close code 1006)");
  ctx.out.line("  Firefox: " + std::string(info.clients.firefox));
  ctx.out.line("  Node:    " + std::string(info.clients.node));
  ctx.out.line("  Python:  " + std::string(info.clients.python));
  ctx.out.line("fix: " + result.fix);
  return kExitFailure;
}

}  // namespace devcert::cli
