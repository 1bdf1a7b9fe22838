// `devcert env`: the variables for runtimes that ignore the system store or replace it, as
// lines each shell evaluates, and the bundle REQUESTS_CA_BUNDLE points at.
#pragma once

#include <string>
#include <vector>

namespace devcert::trust {

enum class Shell { bash, zsh, fish, powershell };

// "bash", "zsh", "fish", "powershell" (also "pwsh"); throws UsageError otherwise.
Shell parse_shell(const std::string& name);
// From $SHELL's basename; bash when unknown.
Shell default_shell(const char* shell_env);

struct EnvVariable {
  std::string name;
  std::string value;
  std::string comment;  // which runtime reads it
};

std::vector<EnvVariable> runtime_variables(const std::string& ca_file, const std::string& bundle_file);

// One "# comment" line, then the assignment, per variable; values quoted for `shell`.
std::string render_exports(Shell shell, const std::vector<EnvVariable>& vars);

// The system roots followed by ours (requests replaces certifi's list with this file, so it
// must hold both). Our root is not added twice.
std::string build_bundle(const std::string& system_roots, const std::string& ca_pem);

}  // namespace devcert::trust
