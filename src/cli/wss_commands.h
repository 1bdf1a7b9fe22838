// Options of `devcert serve` and `devcert verify-server`, and their run_x() entry points.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "diagnose/diagnose.h"
#include "wss/self_test.h"
#include "wss/server.h"

namespace devcert::cli {

struct ServeOptions {
  std::string cert_file;  // with key_file; both empty: mint a leaf from the CA in memory
  std::string key_file;
  std::string host = "localhost";  // localhost listens on both 127.0.0.1 and ::1
  std::uint16_t port = 8443;       // 0: any free port (the URL printed says which)
  std::size_t max_connections = wss::ServerLimits{}.max_connections;
  // --client-ca [FILE]: require a client certificate issued by FILE's CA (the devcert root when
  // the flag comes without a file).
  bool require_client_cert = false;
  std::string client_ca_file;
};
// Serves until SIGINT or SIGTERM.
int run_serve(const ServeOptions& opts, Context& ctx);

struct VerifyServerOptions {
  std::string url;  // diagnose this endpoint; empty: the end-to-end self test
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
  // --client-cert / --client-key: the certificate to present when the server asks for one.
  std::string client_cert_file;
  std::string client_key_file;
  // --from-container NAME: run the URL's diagnosis inside that running container (its DNS, its
  // network, its trust store) with --engine's CLI; in_container is what the copy inside is told.
  std::string from_container;
  std::string engine;
  std::string in_container;
};
int run_verify_server(const VerifyServerOptions& opts, Context& ctx);
int run_verify_url(const VerifyServerOptions& opts, Context& ctx);
// verify_from_container.cpp: copies this devcert and the root (never its key) into the
// container, runs the diagnosis there and passes its report and exit status on.
int run_verify_from_container(const VerifyServerOptions& opts, Context& ctx);

// How both modes of verify-server print a walk (verify_url.cpp): its stages as a checklist
// (a failure shown as a warning when `failure_is_warning`), then the cause, every problem seen,
// what each client shows and the fix when it failed. The cause and the fix are printed with
// --quiet too: they are what a failing run exists to say.
void print_walk(const diagnose::Diagnosis& d, Context& ctx, std::string_view indent, bool failure_is_warning);
void print_cause(const diagnose::Diagnosis& d, Context& ctx, std::string_view indent);

// Lines printed through `ctx.out` while this lives are printed with --quiet too.
class Unquiet {
 public:
  explicit Unquiet(Context& ctx) : out_(ctx.out), was_(ctx.out.quiet) { out_.quiet = false; }
  ~Unquiet() { out_.quiet = was_; }
  Unquiet(const Unquiet&) = delete;
  Unquiet& operator=(const Unquiet&) = delete;

 private:
  Output& out_;
  bool was_;
};

struct SelfTestVerdicts;
// The one JSON shape of both modes (verify_server_json.cpp, man/json/verify-server.schema.json).
nlohmann::json url_json(const diagnose::Diagnosis& d);
nlohmann::json self_test_json(const wss::SelfTestReport& report, const SelfTestVerdicts& verdicts);
// --client-cert and --client-key read into `d`; UsageError when only one is given.
void read_client_certificate(const VerifyServerOptions& opts, diagnose::DiagnoseOptions& d);

}  // namespace devcert::cli
