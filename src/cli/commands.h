// Options of each command as plain structs, and run_x() entry points callable without argv.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/app.h"

namespace devcert::cli {

struct InitOptions {
  std::string key_type = "ecdsa-p256";
  std::vector<std::string> permit;
  bool unconstrained = false;
};
int run_init(const InitOptions& opts, Context& ctx);

struct IssueOptions {
  std::vector<std::string> names;
  std::string key_type = "ecdsa-p256";
  std::optional<int> days;  // unset: the profile's default
  bool client = false;
  std::string cert_file;
  std::string key_file;
  std::string p12_file;
  std::string p12_password = "changeit";  // keytool's default store password: Java reads it as is
  bool fullchain = false;
  std::string csr_file;
  bool json = false;
};
int run_issue(const IssueOptions& opts, Context& ctx);

struct InspectOptions {
  std::string file;
  bool json = false;
};
int run_inspect(const InspectOptions& opts, Context& ctx);

}  // namespace devcert::cli
