// `devcert verify-server URL`: the diagnosis of someone else's server, printed for people or
// as JSON; and how a walk is printed, for the self test too.
#include <nlohmann/json.hpp>

#include "cli/wss_commands.h"
#include "diagnose/causes.h"
#include "diagnose/container_causes.h"
#include "diagnose/diagnose.h"
#include "diagnose/url.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/keys.h"
#include "util/fs.h"
#include "util/text.h"

namespace devcert::cli {

void print_walk(const diagnose::Diagnosis& d, Context& ctx, std::string_view indent, bool failure_is_warning) {
  for (const auto& s : d.stages) {
    std::string name = s.name;
    name.resize(std::max<size_t>(name.size(), 12), ' ');
    Output::Mark mark = s.status == diagnose::Stage::Status::ok ? Output::Mark::ok
                        : s.status == diagnose::Stage::Status::failed
                            ? (failure_is_warning ? Output::Mark::warning : Output::Mark::failed)
                            : Output::Mark::none;
    std::string detail = s.detail.empty() && s.status == diagnose::Stage::Status::skipped ? "skipped" : s.detail;
    ctx.out.item(indent, mark, name + " " + detail);
  }
  for (std::size_t i = 0; i < d.peer_certificates.size(); ++i)
    ctx.out.detail("peer certificate " + std::to_string(i) + ": subject " + d.peer_certificates[i].subject +
                   ", issuer " + d.peer_certificates[i].issuer);
  for (const auto& w : d.warnings) ctx.out.warning(w);
}

void print_cause(const diagnose::Diagnosis& d, Context& ctx, std::string_view indent) {
  const auto& info = diagnose::cause_info(d.cause);
  std::string in(indent);
  {
    Unquiet loud(ctx);
    ctx.out.line(in + "cause: " + d.cause + ": " + std::string(info.meaning));
  }
  if (d.problems.size() > 1) {
    ctx.out.line(in + "every problem seen:");
    for (const auto& p : d.problems) ctx.out.line(in + "  " + p.cause + ": " + p.message);
  }
  // The browsers' words are for the person at the browser: a page's script never learns why.
  ctx.out.line(in + "what clients show (when a socket fails, a page's script sees only close code 1006):");
  ctx.out.line(in + "  Chrome:  " + std::string(info.clients.chrome));
  ctx.out.line(in + "  Firefox: " + std::string(info.clients.firefox));
  ctx.out.line(in + "  Node:    " + std::string(info.clients.node));
  ctx.out.line(in + "  Python:  " + std::string(info.clients.python));
  ctx.out.line(in + "  curl:    " + std::string(info.clients.curl));
  Unquiet loud(ctx);
  ctx.out.line(in + "fix: " + d.fix);
}

void read_client_certificate(const VerifyServerOptions& opts, diagnose::DiagnoseOptions& d) {
  if (opts.client_cert_file.empty() != opts.client_key_file.empty())
    throw UsageError("--client-cert and --client-key go together",
                     "devcert issue --client NAME writes both; pass --client-cert FILE --client-key FILE");
  if (opts.client_cert_file.empty()) return;
  // Refused before any network step: a pair that cannot be presented is the caller's mistake.
  if (!diagnose::parse_url(opts.url).tls())
    throw UsageError("--client-cert goes with a wss:// or https:// URL: " + text::printable(opts.url) +
                         " has no TLS to present it in",
                     "devcert verify-server wss://HOST:PORT/ --client-cert FILE --client-key FILE");
  d.client_cert_pem = fs::read_file(opts.client_cert_file);
  d.client_key_pem = fs::read_file(opts.client_key_file);
  auto certs = pki::load_certificates(d.client_cert_pem, opts.client_cert_file);
  ossl::Pkey key = pki::load_private_key(d.client_key_pem, opts.client_key_file);
  if (certs.empty() || !pki::key_matches_certificate(key.get(), certs.front().get()))
    throw UsageError("--client-key is not the key of --client-cert",
                     "pass the key file written with the client certificate (devcert issue --client)");
}

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
  read_client_certificate(opts, d);
  diagnose::Diagnosis result = diagnose::diagnose(d);
  std::optional<diagnose::ContainerCause> in_container;
  if (!opts.in_container.empty()) in_container = diagnose::container_cause(result, opts.in_container);
  if (in_container) {
    result.message = in_container->what;
    result.fix = in_container->fix;
  }

  if (opts.json) {
    // Every text field is escaped (diagnose.cpp); `replace` keeps the JSON valid even so.
    ctx.out.out() << url_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return result.ok ? kExitOk : kExitFailure;
  }
  ctx.out.line("diagnosing " + result.endpoint.url());
  print_walk(result, ctx, "  ", false);
  if (result.ok) {
    ctx.out.line("ok: a verifying WebSocket client connects to " + result.endpoint.url());
    return kExitOk;
  }
  ctx.out.line("");
  if (in_container) {
    Unquiet loud(ctx);
    ctx.out.line("in container " + opts.in_container + ": " + in_container->what);
  }
  print_cause(result, ctx, "");
  return kExitFailure;
}

}  // namespace devcert::cli
