// Options of each command as plain structs, and run_x() entry points callable without argv.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "pki/inspect.h"
#include "trust/store.h"

namespace devcert::cli {

// Empty key_type and permit: devcert.toml's [ca] values, else the defaults (flags override the file).
struct InitOptions {
  std::string key_type;
  std::vector<std::string> permit;
  bool unconstrained = false;
  std::string config_file;    // --config; empty: devcert.toml found from the current directory up
  bool write_config = false;  // write the sample devcert.toml into the current directory, only
};
int run_init(const InitOptions& opts, Context& ctx);

// Without names or a CSR, every [[cert]] of devcert.toml is issued; the flags below override it.
struct IssueOptions {
  std::vector<std::string> names;
  std::string key_type;     // empty: the file's, else the profile's default
  std::optional<int> days;  // unset: the file's, else the profile's default
  bool client = false;     // --client
  bool no_client = false;  // --no-client: overrides client = true in devcert.toml
  std::string cert_file;
  std::string key_file;
  std::string p12_file;
  std::string p12_password;       // empty: --p12-password-file, DEVCERT_P12_PASSWORD, else "changeit"
  std::string p12_password_file;
  bool fullchain = false;
  bool for_containers = false;  // also name the host as containers see it (pki/container_hosts.h)
  std::string csr_file;
  std::string config_file;  // --config; empty: devcert.toml found from the current directory up
  bool json = false;
};
int run_issue(const IssueOptions& opts, Context& ctx);

// Prints the CA directory.
int run_caroot(Context& ctx);

struct InspectOptions {
  std::string file;
  bool json = false;
};
int run_inspect(const InspectOptions& opts, Context& ctx);
// What inspect --json prints: the report, `ca` (CAROOT's root it was compared with, or none)
// and `ok` (false when a finding is an error).
nlohmann::json inspect_json(const pki::CertificateReport& report, const std::optional<trust::CaCertificate>& ca);

}  // namespace devcert::cli
