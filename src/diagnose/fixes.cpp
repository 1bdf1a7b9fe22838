#include "diagnose/fixes.h"

#include <algorithm>
#include <string_view>

#include "diagnose/causes.h"
#include "util/process.h"

namespace devcert::diagnose {
namespace {

using CauseList = std::vector<std::string_view>;

// What a new leaf from the devcert CA cures.
const CauseList kCuredByNewLeaf = {"expired",           "not_yet_valid", "weak_key", "missing_server_auth",
                                   "hostname_mismatch", "ip_mismatch",   "cn_only"};
// A leaf from another CA, or none: a devcert leaf replaces it, and the root must then be installed.
const CauseList kForeignLeaf = {"self_signed", "unknown_issuer"};

bool in_list(const CauseList& causes, const std::string& cause) {
  return std::find(causes.begin(), causes.end(), cause) != causes.end();
}

bool any_of_causes(const std::vector<Broken>& problems, const CauseList& causes) {
  return std::any_of(problems.begin(), problems.end(), [&](const Broken& p) { return in_list(causes, p.cause); });
}

}  // namespace

std::string fix_for_all(const std::vector<Broken>& problems, const std::vector<std::string>& leaf_names,
                        const Endpoint& endpoint) {
  if (problems.empty()) return "";
  bool install = any_of_causes(problems, {"ca_not_installed"}) || any_of_causes(problems, kForeignLeaf);
  bool issue = any_of_causes(problems, kCuredByNewLeaf) || any_of_causes(problems, kForeignLeaf);
  auto own_fix = [](const Broken& p) { return p.fix.empty() ? std::string(cause_info(p.cause).fix) : p.fix; };
  // Alone, an uninstalled root or a broken chain keeps its own words (the Node hint of
  // ca_not_installed, the nginx line of chain_incomplete).
  if (problems.size() == 1 && !issue) return own_fix(problems.front());

  std::vector<std::string> names = leaf_names;
  if (any_of_causes(problems, {"hostname_mismatch", "ip_mismatch", "cn_only"}) || names.empty())
    if (std::find(names.begin(), names.end(), endpoint.host) == names.end()) names.push_back(endpoint.host);
  // Quoted as a shell reads it back: '*.app.test' would otherwise be expanded.
  std::vector<std::string> argv{"devcert", "issue"};
  argv.insert(argv.end(), names.begin(), names.end());
  std::string issue_command = process::display(argv);

  // What no devcert command cures (chain_incomplete, name_constraint_violation) comes first, in
  // its own words.
  std::string others;
  for (const auto& p : problems) {
    bool handled = p.cause == "ca_not_installed" || in_list(kCuredByNewLeaf, p.cause) || in_list(kForeignLeaf, p.cause);
    if (!handled) others += (others.empty() ? "" : "; ") + own_fix(p);
  }
  std::string commands = install && issue ? "devcert install && " + issue_command
                         : install        ? std::string("devcert install")
                                          : issue_command;
  std::string lead;
  if (any_of_causes(problems, {"self_signed"})) lead = "replace it with one from your devcert CA: ";
  else if (any_of_causes(problems, {"unknown_issuer"}))
    lead = problems.size() == 1 ? "trust that CA, or re-issue from your devcert CA: " : "re-issue from your devcert CA: ";
  else if (problems.size() == 1 && problems.front().cause == "not_yet_valid")
    lead = "fix the clock (timedatectl set-ntp true), or issue a new one: ";
  return (others.empty() ? "" : others + "; then ") + lead + commands;
}

}  // namespace devcert::diagnose
