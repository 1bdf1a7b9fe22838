// Which stores exist on this platform, which the user selected, and building them.
#pragma once

#include <string>
#include <vector>

#include "trust/store.h"
#include "util/environment.h"
#include "util/process.h"

namespace devcert::trust {

// Where the stores look: read from a command's Environment, made up in tests.
struct StoreEnvironment {
  stdfs::path home;        // $HOME
  stdfs::path xdg_config_home;  // $XDG_CONFIG_HOME, empty when unset
  stdfs::path xdg_data_home;    // $XDG_DATA_HOME, empty when unset
  std::string java_home;   // $JAVA_HOME
  // $DEVCERT_TRUST_STORES: the stores a command without --store works on (a comma list; empty
  // when unset). Read here only, like every variable above.
  std::string selected_stores;
  bool is_root = false;
  static StoreEnvironment from(const Environment& vars);
};

// The names --store accepts here, in the order install runs them: system first, because on
// Debian its update hook also feeds Java's cacerts.
std::vector<std::string> known_store_names();
// Stores only a name selects (--store, DEVCERT_TRUST_STORES, install --firefox-policy): never
// part of the default, because Firefox then says it is managed.
std::vector<std::string> opt_in_store_names();

// --store values win; else DEVCERT_TRUST_STORES (comma list); else every known store.
// Throws UsageError naming the valid stores for an unknown name.
std::vector<std::string> select_store_names(const std::vector<std::string>& flags,
                                            const std::string& env_value);

StoreList make_stores(const std::vector<std::string>& names, process::CommandRunner& runner,
                      const StoreEnvironment& env);

// Defined once per platform (system-linux.cpp, system-darwin.cpp, system-windows.cpp).
std::unique_ptr<TrustStore> make_system_store(process::CommandRunner& runner,
                                              const StoreEnvironment& env);
// The system's PEM bundle of roots, for `devcert env`; nullopt where there is none.
std::optional<stdfs::path> system_roots_bundle();

}  // namespace devcert::trust
