#include "cli/acme_command.h"

#include <openssl/rand.h>

#include <csignal>
#include <regex>
#include <thread>

#include <CLI/CLI.hpp>

#include "acme/http_server.h"
#include "acme/jws.h"
#include "acme/service.h"
#include "acme/store.h"
#include "acme/validation.h"
#include "cli/listening.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/leaf_rules.h"
#include "util/text.h"
#include "wss/identity.h"
#include "wss/tls.h"

namespace devcert::cli {
namespace {

// An EAB key's name is shown in logs and tables, and typed on command lines: keep it plain.
void check_eab_name(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  if (!std::regex_match(name, kName))
    throw UsageError("the key name " + text::printable(name) + " is not taken: use 1 to 64 letters, digits, "
                     "'.', '_', '@' or '-', starting with a letter or digit",
                     "devcert acme eab add alice");
}

pki::CaRoot existing_root(Context& ctx) {
  pki::CaRoot root(ctx.caroot());
  if (!root.exists())
    throw Error("there is no devcert CA in " + ctx.caroot().string() + " to issue from", "devcert init");
  return root;
}

std::string random_b64(size_t n) {
  std::string raw(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n));
  return raw;
}

}  // namespace

int run_acme(const AcmeOptions& opts, Context& ctx) {
  pki::CaRoot root = existing_root(ctx);
  int days = 0;
  try {
    days = pki::leaf_days(opts.days);
  } catch (const pki::LeafDaysError& e) {
    throw UsageError("--days must be " + e.allowed());
  }
  std::vector<wss::asio::ip::address> addresses = listen_addresses(opts.host);
  bool beyond_loopback = std::any_of(addresses.begin(), addresses.end(), [](const auto& a) { return !a.is_loopback(); });
  acme::Store store(acme_database(ctx.caroot()));
  if (beyond_loopback && store.eab_keys().empty())
    throw UsageError("devcert acme refuses to listen on " + opts.host +
                         ": beyond loopback anyone who reaches the port could get certificates from your CA, so "
                         "every account there needs an external account key, and there is none yet",
                     "devcert acme eab add NAME   (then give NAME's key id and HMAC key to that client)");

  pki::CertificateAuthority ca = root.load();
  std::vector<std::string> own_names = served_names(opts.host);
  wss::ServerIdentity identity = wss::mint_identity(ca, own_names);

  acme::ServiceConfig config;
  config.leaf_days = days;
  config.validate = opts.validate;
  config.require_eab = beyond_loopback;
  acme::ValidationPorts ports{opts.http_port, opts.tls_port};
  config.validator = [ports](const acme::ValidationJob& job) { return acme::check_challenge(job, ports); };

  std::mutex log_mutex;
  auto log = [&ctx, &log_mutex](const std::string& peer, const std::string& line) {
    std::lock_guard lock(log_mutex);
    ctx.out.line(clock_prefix() + " " + peer + " " + text::printable(line));
  };
  // Made once the server exists; the checks' threads reach it through this.
  std::unique_ptr<acme::Service> service;

  // Checks run on a small pool of their own, so a slow challenge never holds up the server and a
  // long-running server does not gather a thread per challenge.
  wss::asio::thread_pool checks(2);
  config.dispatch = [&service, &checks, &log](acme::ValidationJob job) {
    wss::asio::post(checks, [&service, &log, job] {
      std::optional<acme::Problem> problem = service->config().validator(job);
      service->complete(job, problem);
      log("-", job.type + " for " + job.identifier.value + ": " +
                   (problem ? "failed: " + std::string(problem->what()) : std::string("passed")));
    });
  };

  service = std::make_unique<acme::Service>(config, std::move(ca), store);
  acme::HttpServer server(wss::make_server_context(identity), *service, log);
  Listening listening =
      listen_on_all(addresses, opts.port, [&](const wss::tcp::endpoint& at) { return server.listen(at); }, ctx);
  std::uint16_t port = listening.port;
  // The URLs carry the bound port (the one --port 0 picked).
  service->set_base_url("https://" + text::host_port(opts.host, port));

  wss::asio::io_context signals_ioc;
  wss::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  server.start(std::max(2u, std::thread::hardware_concurrency()));
  std::string dir = service->directory_url();
  std::string root_pem = root.cert_path().string();
  ctx.out.line("devcert acme: an ACME server (RFC 8555) issuing from the devcert CA");
  ctx.out.line("  directory:    " + dir);
  ctx.out.line(opts.validate ? "  challenges:   http-01 on port " + std::to_string(opts.http_port) +
                                   " and tls-alpn-01 on port " + std::to_string(opts.tls_port) + " are checked"
                             : "  challenges:   none: a name inside the CA's constraints is authorized at once "
                               "(--validate checks http-01 and tls-alpn-01)");
  ctx.out.line("  certificates: " + std::to_string(days) + " days; state in " + acme_database(ctx.caroot()).string());
  if (beyond_loopback) ctx.out.line("  accounts:     need an external account key (devcert acme eab list)");
  ctx.out.line("  certbot: REQUESTS_CA_BUNDLE=" + root_pem + " certbot certonly --server " + dir +
               " --standalone -d app.localhost --register-unsafely-without-email --agree-tos");
  ctx.out.line("  lego:    LEGO_CA_CERTIFICATES=" + root_pem + " lego --server " + dir +
               " --email you@example.test --domains app.localhost --http run");
  // In a site's tls block, not the global acme_ca: with that, Caddy 2.6 still gives the names it
  // deems internal (localhost, *.localhost, *.local, *.internal, IP addresses) to its own CA.
  ctx.out.line("  Caddy:   in each site block of the Caddyfile:");
  for (const std::string& line : {std::string("tls {"), "  ca " + dir, "  ca_root " + root_pem, std::string("}")})
    ctx.out.line("             " + line);
  ctx.out.line("  listening on " + listening.where + "; Ctrl-C stops");
  int received = 0;
  signals.async_wait([&](const wss::error_code&, int signal) {
    received = signal;
    signals_ioc.stop();
  });
  // The server's own leaf lives a day (as serve's): a fresh one every 12 hours keeps it valid.
  wss::asio::steady_timer remint(signals_ioc);
  std::function<void()> schedule = [&] {
    remint.expires_after(std::chrono::hours(12));
    remint.async_wait([&](const wss::error_code& ec) {
      if (ec) return;
      server.set_tls(wss::make_server_context(wss::mint_identity(root.load(), own_names)));
      schedule();
    });
  };
  schedule();
  signals_ioc.run();
  server.stop();
  checks.join();
  ctx.out.line(std::string("stopped on ") + (received == SIGINT ? "SIGINT" : "SIGTERM"));
  return kExitOk;
}

int run_acme_eab_add(const std::string& name, Context& ctx) {
  check_eab_name(name);
  existing_root(ctx);
  acme::Store store(acme_database(ctx.caroot()));
  for (const auto& k : store.eab_keys())
    if (k.name == name)
      throw UsageError("there is an external account key named " + name + " already",
                       "devcert acme eab remove " + name + "   (then add it again for a new key)");
  acme::EabKey key;
  key.name = name;
  key.kid = "kid-" + acme::base64url_encode(random_b64(12));
  key.hmac_key = random_b64(32);
  key.created = static_cast<int64_t>(std::time(nullptr));
  store.add_eab(key);
  std::string hmac = acme::base64url_encode(key.hmac_key);
  ctx.out.line("external account key " + name + " (one account may bind it):");
  ctx.out.line("  key id:   " + key.kid);
  ctx.out.line("  HMAC key: " + hmac);
  ctx.out.line("  certbot:  --eab-kid " + key.kid + " --eab-hmac-key " + hmac);
  ctx.out.line("  lego:     --eab --kid " + key.kid + " --hmac " + hmac);
  return kExitOk;
}

int run_acme_eab_list(Context& ctx) {
  existing_root(ctx);
  acme::Store store(acme_database(ctx.caroot()));
  auto keys = store.eab_keys();
  if (keys.empty()) ctx.out.line("no external account keys (devcert acme eab add NAME makes one)");
  for (const auto& k : keys)
    ctx.out.line(k.name + "  " + k.kid + "  " +
                 (k.account ? "bound to account " + std::to_string(k.account) : std::string("unused")));
  return kExitOk;
}

int run_acme_eab_remove(const std::string& name, Context& ctx) {
  existing_root(ctx);
  acme::Store store(acme_database(ctx.caroot()));
  if (!store.remove_eab(name))
    throw UsageError("there is no external account key named " + text::printable(name), "devcert acme eab list");
  ctx.out.line("removed the external account key " + name +
               " (an account already bound with it stays; no new account can bind it)");
  return kExitOk;
}

void add_acme_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<AcmeOptions>();
  auto* cmd = app.add_subcommand("acme", "Run an ACME server (RFC 8555) that issues from the devcert CA");
  cmd->add_option("--host", opts->host, "Address or name to listen on (default localhost: 127.0.0.1 and ::1)");
  cmd->add_option("--port", opts->port, "Port (default 8555; 0 picks a free one)");
  cmd->add_option("--days", opts->days, "Validity of each certificate in days, 1..825 (default 90)");
  cmd->add_flag("--validate", opts->validate, "Check http-01 and tls-alpn-01 challenges, as a public CA does");
  cmd->add_option("--http-port", opts->http_port, "Where --validate fetches http-01 (default 80)");
  cmd->add_option("--tls-port", opts->tls_port, "Where --validate connects for tls-alpn-01 (default 443)");
  cmd->footer("Names inside the CA's constraints are authorized without a challenge; anything else is refused.\n"
              "Beyond loopback every account needs an external account key (devcert acme eab add NAME).\n"
              "Examples:\n  devcert acme\n  devcert acme --validate --http-port 5002 --tls-port 5001\n"
              "  devcert acme --host 0.0.0.0   # after: devcert acme eab add teammate");
  auto* eab = cmd->add_subcommand("eab", "Manage external account keys (needed beyond loopback)");
  eab->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto* add = eab->add_subcommand("add", "Make a key for one client: prints its key id and HMAC key");
  add->add_option("NAME", *name, "Who the key is for")->required();
  add->callback([name, &ctx, &exit_code] { exit_code = run_acme_eab_add(*name, ctx); });
  auto* list = eab->add_subcommand("list", "List the keys and the accounts they bound");
  list->callback([&ctx, &exit_code] { exit_code = run_acme_eab_list(ctx); });
  auto* remove = eab->add_subcommand("remove", "Remove a key");
  remove->add_option("NAME", *name, "The key's name")->required();
  remove->callback([name, &ctx, &exit_code] { exit_code = run_acme_eab_remove(*name, ctx); });
  cmd->callback([opts, eab, &ctx, &exit_code] {
    if (eab->parsed()) return;
    exit_code = run_acme(*opts, ctx);
  });
}

}  // namespace devcert::cli
