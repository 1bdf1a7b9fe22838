#include "trust/nss_store.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "error.h"
#include "util/fs.h"

namespace devcert::trust {
namespace {

bool has_db(const stdfs::path& dir) {
  std::error_code ec;
  return stdfs::exists(dir / "cert9.db", ec) || stdfs::exists(dir / "cert8.db", ec);
}

// NSS trust flags "C,,": a CA trusted to issue TLS server certificates, nothing else
// (certutil(1): C = trusted CA for SSL; the empty fields are e-mail and code signing).
constexpr const char* kTrustFlags = "C,,";

}  // namespace

std::string NssDatabase::spec() const {
  std::error_code ec;
  bool legacy = !stdfs::exists(dir / "cert9.db", ec) && stdfs::exists(dir / "cert8.db", ec);
  return (legacy ? "dbm:" : "sql:") + dir.string();
}

std::vector<stdfs::path> firefox_profiles(const stdfs::path& root) {
  std::vector<stdfs::path> found;
  std::ifstream ini(root / "profiles.ini");
  std::string line, path;
  bool relative = true;
  auto flush = [&] {
    if (!path.empty()) found.push_back(relative ? root / path : stdfs::path(path));
    path.clear();
    relative = true;
  };
  while (std::getline(ini, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == '[') flush();
    else if (line.rfind("Path=", 0) == 0) path = line.substr(5);
    else if (line.rfind("IsRelative=", 0) == 0) relative = line.substr(11) != "0";
  }
  flush();
  // Profiles not listed in profiles.ini still hold databases Firefox may open.
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(root, ec))
    if (entry.is_directory(ec)) found.push_back(entry.path());
  std::vector<stdfs::path> unique;
  std::set<stdfs::path> seen;
  for (auto& p : found) {
    auto key = stdfs::weakly_canonical(p, ec);
    if (has_db(p) && seen.insert(key).second) unique.push_back(p);
  }
  return unique;
}

std::vector<NssDatabase> find_nss_databases(const stdfs::path& home, bool chromium_installed) {
  std::vector<NssDatabase> dbs;
  // Chromium reads ~/.pki/nssdb; newer releases fall back to ~/.local/share/pki/nssdb when
  // the first does not exist, so creating ~/.pki/nssdb serves both. Snap Chromium has its own.
  stdfs::path chromium = home / ".pki/nssdb";
  stdfs::path chromium_xdg = home / ".local/share/pki/nssdb";
  if (has_db(chromium)) dbs.push_back({chromium, "Chromium/Chrome"});
  if (has_db(chromium_xdg)) dbs.push_back({chromium_xdg, "Chromium/Chrome (XDG)"});
  if (chromium_installed && dbs.empty()) dbs.push_back({chromium, "Chromium/Chrome", false});
  stdfs::path snap_chromium = home / "snap/chromium/current/.pki/nssdb";
  if (has_db(snap_chromium)) dbs.push_back({snap_chromium, "Chromium (snap)"});

  const std::vector<std::pair<stdfs::path, std::string>> firefox_roots{
      {home / ".mozilla/firefox", "Firefox"},
      {home / "snap/firefox/common/.mozilla/firefox", "Firefox (snap)"},
      {home / ".var/app/org.mozilla.firefox/.mozilla/firefox", "Firefox (flatpak)"},
  };
  for (const auto& [root, label] : firefox_roots)
    for (const auto& profile : firefox_profiles(root))
      dbs.push_back({profile, label + " profile " + profile.filename().string()});
  return dbs;
}

const std::vector<NssDatabase>& NssStore::databases() {
  if (!databases_) databases_ = find_nss_databases(options_.home, chromium_installed());
  return *databases_;
}

bool NssStore::chromium_installed() {
  for (const char* browser : {"chromium", "chromium-browser", "google-chrome",
                              "google-chrome-stable", "brave-browser", "microsoft-edge"})
    if (runner_.find_program(browser)) return true;
  std::error_code ec;
  return stdfs::is_directory(options_.home / "snap/chromium", ec);
}

std::string NssStore::certutil() {
  auto path = runner_.find_program("certutil");
  return path ? path->string() : "certutil";
}

std::string NssStore::where() {
  std::string text;
  for (const auto& db : databases())
    text += (text.empty() ? "" : ", ") + db.label + (db.exists ? "" : " (to create)") + " " +
            db.dir.string();
  return text.empty() ? "no NSS database under " + options_.home.string() : text;
}

Availability NssStore::availability() {
  if (databases().empty())
    return Availability::no("no Firefox profile and no Chromium/Chrome under " +
                                options_.home.string(),
                            "start Firefox once, or install Chromium, then rerun");
  if (!runner_.find_program("certutil"))
    return Availability::no("certutil not found",
                            "sudo apt-get install libnss3-tools (Fedora: nss-tools, Arch: nss, "
                            "openSUSE: mozilla-nss-tools)");
  return Availability::yes();
}

bool NssStore::database_contains(const NssDatabase& db, const CaCertificate& ca) {
  if (!db.exists) return false;
  auto result = runner_.run({{certutil(), "-L", "-d", db.spec(), "-n", ca.name, "-a"}});
  return result.ok() && ca.matches_pem(result.out);
}

bool NssStore::contains(const CaCertificate& ca) {
  if (databases().empty()) return false;
  for (const auto& db : databases())
    if (!database_contains(db, ca)) return false;
  return true;
}

void NssStore::install(const CaCertificate& ca) {
  std::vector<std::string> failed;
  databases();
  for (auto& db : *databases_) {
    if (!db.exists) {
      fs::ensure_directory(db.dir, 0700);
      auto created = runner_.run({{certutil(), "-N", "-d", db.spec(), "--empty-password"}});
      if (!created.ok()) {
        failed.push_back(db.dir.string() + ": " + tool_message(created.err, created.out));
        continue;
      }
      db.exists = true;
    }
    if (database_contains(db, ca)) continue;
    auto result = runner_.run({{certutil(), "-A", "-d", db.spec(), "-t", kTrustFlags, "-n",
                                ca.name, "-i", ca.file.string()}});
    if (!result.ok()) failed.push_back(db.dir.string() + ": " + tool_message(result.err, result.out));
  }
  if (!failed.empty())
    throw Error("certutil could not add the root to " + failed.front() +
                    (failed.size() > 1 ? " (and " + std::to_string(failed.size() - 1) + " more)" : ""),
                "close the browser using that profile and rerun 'devcert install'");
}

void NssStore::uninstall(const CaCertificate& ca) {
  std::vector<std::string> failed;
  for (const auto& db : databases()) {
    // Our nickname is unique per CA; loop because NSS allows duplicates under one nickname.
    for (int i = 0; i < 8 && database_contains(db, ca); ++i) {
      auto result = runner_.run({{certutil(), "-D", "-d", db.spec(), "-n", ca.name}});
      if (!result.ok()) {
        failed.push_back(db.dir.string() + ": " + tool_message(result.err, result.out));
        break;
      }
    }
  }
  if (!failed.empty())
    throw Error("certutil could not remove the root from " + failed.front(),
                "close the browser using that profile and rerun 'devcert uninstall'");
}

}  // namespace devcert::trust
