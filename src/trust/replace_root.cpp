#include "trust/replace_root.h"

#include <algorithm>

namespace devcert::trust {
namespace {

bool holds(const StoreStatus& s) {
  return s.available && std::any_of(s.locations.begin(), s.locations.end(),
                                    [](const StoreLocation& l) { return l.holds_root; });
}

}  // namespace

RootReplacement replace_root(const CaCertificate& previous, const CaCertificate& current,
                             const std::vector<std::string>& names, process::CommandRunner& runner,
                             const StoreEnvironment& env, const StoreProgress& before) {
  RootReplacement result;
  {
    StoreList all = make_stores(names, runner, env);
    for (const auto& s : status_of(all, previous))
      if (holds(s)) result.stores.push_back(s.store);
  }
  if (!result.stores.empty()) {
    StoreList held = make_stores(result.stores, runner, env);
    result.installed = install_into(held, current, before);
    std::vector<std::string> ready;
    for (const auto& r : result.installed)
      if (r.outcome == Outcome::installed || r.outcome == Outcome::already_installed) ready.push_back(r.store);
    StoreList moved = make_stores(ready, runner, env);
    result.removed = uninstall_from(moved, previous, before);
  }
  StoreList check = make_stores(result.stores, runner, env);
  auto after = status_of(check, previous);
  result.previous_gone = std::none_of(after.begin(), after.end(), holds);
  return result;
}

}  // namespace devcert::trust
