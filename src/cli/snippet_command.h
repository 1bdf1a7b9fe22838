// Options and run_x() entry point of `devcert snippet`.
#pragma once

#include <string>

#include "cli/app.h"

namespace devcert::cli {

struct SnippetOptions {
  std::string target;     // nginx, caddy, node, python, go, dockerfile, compose
  std::string cert_file;  // empty: ./localhost+2.pem, else ./localhost.pem (see the .cpp)
  std::string key_file;   // empty: next to the certificate, as `devcert issue` names it
  int port = 8443;
  std::string upstream = "127.0.0.1:3000";
  std::string base = "debian";  // dockerfile: the base image's distribution
  bool list = false;
};
int run_snippet(const SnippetOptions& opts, Context& ctx);

}  // namespace devcert::cli
