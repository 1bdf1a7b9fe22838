#include <algorithm>
#include <csignal>
#include <ctime>

#include <CLI/CLI.hpp>

#include "cli/listening.h"
#include "cli/wss_commands.h"
#include "error.h"
#include "pki/ca.h"
#include "util/process.h"
#include "util/fs.h"
#include "wss/identity.h"
#include "wss/server.h"

namespace devcert::cli {

int run_serve(const ServeOptions& opts, Context& ctx) {
  unsigned long max_files = process::raise_open_file_limit();
  ctx.out.detail("open file limit: " + std::to_string(max_files));
  wss::ServerIdentity identity;
  std::string origin;
  if (opts.cert_file.empty() != opts.key_file.empty())
    throw UsageError("--cert and --key go together", "pass both, or neither to mint a leaf");
  if (opts.cert_file.empty() && opts.key_file.empty()) {
    std::vector<std::string> names = served_names(opts.host);
    identity = wss::mint_identity(pki::CaRoot(ctx.caroot()).load(), names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    origin = "a leaf for " + list + " minted in memory from the devcert CA (valid 1 day)";
  } else {
    identity = wss::load_identity(opts.cert_file, opts.key_file);
    origin = opts.cert_file;
  }

  wss::ServerLimits limits;
  limits.max_connections = opts.max_connections;
  wss::ssl::context tls = wss::make_server_context(identity);
  std::string client_ca;
  if (opts.require_client_cert) {
    bool devcert_root = opts.client_ca_file.empty();
    pki::CaRoot root(ctx.caroot());
    wss::require_client_certificates(tls, fs::read_file(devcert_root ? root.cert_path().string() : opts.client_ca_file));
    client_ca = devcert_root ? "the devcert CA" : opts.client_ca_file;
  }
  wss::Server server(std::move(tls), limits,
                     [&ctx](const wss::ConnectionRecord& rec) {
                       ctx.out.line(clock_prefix() + " " + wss::format_log_line(rec));
                     });
  std::vector<wss::asio::ip::address> addresses = listen_addresses(opts.host);
  Listening listening =
      listen_on_all(addresses, opts.port, [&](const wss::tcp::endpoint& at) { return server.listen(at); }, ctx);
  std::uint16_t port = listening.port;

  // Handlers installed before the server starts: an early Ctrl-C is not lost.
  wss::asio::io_context signals_ioc;
  wss::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  server.start();
  std::string url_host = text::host_port(opts.host, port);
  ctx.out.line("devcert serve: WebSocket echo server with " + origin);
  ctx.out.line("  test page: https://" + url_host + "/");
  ctx.out.line("  echo:      wss://" + url_host + "/");
  if (!client_ca.empty()) ctx.out.line("  clients must present a certificate issued by " + client_ca);
  ctx.out.line("  listening on " + listening.where + "; Ctrl-C stops");
  int received = 0;
  signals.async_wait([&](const wss::error_code&, int signal) { received = signal; });
  signals_ioc.run();
  server.stop();
  ctx.out.line(std::string("stopped on ") + (received == SIGINT ? "SIGINT" : "SIGTERM") + " after " +
               std::to_string(server.connections_finished()) + " connection(s)");
  return 0;
}

void add_serve_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run a wss:// echo server and its test page");
  cmd->add_option("--cert", opts->cert_file, "Certificate file (leaf first, then intermediates)");
  cmd->add_option("--key", opts->key_file, "Its private key");
  cmd->add_option("--host", opts->host, "Address or name to listen on (default localhost: 127.0.0.1 and ::1)");
  cmd->add_option("--port", opts->port, "Port (default 8443; 0 picks a free one)");
  cmd->add_option("--max-connections", opts->max_connections,
                  "Open connections at most; more are closed at once (default " +
                      std::to_string(opts->max_connections) + ")")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  // An option whose value may be left out: `--client-ca` alone means the devcert root.
  CLI::Option* client_ca =
      cmd->add_option("--client-ca", opts->client_ca_file,
                      "Require a client certificate issued by the CA in FILE (mutual TLS); without FILE, by the devcert CA")
          ->expected(0, 1)
          ->type_name("[FILE]");
  cmd->footer("Without --cert/--key, a leaf for localhost, 127.0.0.1 and ::1 is minted in memory.\n"
              "Open the printed https:// URL in a browser: the page echoes through wss://.\n"
              "With --client-ca, a client without a certificate from that CA is refused (log line says why).\n"
              "Examples:\n  devcert serve\n  devcert serve --cert localhost+2.pem --key localhost+2-key.pem --port 9443\n"
              "  devcert serve --client-ca   # mutual TLS: clients show an issue --client cert");
  cmd->callback([opts, client_ca, &ctx, &exit_code] {
    opts->require_client_cert = client_ca->count() > 0;
    exit_code = run_serve(*opts, ctx);
  });
}

}  // namespace devcert::cli
