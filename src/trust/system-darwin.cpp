#include "trust/keychain_store.h"
#include "trust/stores.h"

namespace devcert::trust {

std::unique_ptr<TrustStore> make_system_store(process::CommandRunner& runner,
                                              const StoreEnvironment& env) {
  return std::make_unique<KeychainStore>(runner, KeychainOptions{env.home, env.is_root});
}

// macOS ships the system roots as PEM here (LibreSSL's default CA file).
std::optional<stdfs::path> system_roots_bundle() {
  std::error_code ec;
  if (stdfs::exists("/etc/ssl/cert.pem", ec)) return stdfs::path("/etc/ssl/cert.pem");
  return std::nullopt;
}

}  // namespace devcert::trust
