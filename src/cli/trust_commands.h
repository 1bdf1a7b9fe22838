// Options and run_x() entry points of the trust commands: install, uninstall, status, env.
#pragma once

#include <string>
#include <vector>

#include "cli/app.h"

namespace devcert::cli {

// install, uninstall and status share them; `json` is status's.
struct TrustOptions {
  std::vector<std::string> stores;  // --store NAME...; empty: DEVCERT_TRUST_STORES, else all
  bool json = false;
  bool firefox_policy = false;  // install --firefox-policy
  // --container NAME|ID...: these running containers' system stores instead of the host's.
  std::vector<std::string> containers;
  std::string engine;  // --engine podman|docker; empty: the first on PATH
};
int run_install(const TrustOptions& opts, Context& ctx);
// --container and --engine, as install, uninstall and status take them.
void add_container_options(CLI::App& cmd, TrustOptions& opts);
int run_uninstall(const TrustOptions& opts, Context& ctx);
int run_status(const TrustOptions& opts, Context& ctx);

struct EnvOptions {
  std::string shell;  // empty: from $SHELL
};
int run_env(const EnvOptions& opts, Context& ctx);

}  // namespace devcert::cli
