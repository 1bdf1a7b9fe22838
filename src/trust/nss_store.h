// NSS databases (Chromium/Chrome and Firefox on Linux) through certutil from libnss3-tools.
#pragma once

#include <string>
#include <vector>

#include "trust/nss_locations.h"
#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

struct NssOptions {
  stdfs::path home;             // $HOME
  stdfs::path xdg_config_home;  // $XDG_CONFIG_HOME (Firefox's profiles may live under it)
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
