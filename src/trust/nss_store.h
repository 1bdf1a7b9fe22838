// NSS databases (Chromium/Chrome and Firefox on Linux) through certutil from libnss3-tools.
#pragma once

#include <string>
#include <vector>

#include "trust/nss_database.h"
#include "trust/nss_locations.h"
#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

struct NssOptions {
  stdfs::path home;             // $HOME
  stdfs::path xdg_config_home;  // $XDG_CONFIG_HOME (Firefox's profiles may live under it)
  stdfs::path xdg_data_home;    // $XDG_DATA_HOME (some Chromium builds keep their database there)
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
  std::vector<StoreLocation> locations(const CaCertificate& ca) override;

  // The copies of our root Firefox made in its profiles from the enterprise policy (any
  // nickname but ours), which the policy's uninstall takes away with it.
  void remove_policy_imports(const CaCertificate& ca);

  const std::vector<NssDatabase>& databases();
  bool database_contains(const NssDatabase& db, const CaCertificate& ca);

 private:
  // nullopt: the database can only be asked through certutil (see nss_database.h).
  std::optional<std::vector<NssEntry>> entries(const NssDatabase& db, const CaCertificate& ca);
  // Removes every copy of our root (only those under another nickname: `foreign_only`).
  void remove_from(const NssDatabase& db, const CaCertificate& ca, bool foreign_only = false);
  void remove_everywhere(const CaCertificate& ca, bool firefox_imports_only);
  void delete_nickname(const NssDatabase& db, const std::string& nickname);
  bool chromium_installed();
  std::string certutil();

  process::CommandRunner& runner_;
  NssOptions options_;
  std::optional<std::vector<NssDatabase>> databases_;
};

}  // namespace devcert::trust
