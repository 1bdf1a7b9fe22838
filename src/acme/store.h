// What the ACME server keeps: accounts, orders, authorizations, challenges, certificates,
// revocations and external account keys, in one SQLite file in the CAROOT. Each call is one
// transaction, committed before the caller answers the client, so whatever a client was told
// (an account, a certificate it downloaded) survives a crash of the server.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace devcert::acme {

struct Identifier {
  std::string type;   // "dns" or "ip"
  std::string value;  // as the client sent it, normalised ("*.example.test", "::1")
  bool operator==(const Identifier&) const = default;
};

struct Account {
  int64_t id = 0;
  std::string thumbprint;
  nlohmann::json jwk;
  std::string status = "valid";  // valid, deactivated
  nlohmann::json contact = nlohmann::json::array();
  std::string eab_kid;
  int64_t created = 0;
};

struct Challenge {
  int64_t id = 0;
  int64_t authz = 0;
  std::string type;  // http-01, tls-alpn-01
  std::string token;
  std::string status = "pending";  // pending, processing, valid, invalid
  int64_t validated = 0;
  nlohmann::json error;  // a problem document when invalid
};

struct Authz {
  int64_t id = 0;
  int64_t order = 0;
  int64_t account = 0;
  Identifier identifier;  // without the "*." of a wildcard
  bool wildcard = false;
  std::string status = "pending";  // pending, valid, invalid, deactivated, expired, revoked
  int64_t expires = 0;
  std::vector<Challenge> challenges;
};

struct Order {
  int64_t id = 0;
  int64_t account = 0;
  std::string status = "pending";  // pending, ready, processing, valid, invalid
  int64_t expires = 0;
  std::vector<Identifier> identifiers;
  std::vector<int64_t> authzs;
  nlohmann::json error;
  int64_t certificate = 0;
  std::string replaces;  // the ARI id of the certificate this order replaces
  int64_t created = 0;
};

struct CertificateRecord {
  int64_t id = 0;
  int64_t order = 0;
  int64_t account = 0;
  std::string serial;  // hex
  std::string ari_id;  // RFC 9773 certID: base64url(AKI keyIdentifier) "." base64url(serial)
  std::string pem;     // the chain as downloaded
  int64_t not_before = 0, not_after = 0;
  int revoked_reason = -1;  // -1: not revoked
  int64_t revoked_at = 0;
  int64_t replaced_by = 0;  // the order that replaced it
};

struct EabKey {
  std::string kid;
  std::string name;
  std::string hmac_key;  // raw bytes
  int64_t created = 0;
  int64_t account = 0;  // the account it bound, 0 while unused
};

class Store {
 public:
  // Opens (creating with mode 0600 when absent) the database at `file`. Throws devcert::Error.
  explicit Store(const std::filesystem::path& file);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int64_t add_account(const Account& a);
  std::optional<Account> account(int64_t id);
  std::optional<Account> account_by_thumbprint(const std::string& thumbprint);
  void update_account(const Account& a);  // status, contact, jwk and thumbprint

  // The order, its authorizations and their challenges, in one transaction.
  int64_t add_order(Order& order, std::vector<Authz>& authzs);
  std::optional<Order> order(int64_t id);
  std::vector<int64_t> orders_of(int64_t account);
  void update_order(const Order& o);

  std::optional<Authz> authz(int64_t id);
  void update_authz(const Authz& a);  // status, and each challenge's status, validated and error
  std::optional<Challenge> challenge(int64_t id);

  // The certificate, and the order made valid, in one transaction.
  int64_t add_certificate(CertificateRecord& cert, Order& order);
  std::optional<CertificateRecord> certificate(int64_t id);
  std::optional<CertificateRecord> certificate_by_ari_id(const std::string& ari_id);
  std::optional<CertificateRecord> certificate_by_serial(const std::string& serial_hex);
  void revoke(int64_t id, int reason, int64_t at);
  size_t count(const std::string& table);

  void add_eab(const EabKey& key);
  std::optional<EabKey> eab(const std::string& kid);
  std::vector<EabKey> eab_keys();
  bool remove_eab(const std::string& name);
  // Binds the key to the account; false when it is bound already.
  bool bind_eab(const std::string& kid, int64_t account);

  class Statements;  // store.cpp's

 private:
  class Tx;
  sqlite3* db_ = nullptr;
  // Each query is prepared once and kept: parsing the SQL again on every call was a tenth of the
  // server's CPU per request.
  std::unique_ptr<Statements> statements_;
};

}  // namespace devcert::acme
