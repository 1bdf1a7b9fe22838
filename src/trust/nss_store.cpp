#include "trust/nss_store.h"


#include "error.h"
#include "util/fs.h"

namespace devcert::trust {
namespace {

// NSS trust flags "C,,": a CA trusted to issue TLS server certificates, nothing else
// (certutil(1): C = trusted CA for SSL; the empty fields are e-mail and code signing).
constexpr const char* kTrustFlags = "C,,";

}  // namespace

const std::vector<NssDatabase>& NssStore::databases() {
  if (!databases_) databases_ = find_nss_databases(options_.home, options_.xdg_config_home, chromium_installed());
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
