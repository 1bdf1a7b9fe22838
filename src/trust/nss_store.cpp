#include "trust/nss_store.h"

#include <algorithm>

#include "error.h"
#include "trust/nss_database.h"
#include "util/fs.h"

namespace devcert::trust {
namespace {

// NSS trust flags "C,,": a CA trusted to issue TLS server certificates, nothing else
// (certutil(1): C = trusted CA for SSL; the empty fields are e-mail and code signing).
constexpr const char* kTrustFlags = "C,,";

}  // namespace

const std::vector<NssDatabase>& NssStore::databases() {
  if (!databases_) databases_ = find_nss_databases(options_.home, options_.xdg_config_home, chromium_installed(),
                                                      options_.xdg_data_home);
  return *databases_;
}

bool NssStore::chromium_installed() {
  for (const auto& browser : chromium_family_programs())
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

std::optional<std::vector<NssEntry>> NssStore::entries(const NssDatabase& db, const CaCertificate& ca) {
  if (!db.exists) return std::vector<NssEntry>{};
  if (db.spec().rfind("sql:", 0) == 0) {
    if (auto found = find_in_nss_database(db.dir, ca.fingerprint_hex)) return found;
  }
  return std::nullopt;
}

// Our root trusted as a CA for TLS servers, under any nickname. Without a readable cert9.db
// (a legacy cert8.db) certutil is asked for our nickname.
bool NssStore::database_contains(const NssDatabase& db, const CaCertificate& ca) {
  if (!db.exists) return false;
  if (auto found = entries(db, ca)) {
    for (const auto& e : *found)
      if (e.trusted_for_tls) return true;
    return false;
  }
  auto result = runner_.run({{certutil(), "-L", "-d", db.spec(), "-n", ca.name, "-a"}});
  return result.ok() && ca.matches_pem(result.out);
}

bool NssStore::contains(const CaCertificate& ca) {
  if (databases().empty()) return false;
  for (const auto& db : databases())
    if (!database_contains(db, ca)) return false;
  return true;
}

std::vector<StoreLocation> NssStore::locations(const CaCertificate& ca) {
  std::vector<StoreLocation> out;
  for (const auto& db : databases()) out.push_back({db.label, db.dir, db.exists, database_contains(db, ca)});
  return out;
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

void NssStore::uninstall(const CaCertificate& ca) { remove_everywhere(ca, false); }

void NssStore::remove_policy_imports(const CaCertificate& ca) {
  if (!runner_.find_program("certutil")) {
    for (const auto& db : databases()) {
      auto found = db.firefox ? entries(db, ca) : std::nullopt;
      bool imported = found && std::any_of(found->begin(), found->end(),
                                           [&](const NssEntry& e) { return e.nickname != ca.name; });
      if (imported)
        throw Error("Firefox profile " + db.dir.string() + " holds a copy of the root, and certutil is not "
                    "installed to remove it", "sudo apt-get install libnss3-tools, then rerun");
    }
    return;
  }
  remove_everywhere(ca, true);
}

void NssStore::remove_everywhere(const CaCertificate& ca, bool firefox_imports_only) {
  std::vector<std::string> failed;
  for (const auto& db : databases()) {
    if (firefox_imports_only && !db.firefox) continue;
    try {
      remove_from(db, ca, firefox_imports_only);
    } catch (const Error& e) {
      failed.push_back(db.dir.string() + ": " + e.what());
    }
  }
  if (!failed.empty())
    throw Error("certutil could not remove the root from " + failed.front() +
                    (failed.size() > 1 ? " (and " + std::to_string(failed.size() - 1) + " more)" : ""),
                "close the browser using that profile and rerun 'devcert uninstall'");
}

// Every copy of our root goes, whatever its nickname: ours, or the one Firefox gave it when it
// imported the root from its enterprise policy. certutil deletes by nickname only, so a
// nickname another certificate shares is left alone rather than risk deleting that one.
void NssStore::remove_from(const NssDatabase& db, const CaCertificate& ca, bool foreign_only) {
  auto found = entries(db, ca);
  if (!found) {
    if (foreign_only) return;  // certutil sees only our nickname
    // NSS allows duplicates under one nickname: delete until ours is gone.
    for (int i = 0; i < 8 && database_contains(db, ca); ++i) delete_nickname(db, ca.name);
    return;
  }
  for (const auto& e : *found) {
    if (foreign_only && e.nickname == ca.name) continue;
    if (e.nickname.empty() || e.nickname_users > 1)
      throw Error("the root is there under the nickname '" + e.nickname + "', which " +
                  std::to_string(e.nickname_users - 1) + " other certificate(s) share; delete it in the "
                  "browser's certificate manager");
    delete_nickname(db, e.nickname);
  }
}

void NssStore::delete_nickname(const NssDatabase& db, const std::string& nickname) {
  auto result = runner_.run({{certutil(), "-D", "-d", db.spec(), "-n", nickname}});
  if (!result.ok()) throw Error(tool_message(result.err, result.out));
}

}  // namespace devcert::trust
