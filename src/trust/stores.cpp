#include "trust/stores.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "error.h"
#include "trust/firefox_policy.h"
#include "trust/java_store.h"
#include "trust/nss_store.h"

namespace devcert::trust {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

StoreEnvironment StoreEnvironment::from(const Environment& vars) {
  StoreEnvironment env;
  env.home = vars.get("HOME");
  env.xdg_config_home = vars.get("XDG_CONFIG_HOME");
  env.xdg_data_home = vars.get("XDG_DATA_HOME");
  env.java_home = vars.get("JAVA_HOME");
  env.selected_stores = vars.get("DEVCERT_TRUST_STORES");
  env.is_root = ::geteuid() == 0;
  return env;
}

std::vector<std::string> known_store_names() { return {"system", "nss", "java"}; }

std::vector<std::string> opt_in_store_names() { return {"firefox-policy"}; }

std::vector<std::string> select_store_names(const std::vector<std::string>& flags,
                                            const std::string& env_value) {
  std::vector<std::string> wanted;
  if (!flags.empty()) {
    wanted = flags;
  } else {
    std::stringstream list(env_value);
    for (std::string item; std::getline(list, item, ',');) {
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) wanted.push_back(item);
    }
  }
  auto known = known_store_names();
  if (wanted.empty()) return known;
  for (const auto& name : opt_in_store_names()) known.push_back(name);
  for (const auto& name : wanted)
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw UsageError("unknown trust store '" + name + "'",
                       "use one of: " + join(known) + " (--store NAME or DEVCERT_TRUST_STORES)");
  // Known order, duplicates dropped.
  std::vector<std::string> selected;
  for (const auto& name : known)
    if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) selected.push_back(name);
  return selected;
}

StoreList make_stores(const std::vector<std::string>& names, process::CommandRunner& runner,
                      const StoreEnvironment& env) {
  StoreList stores;
  for (const auto& name : names) {
    if (name == "system") stores.push_back(make_system_store(runner, env));
    else if (name == "nss") stores.push_back(std::make_unique<NssStore>(runner, NssOptions{env.home, env.xdg_config_home, env.xdg_data_home}));
    else if (name == "java")
      stores.push_back(std::make_unique<JavaStore>(runner, JavaOptions{env.java_home, env.is_root}));
    else if (name == "firefox-policy")
      stores.push_back(std::make_unique<FirefoxPolicyStore>(
          FirefoxPolicyOptions{kFirefoxPolicyFile, env.is_root, env.home},
          std::make_unique<NssStore>(runner, NssOptions{env.home, env.xdg_config_home, env.xdg_data_home})));
  }
  return stores;
}

}  // namespace devcert::trust
