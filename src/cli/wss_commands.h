// Options of `devcert serve` and `devcert verify-server`, and their run_x() entry points.
#pragma once

#include <cstdint>
#include <string>

#include "cli/app.h"
#include "wss/server.h"

namespace devcert::cli {

struct ServeOptions {
  std::string cert_file;  // with key_file; both empty: mint a leaf from the CA in memory
  std::string key_file;
  std::string host = "localhost";  // localhost listens on both 127.0.0.1 and ::1
  std::uint16_t port = 8443;       // 0: any free port (the URL printed says which)
  std::size_t max_connections = wss::ServerLimits{}.max_connections;
};
// Serves until SIGINT or SIGTERM.
int run_serve(const ServeOptions& opts, Context& ctx);

struct VerifyServerOptions {
  std::string url;  // issue 5: diagnose this endpoint; empty: the end-to-end self test
  std::string cert_file;
  std::string key_file;
  bool require_trust = false;
  bool json = false;
  // Diagnosing a URL (verify_url.cpp):
  std::string ca_file;  // trust only these certificates
  std::string origin;
  std::string subprotocol;
  double timeout_seconds = 10;
  bool no_echo = false;
};
int run_verify_server(const VerifyServerOptions& opts, Context& ctx);
int run_verify_url(const VerifyServerOptions& opts, Context& ctx);

}  // namespace devcert::cli
