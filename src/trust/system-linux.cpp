#include "trust/linux_system_store.h"
#include "trust/stores.h"

namespace devcert::trust {

std::unique_ptr<TrustStore> make_system_store(process::CommandRunner& runner,
                                              const StoreEnvironment& env) {
  LinuxSystemOptions options;
  options.is_root = env.is_root;
  return std::make_unique<LinuxSystemStore>(runner, options);
}

std::optional<stdfs::path> system_roots_bundle() {
  auto layout = detect_linux_layout("/");
  std::error_code ec;
  if (layout && stdfs::exists(layout->bundle, ec)) return layout->bundle;
  for (const char* fallback : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                               "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"})
    if (stdfs::exists(fallback, ec)) return stdfs::path(fallback);
  return std::nullopt;
}

}  // namespace devcert::trust
