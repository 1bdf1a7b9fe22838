#include "trust/env_exports.h"

#include <filesystem>
#include <string_view>

#include "error.h"

namespace devcert::trust {
namespace {

// The length of the PowerShell single quote at `at`, 0 when there is none: it takes the
// typographic ones (U+2018..U+201B) as quotes too.
std::size_t powershell_quote_at(std::string_view value, std::size_t at) {
  for (std::string_view q : {"'", "\u2018", "\u2019", "\u201A", "\u201B"})
    if (value.substr(at, q.size()) == q) return q.size();
  return 0;
}

// Single quotes for every shell: none expands anything inside them ($, `, \ and newlines stay
// as they are), so only what can end the quote needs care. POSIX shells cannot escape inside
// single quotes: close, write \', reopen. Fish reads \' and \\ inside them (so a lone
// backslash must be doubled too). PowerShell doubles each of its quotes.
std::string quote(Shell shell, std::string_view value) {
  std::string out = "'";
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (shell == Shell::powershell) {
      std::size_t n = powershell_quote_at(value, i);
      if (n == 0) {
        out += c;
        continue;
      }
      out.append(value.substr(i, n)).append(value.substr(i, n));
      i += n - 1;
    } else if (shell == Shell::fish) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    } else {
      out += c == '\'' ? std::string_view("'\\''") : std::string_view(&c, 1);
    }
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
