// Where browsers keep the NSS databases they read on Linux, as each browser's own directory
// code resolves them. Plain file reads: tested over fake home directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace devcert::trust {

namespace stdfs = std::filesystem;

struct NssDatabase {
  stdfs::path dir;
  std::string label;    // "Chromium/Chrome", "Firefox profile default-release"
  bool exists = true;   // false: no cert9.db yet, created on install (NSS reads it when present)
  bool firefox = false;  // a Firefox profile (which imports roots from the enterprise policy)
  std::string spec() const;  // "sql:DIR" (cert9.db) or "dbm:DIR" (legacy cert8.db)
};

struct FirefoxProfile {
  stdfs::path dir;
  std::string name;  // profiles.ini's Name=, else the directory's name
  bool has_db = false;
};

// One directory holding profiles.ini and profile directories, and who reads it.
struct FirefoxRoot {
  stdfs::path dir;
  std::string label;  // "Firefox", "Firefox (snap)", "Firefox (flatpak)"
};

// Every Firefox root under `home`: the legacy ~/.mozilla/firefox and the XDG
// $XDG_CONFIG_HOME/mozilla/firefox (else ~/.config/...), for the deb/tarball, snap and
// flatpak builds. All of them, not just the one Firefox would pick today, because which one it
// picks depends on what exists when it starts.
std::vector<FirefoxRoot> firefox_roots(const stdfs::path& home, const stdfs::path& xdg_config_home);

// The profiles of one root: those profiles.ini lists (with or without a database yet), then
// unlisted directories that hold a database.
std::vector<FirefoxProfile> firefox_profiles(const stdfs::path& root);

// Every database under `home` that a browser reads; `chromium_installed` adds the one a
// Chromium-family browser will read when it has none yet.
std::vector<NssDatabase> find_nss_databases(const stdfs::path& home, const stdfs::path& xdg_config_home,
                                            bool chromium_installed, const stdfs::path& xdg_data_home = {});

// The programs whose presence means a Chromium-family browser (Chrome, Chromium, Brave,
// Vivaldi, Edge) will read ~/.pki/nssdb.
const std::vector<std::string>& chromium_family_programs();

}  // namespace devcert::trust
