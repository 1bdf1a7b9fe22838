// NSS databases (Chromium/Chrome and Firefox on Linux) through certutil from libnss3-tools.
#pragma once

#include <string>
#include <vector>

#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

struct NssDatabase {
  stdfs::path dir;
  std::string label;    // "Chromium", "Firefox profile abc.default-release"
  bool exists = true;   // false: Chromium's, to be created on install
  std::string spec() const;  // "sql:DIR" (cert9.db) or "dbm:DIR" (legacy cert8.db)
};

// Every database under `home` that a browser reads; `chromium_installed` adds the one
// Chromium will read when it has none yet (marked exists = false).
std::vector<NssDatabase> find_nss_databases(const stdfs::path& home, bool chromium_installed);

// Firefox profile directories under one Firefox root (profiles.ini, then a directory scan).
std::vector<stdfs::path> firefox_profiles(const stdfs::path& firefox_root);

struct NssOptions {
  stdfs::path home;  // $HOME
};

class NssStore : public TrustStore {
 public:
  NssStore(process::CommandRunner& runner, NssOptions options)
      : runner_(runner), options_(std::move(options)) {}
  std::string name() const override { return "nss"; }
  std::string where() override;
  Availability availability() override;
  bool contains(const CaCertificate& ca) override;
  void install(const CaCertificate& ca) override;
  void uninstall(const CaCertificate& ca) override;

  const std::vector<NssDatabase>& databases();
  bool database_contains(const NssDatabase& db, const CaCertificate& ca);

 private:
  bool chromium_installed();
  std::string certutil();

  process::CommandRunner& runner_;
  NssOptions options_;
  std::optional<std::vector<NssDatabase>> databases_;
};

}  // namespace devcert::trust
