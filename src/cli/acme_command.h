// `devcert acme`: the ACME server, and `devcert acme eab` for its external account keys.
#pragma once

#include <cstdint>
#include <string>

#include "cli/app.h"

namespace devcert::cli {

struct AcmeOptions {
  std::string host = "localhost";  // 127.0.0.1 and ::1
  std::uint16_t port = 8555;
  int64_t days = 90;
  bool validate = false;
  std::uint16_t http_port = 80;   // where --validate fetches http-01
  std::uint16_t tls_port = 443;   // where --validate connects for tls-alpn-01
};
// Serves until SIGINT or SIGTERM.
int run_acme(const AcmeOptions& opts, Context& ctx);

int run_acme_eab_add(const std::string& name, Context& ctx);
int run_acme_eab_list(Context& ctx);
int run_acme_eab_remove(const std::string& name, Context& ctx);

// The ACME database of a CAROOT.
inline std::filesystem::path acme_database(const std::filesystem::path& caroot) { return caroot / "acme.db"; }

}  // namespace devcert::cli
