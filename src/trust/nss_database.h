// What an NSS database (cert9.db) holds for one certificate, read directly with SQLite.
// certutil finds a certificate only by nickname, and a root that Firefox imported itself (from
// an enterprise policy) carries a nickname Firefox chose: only a lookup by the certificate's
// bytes finds every copy of our root. Reading also costs no process start per check.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace devcert::trust {

namespace stdfs = std::filesystem;

struct NssEntry {
  std::string nickname;      // the label certutil's -n names it by ("" when it has none)
  bool trusted_for_tls = false;  // its trust object makes it a CA for TLS servers
  int nickname_users = 1;        // certificates in the database under this nickname, ours included
};

// Every certificate in DIR/cert9.db whose SHA-256 is `fingerprint_hex` (lowercase, no colons).
// nullopt when the database cannot be read this way (no cert9.db, a schema NSS never wrote,
// locked past a short wait): the caller asks certutil instead.
std::optional<std::vector<NssEntry>> find_in_nss_database(const stdfs::path& dir,
                                                          const std::string& fingerprint_hex);

}  // namespace devcert::trust
