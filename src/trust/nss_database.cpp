#include "trust/nss_database.h"

#include <sqlite3.h>

#include <map>
#include <memory>
#include <string_view>

#include "ossl/digest.h"

namespace devcert::trust {
namespace {

// NSS's sdb layer (lib/softoken/sdb.c) keeps every PKCS #11 object as one row of nssPublic,
// one column per attribute named "a" + the attribute type in lowercase hex, unsigned longs as
// 4 big-endian bytes. The layout has not changed since cert9.db appeared (NSS 3.12).
constexpr const char* kCertificates =
    "SELECT a3, a11 FROM nssPublic WHERE a0 = x'00000001'";  // CKA_LABEL, CKA_VALUE; CKO_CERTIFICATE
constexpr const char* kTrust =
    // CKA_CERT_SHA1_HASH, CKA_TRUST_SERVER_AUTH of each CKO_NSS_TRUST object
    "SELECT ace5363b4, ace536358 FROM nssPublic WHERE a0 = x'ce534353'";
constexpr std::string_view kTrustedDelegator{"\xce\x53\x43\x52", 4};  // CKT_NSS_TRUSTED_DELEGATOR
// sdb stores an empty attribute as this marker (SQLITE_EXPLICIT_NULL in sdb.c).
constexpr std::string_view kExplicitNull{"\xa5\x00\x5a", 3};

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

std::string blob(sqlite3_stmt* s, int column) {
  auto* data = static_cast<const char*>(sqlite3_column_blob(s, column));
  std::string value(data ? data : "", data ? static_cast<std::size_t>(sqlite3_column_bytes(s, column)) : 0);
  if (value == kExplicitNull) return {};
  return value;
}

Stmt prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return nullptr;
  return Stmt(s);
}

}  // namespace

std::optional<std::vector<NssEntry>> find_in_nss_database(const stdfs::path& dir,
                                                          const std::string& fingerprint_hex) {
  stdfs::path file = dir / "cert9.db";
  std::error_code ec;
  if (!stdfs::is_regular_file(file, ec)) return std::nullopt;
  sqlite3* raw = nullptr;
  // Read-only and no mutex of our own: the browser may have the file open and write to it;
  // SQLite's file locks make a read see one whole transaction.
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return std::nullopt;
  sqlite3_busy_timeout(db.get(), 2000);

  auto certs = prepare(db.get(), kCertificates);
  auto trust = prepare(db.get(), kTrust);
  if (!certs || !trust) return std::nullopt;

  std::map<std::string, int> nickname_count;
  std::vector<std::pair<std::string, std::string>> ours;  // nickname, SHA-1 (the trust object's key)
  while ((rc = sqlite3_step(certs.get())) == SQLITE_ROW) {
    std::string nickname = blob(certs.get(), 0);
    ++nickname_count[nickname];
    std::string der = blob(certs.get(), 1);
    if (ossl::digest_hex(EVP_sha256(), der) == fingerprint_hex) ours.emplace_back(nickname, ossl::digest_hex(EVP_sha1(), der));
  }
  if (rc != SQLITE_DONE) return std::nullopt;

  std::map<std::string, bool> trusted;  // SHA-1 hex -> server-auth trust is "trusted delegator"
  while ((rc = sqlite3_step(trust.get())) == SQLITE_ROW) {
    trusted[ossl::hex(blob(trust.get(), 0))] = blob(trust.get(), 1) == kTrustedDelegator;
  }
  if (rc != SQLITE_DONE) return std::nullopt;

  std::vector<NssEntry> entries;
  for (const auto& [nickname, sha1] : ours) {
    NssEntry e;
    e.nickname = nickname;
    e.trusted_for_tls = trusted.count(sha1) && trusted[sha1];
    e.nickname_users = nickname_count[nickname];
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace devcert::trust
