#include "trust/nss_locations.h"

#include <set>
#include <sstream>

#include "util/fs.h"

namespace devcert::trust {
namespace {

bool has_db(const stdfs::path& dir) {
  std::error_code ec;
  return stdfs::exists(dir / "cert9.db", ec) || stdfs::exists(dir / "cert8.db", ec);
}

stdfs::path key_of(const stdfs::path& p) {
  std::error_code ec;
  auto key = stdfs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : key;
}

// The Chromium family on Linux opens sql:$HOME/.pki/nssdb and creates it when missing
// (crypto/nss_util.cc, GetDefaultConfigDirectory, the same in Chrome, Brave, Vivaldi and Edge).
// Some distributions patch their Chromium to ${XDG_DATA_HOME:-~/.local/share}/pki/nssdb, which
// is also where NSS's own nss-sysinit looks when ~/.pki is absent. A snap's $HOME is
// ~/snap/NAME/current (snapd's SNAP_USER_DATA); a flatpak persists ~/.pki under ~/.var/app/ID.
struct ChromiumLocation {
  const char* relative;
  const char* label;
};
constexpr ChromiumLocation kChromiumElsewhere[] = {
    {".local/share/pki/nssdb", "Chromium/Chrome (XDG)"},
    {"snap/chromium/current/.pki/nssdb", "Chromium (snap)"},
    {"snap/brave/current/.pki/nssdb", "Brave (snap)"},
    {".var/app/org.chromium.Chromium/.pki/nssdb", "Chromium (flatpak)"},
    {".var/app/io.github.ungoogled_software.ungoogled_chromium/.pki/nssdb",
     "ungoogled Chromium (flatpak)"},
    {".var/app/com.google.Chrome/.pki/nssdb", "Chrome (flatpak)"},
    {".var/app/com.brave.Browser/.pki/nssdb", "Brave (flatpak)"},
    {".var/app/com.vivaldi.Vivaldi/.pki/nssdb", "Vivaldi (flatpak)"},
    {".var/app/com.microsoft.Edge/.pki/nssdb", "Edge (flatpak)"},
};

}  // namespace

std::string NssDatabase::spec() const {
  std::error_code ec;
  bool legacy = !stdfs::exists(dir / "cert9.db", ec) && stdfs::exists(dir / "cert8.db", ec);
  return (legacy ? "dbm:" : "sql:") + dir.string();
}

const std::vector<std::string>& chromium_family_programs() {
  static const std::vector<std::string> programs{
      "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "google-chrome-beta",
      "brave-browser", "brave", "vivaldi", "vivaldi-stable", "microsoft-edge", "microsoft-edge-stable"};
  return programs;
}

// Firefox's profile root on Linux (toolkit/xre/nsXREDirProvider.cpp, GetLegacyOrXDGHomePath):
// $HOME/.mozilla/firefox when $HOME/.mozilla/firefox or $HOME/.mozilla exists or
// MOZ_LEGACY_HOME=1; otherwise $XDG_CONFIG_HOME/mozilla/firefox, $HOME/.config when that
// variable is unset or not absolute. Debian's firefox-esr has the same vendor and name
// ("Mozilla", "Firefox"), so the same directories. The snap's launcher sets HOME to
// ~/snap/firefox/common (snapd may point XDG_CONFIG_HOME into the revision directory); the
// flatpak persists ~/.mozilla under ~/.var/app/ID and sets XDG_CONFIG_HOME to ~/.var/app/ID/config.
std::vector<FirefoxRoot> firefox_roots(const stdfs::path& home, const stdfs::path& xdg_config_home) {
  std::vector<FirefoxRoot> roots{{home / ".mozilla/firefox", "Firefox"}};
  if (xdg_config_home.is_absolute()) roots.push_back({xdg_config_home / "mozilla/firefox", "Firefox"});
  roots.push_back({home / ".config/mozilla/firefox", "Firefox"});
  for (const char* snap_home : {"snap/firefox/common", "snap/firefox/current"}) {
    roots.push_back({home / snap_home / ".mozilla/firefox", "Firefox (snap)"});
    roots.push_back({home / snap_home / ".config/mozilla/firefox", "Firefox (snap)"});
  }
  const stdfs::path flatpak = home / ".var/app/org.mozilla.firefox";
  roots.push_back({flatpak / ".mozilla/firefox", "Firefox (flatpak)"});
  roots.push_back({flatpak / "config/mozilla/firefox", "Firefox (flatpak)"});
  return roots;
}

std::vector<FirefoxProfile> firefox_profiles(const stdfs::path& root) {
  std::vector<FirefoxProfile> found;
  std::istringstream ini(stdfs::is_regular_file(root / "profiles.ini") ? fs::read_file(root / "profiles.ini") : "");
  std::string line, path, name;
  bool relative = true, in_profile = false;
  auto flush = [&] {
    if (in_profile && !path.empty())
      found.push_back({relative ? root / path : stdfs::path(path), name});
    path.clear();
    name.clear();
    relative = true;
  };
  while (std::getline(ini, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == '[') {
      flush();
      // [Install...] sections name a profile by Default=, never by Path=.
      in_profile = line.rfind("[Profile", 0) == 0;
    } else if (line.rfind("Path=", 0) == 0) {
      path = line.substr(5);
    } else if (line.rfind("Name=", 0) == 0) {
      name = line.substr(5);
    } else if (line.rfind("IsRelative=", 0) == 0) {
      relative = line.substr(11) != "0";
    }
  }
  flush();
  std::error_code ec;
  std::vector<FirefoxProfile> unique;
  std::set<stdfs::path> seen;
  for (auto& p : found)
    if (stdfs::is_directory(p.dir, ec) && seen.insert(key_of(p.dir)).second) unique.push_back(p);
  // Profiles not listed in profiles.ini still hold databases Firefox may open (-profile DIR).
  for (const auto& entry : stdfs::directory_iterator(root, ec))
    if (entry.is_directory(ec) && has_db(entry.path()) && seen.insert(key_of(entry.path())).second)
      unique.push_back({entry.path(), {}});
  for (auto& p : unique) {
    p.has_db = has_db(p.dir);
    if (p.name.empty()) p.name = p.dir.filename().string();
  }
  return unique;
}

std::vector<NssDatabase> find_nss_databases(const stdfs::path& home, const stdfs::path& xdg_config_home,
                                            bool chromium_installed, const stdfs::path& xdg_data_home) {
  std::vector<NssDatabase> dbs;
  std::set<stdfs::path> seen;
  auto add = [&](NssDatabase db) {
    if (seen.insert(key_of(db.dir)).second) dbs.push_back(std::move(db));
  };
  const stdfs::path chromium = home / ".pki/nssdb";
  if (has_db(chromium)) add({chromium, "Chromium/Chrome"});
  if (xdg_data_home.is_absolute() && has_db(xdg_data_home / "pki/nssdb"))
    add({xdg_data_home / "pki/nssdb", "Chromium/Chrome (XDG)"});
  for (const auto& [relative, label] : kChromiumElsewhere)
    if (has_db(home / relative)) add({home / relative, label});
  // Creating ~/.pki/nssdb serves both Chromium paths: the XDG one is only a fallback.
  bool chromium_has_db = has_db(chromium) || has_db(home / kChromiumElsewhere[0].relative);
  if (chromium_installed && !chromium_has_db) add({chromium, "Chromium/Chrome", false});

  for (const auto& root : firefox_roots(home, xdg_config_home))
    for (const auto& profile : firefox_profiles(root.dir))
      add({profile.dir, root.label + " profile " + profile.name, profile.has_db, true});
  return dbs;
}

}  // namespace devcert::trust
