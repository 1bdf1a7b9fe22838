// The shape every trust store shares (after mkcert's per-store files): available? contains?
// install, uninstall. Stores are chosen per platform by CMake (system-linux/-darwin/-windows).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ossl/handles.h"

namespace devcert::trust {

namespace stdfs = std::filesystem;

// Our root as the stores need it. `name` is unique per CA (from its fingerprint), so several
// CAROOTs coexist in one store and uninstall touches exactly ours.
struct CaCertificate {
  stdfs::path file;             // the PEM on disk, for tools that read a file
  std::string pem;
  std::string fingerprint;      // SHA-256, "AB:CD:..."
  std::string fingerprint_hex;  // lowercase, no colons
  std::string sha1_hex;         // uppercase: how macOS's security(1) and Windows name a cert
  std::string name;             // "devcert-" + the first 16 hex digits of the fingerprint
  std::string not_after;        // ISO 8601

  static CaCertificate from_file(const stdfs::path& pem_file);
  // From a root already parsed (`devcert issue` has it loaded): no second read and parse.
  static CaCertificate from_certificate(X509* cert, const stdfs::path& pem_file);
  // True when `pem` holds a certificate with our fingerprint (any of several in a bundle).
  bool matches_pem(std::string_view pem) const;
};

struct Availability {
  bool available = true;
  std::string why;  // when not available: what is missing
  std::string fix;  // the package or command that fixes it
  static Availability yes() { return {}; }
  static Availability no(std::string why, std::string fix) {
    return {false, std::move(why), std::move(fix)};
  }
};

// One database or keystore a store found, for `status`: an NSS database per browser profile,
// Java's cacerts, the system anchors directory.
struct StoreLocation {
  std::string label;  // "Firefox profile default-release", "cacerts"
  stdfs::path path;
  bool exists = true;  // false: a database install would create
  bool holds_root = false;
};

class TrustStore {
 public:
  virtual ~TrustStore() = default;
  // What --store and DEVCERT_TRUST_STORES call it: "system", "nss", "java".
  virtual std::string name() const = 0;
  // Where it lives, for a person: "/usr/local/share/ca-certificates (Debian)".
  virtual std::string where() = 0;
  virtual Availability availability() = 0;
  virtual bool contains(const CaCertificate& ca) = 0;
  // Both throw devcert::Error with the fix. uninstall removes only our entry, and is a no-op
  // when it is absent.
  virtual void install(const CaCertificate& ca) = 0;
  virtual void uninstall(const CaCertificate& ca) = 0;
  // Every database or keystore behind this store and whether each holds `ca`; one entry at
  // `where()` unless the store has several.
  virtual std::vector<StoreLocation> locations(const CaCertificate& ca) {
    return {{name(), where(), true, contains(ca)}};
  }
  // Java's failure is a warning: the other stores still count.
  virtual bool optional_store() const { return false; }
  // The stores whose work this one sees, so it runs after them; every other pair of stores
  // works at the same time.
  virtual std::vector<std::string> runs_after() const { return {}; }
  // The fix when uninstall ran and the root is still here under an entry devcert did not make
  // (empty: none devcert knows).
  virtual std::string fix_for_foreign_entry() const { return {}; }
};

using StoreList = std::vector<std::unique_ptr<TrustStore>>;

// The tail of a tool's stderr (or stdout), trimmed, for an error message.
std::string tool_message(const std::string& err, const std::string& out);

}  // namespace devcert::trust
