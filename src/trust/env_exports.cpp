#include "trust/env_exports.h"

#include <filesystem>

#include "error.h"

namespace devcert::trust {
namespace {

std::string quote(Shell shell, const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c != '\'') out += c;
    else if (shell == Shell::fish) out += "\\'";
    else if (shell == Shell::powershell) out += "''";
    else out += "'\\''";
  }
  return out + "'";
}

}  // namespace

Shell parse_shell(const std::string& name) {
  if (name == "bash" || name == "sh") return Shell::bash;
  if (name == "zsh") return Shell::zsh;
  if (name == "fish") return Shell::fish;
  if (name == "powershell" || name == "pwsh") return Shell::powershell;
  throw UsageError("unknown shell '" + name + "'", "use --shell bash, zsh, fish or powershell");
}

Shell default_shell(const char* shell_env) {
  if (!shell_env) return Shell::bash;
  std::string base = std::filesystem::path(shell_env).filename().string();
  if (base == "zsh") return Shell::zsh;
  if (base == "fish") return Shell::fish;
  if (base == "pwsh" || base == "powershell") return Shell::powershell;
  return Shell::bash;
}

std::vector<EnvVariable> runtime_variables(const std::string& ca_file,
                                           const std::string& bundle_file) {
  return {
      {"NODE_EXTRA_CA_CERTS", ca_file, "Node.js: adds this root to its built-in list"},
      {"DENO_CERT", ca_file, "Deno: adds this root to its trust store"},
      {"REQUESTS_CA_BUNDLE", bundle_file,
       "Python requests: replaces certifi's roots with this bundle (system roots + devcert)"},
  };
}

std::string render_exports(Shell shell, const std::vector<EnvVariable>& vars) {
  std::string out;
  for (const auto& v : vars) {
    out += "# " + v.comment + "\n";
    switch (shell) {
      case Shell::bash:
      case Shell::zsh: out += "export " + v.name + "=" + quote(shell, v.value) + "\n"; break;
      case Shell::fish: out += "set -gx " + v.name + " " + quote(shell, v.value) + "\n"; break;
      case Shell::powershell: out += "$env:" + v.name + " = " + quote(shell, v.value) + "\n"; break;
    }
  }
  return out;
}

std::string build_bundle(const std::string& system_roots, const std::string& ca_pem) {
  std::string bundle = system_roots;
  if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  if (bundle.find(ca_pem) == std::string::npos) bundle += ca_pem;
  return bundle;
}

}  // namespace devcert::trust
