#include "acme/store.h"

#include <sqlite3.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <memory>
#include <unordered_map>

#include "error.h"

namespace devcert::acme {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw Error("the ACME database: " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"),
              "check the CAROOT's acme.db is a devcert ACME database and the disk is not full");
}

}  // namespace

// The prepared statements, by their SQL. A statement is lent to one Stmt at a time; a query
// whose statement is out already (the same SQL nested) gets one of its own.
class Store::Statements {
 public:
  struct Entry {
    sqlite3_stmt* stmt = nullptr;
    bool out = false;
  };
  explicit Statements(sqlite3* db) : db_(db) {}
  ~Statements() {
    for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
  }
  sqlite3* db() const { return db_; }
  // The statement, and its cache entry (null for one of its own, to be finalized after use).
  std::pair<sqlite3_stmt*, Entry*> take(const std::string& sql) {
    auto [it, fresh] = cache_.try_emplace(sql);
    Entry& entry = it->second;
    if (!fresh && !entry.out) {
      entry.out = true;
      return {entry.stmt, &entry};
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, fresh ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr) !=
        SQLITE_OK) {
      if (fresh) cache_.erase(it);
      fail(db_, "preparing a query");
    }
    if (!fresh) return {stmt, nullptr};
    entry = {stmt, true};
    return {stmt, &entry};
  }
  void give_back(sqlite3_stmt* stmt, Entry* entry) {
    if (!entry) {
      sqlite3_finalize(stmt);
      return;
    }
    // Reset at once: a SELECT left mid-way would hold its read transaction open.
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    entry->out = false;
  }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, Entry> cache_;  // elements stay put when it grows
};

namespace {

// One prepared statement, bound by position from 1, stepped row by row.
class Stmt {
 public:
  Stmt(Store::Statements& statements, const std::string& sql) : statements_(statements), db_(statements.db()) {
    std::tie(stmt_, entry_) = statements.take(sql);
  }
  ~Stmt() { statements_.give_back(stmt_, entry_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int64_t v) { return check(sqlite3_bind_int64(stmt_, ++n_, v)); }
  Stmt& bind(const std::string& v) {
    return check(sqlite3_bind_text(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& blob(const std::string& v) {
    return check(sqlite3_bind_blob(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& bind(const nlohmann::json& v) { return bind(v.is_null() ? std::string() : v.dump()); }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "a query");
  }
  void run() { step(); }
  int64_t i(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string s(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  nlohmann::json j(int col) const {
    std::string text = s(col);
    return text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
  }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) fail(db_, "binding a value");
    return *this;
  }
  Store::Statements& statements_;
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Store::Statements::Entry* entry_ = nullptr;
  int n_ = 0;
};

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : "";
    sqlite3_free(message);
    throw Error("the ACME database: " + m, "check the CAROOT's acme.db is a devcert ACME database");
  }
}

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS accounts(id INTEGER PRIMARY KEY, thumbprint TEXT UNIQUE NOT NULL, jwk TEXT NOT NULL,
  status TEXT NOT NULL, contact TEXT NOT NULL, eab_kid TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orders(id INTEGER PRIMARY KEY, account INTEGER NOT NULL, status TEXT NOT NULL,
  expires INTEGER NOT NULL, identifiers TEXT NOT NULL, authzs TEXT NOT NULL, error TEXT NOT NULL,
  certificate INTEGER NOT NULL, replaces TEXT NOT NULL, created INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS orders_account ON orders(account);
CREATE TABLE IF NOT EXISTS authzs(id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, account INTEGER NOT NULL,
  type TEXT NOT NULL, value TEXT NOT NULL, wildcard INTEGER NOT NULL, status TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS challenges(id INTEGER PRIMARY KEY, authz INTEGER NOT NULL, type TEXT NOT NULL,
  token TEXT NOT NULL, status TEXT NOT NULL, validated INTEGER NOT NULL, error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS challenges_authz ON challenges(authz);
CREATE TABLE IF NOT EXISTS certificates(id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, account INTEGER NOT NULL,
  serial TEXT UNIQUE NOT NULL, ari_id TEXT UNIQUE NOT NULL, pem TEXT NOT NULL, not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL, revoked_reason INTEGER NOT NULL, revoked_at INTEGER NOT NULL,
  replaced_by INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS eab_keys(kid TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, hmac_key BLOB NOT NULL,
  created INTEGER NOT NULL, account INTEGER NOT NULL);
)";

Account read_account(const Stmt& q) {
  return {q.i(0), q.s(1), q.j(2), q.s(3), q.j(4), q.s(5), q.i(6)};
}

nlohmann::json identifiers_json(const std::vector<Identifier>& ids) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& id : ids) j.push_back({{"type", id.type}, {"value", id.value}});
  return j;
}

CertificateRecord read_certificate(const Stmt& q) {
  CertificateRecord c;
  c.id = q.i(0), c.order = q.i(1), c.account = q.i(2), c.serial = q.s(3), c.ari_id = q.s(4), c.pem = q.s(5);
  c.not_before = q.i(6), c.not_after = q.i(7), c.revoked_reason = static_cast<int>(q.i(8)), c.revoked_at = q.i(9);
  c.replaced_by = q.i(10);
  return c;
}

constexpr const char* kCertColumns =
    "SELECT id, order_id, account, serial, ari_id, pem, not_before, not_after, revoked_reason, revoked_at, "
    "replaced_by FROM certificates WHERE ";

}  // namespace

class Store::Tx {
 public:
  explicit Tx(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }
  ~Tx() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    exec(db_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

Store::Store(const std::filesystem::path& file) {
  // Created owner-only before SQLite opens it (its -wal and -shm files take the same mode): it
  // holds the external account keys. O_NOFOLLOW: a link planted in a shared CAROOT is refused.
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    throw Error("cannot open the ACME database " + file.string() + ": " + std::strerror(errno),
                "check the CAROOT is yours and writable, and acme.db is a regular file: devcert caroot");
  ::close(fd);
  int rc = sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string m = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error("cannot open the ACME database " + file.string() + ": " + m,
                "check the CAROOT is writable by you: devcert caroot");
  }
  sqlite3_busy_timeout(db_, 5000);
  // WAL: readers never wait for the writer. synchronous=NORMAL in WAL mode loses nothing when
  // the process is killed, only on a power cut, which a development server can afford.
  exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  exec(db_, kSchema);
  statements_ = std::make_unique<Statements>(db_);
}

Store::~Store() {
  statements_.reset();  // finalized before the connection closes
  sqlite3_close(db_);
}

int64_t Store::add_account(const Account& a) {
  Stmt q(*statements_, "INSERT INTO accounts(thumbprint, jwk, status, contact, eab_kid, created) VALUES(?,?,?,?,?,?)");
  q.bind(a.thumbprint).bind(a.jwk.dump()).bind(a.status).bind(a.contact.dump()).bind(a.eab_kid).bind(a.created).run();
  return sqlite3_last_insert_rowid(db_);
}

std::optional<Account> Store::account(int64_t id) {
  Stmt q(*statements_, "SELECT id, thumbprint, jwk, status, contact, eab_kid, created FROM accounts WHERE id = ?");
  q.bind(id);
  if (!q.step()) return std::nullopt;
  return read_account(q);
}

std::optional<Account> Store::account_by_thumbprint(const std::string& thumbprint) {
  Stmt q(*statements_, "SELECT id, thumbprint, jwk, status, contact, eab_kid, created FROM accounts WHERE thumbprint = ?");
  q.bind(thumbprint);
  if (!q.step()) return std::nullopt;
  return read_account(q);
}

void Store::update_account(const Account& a) {
  Stmt q(*statements_, "UPDATE accounts SET thumbprint = ?, jwk = ?, status = ?, contact = ? WHERE id = ?");
  q.bind(a.thumbprint).bind(a.jwk.dump()).bind(a.status).bind(a.contact.dump()).bind(a.id).run();
}

int64_t Store::add_order(Order& order, std::vector<Authz>& authzs) {
  Tx tx(db_);
  Stmt q(*statements_, "INSERT INTO orders(account, status, expires, identifiers, authzs, error, certificate, replaces, "
              "created) VALUES(?,?,?,?,'[]',?,0,?,?)");
  q.bind(order.account).bind(order.status).bind(order.expires).bind(identifiers_json(order.identifiers).dump());
  q.bind(order.error).bind(order.replaces).bind(order.created).run();
  order.id = sqlite3_last_insert_rowid(db_);
  order.authzs.clear();
  for (Authz& a : authzs) {
    a.order = order.id;
    Stmt qa(*statements_, "INSERT INTO authzs(order_id, account, type, value, wildcard, status, expires) VALUES(?,?,?,?,?,?,?)");
    qa.bind(a.order).bind(a.account).bind(a.identifier.type).bind(a.identifier.value);
    qa.bind(int64_t{a.wildcard}).bind(a.status).bind(a.expires).run();
    a.id = sqlite3_last_insert_rowid(db_);
    for (Challenge& c : a.challenges) {
      c.authz = a.id;
      Stmt qc(*statements_, "INSERT INTO challenges(authz, type, token, status, validated, error) VALUES(?,?,?,?,?,?)");
      qc.bind(c.authz).bind(c.type).bind(c.token).bind(c.status).bind(c.validated).bind(c.error).run();
      c.id = sqlite3_last_insert_rowid(db_);
    }
    order.authzs.push_back(a.id);
  }
  Stmt u(*statements_, "UPDATE orders SET authzs = ? WHERE id = ?");
  u.bind(nlohmann::json(order.authzs).dump()).bind(order.id).run();
  tx.commit();
  return order.id;
}

std::optional<Order> Store::order(int64_t id) {
  Stmt q(*statements_, "SELECT id, account, status, expires, identifiers, authzs, error, certificate, replaces, created "
              "FROM orders WHERE id = ?");
  q.bind(id);
  if (!q.step()) return std::nullopt;
  Order o;
  o.id = q.i(0), o.account = q.i(1), o.status = q.s(2), o.expires = q.i(3);
  for (const auto& j : q.j(4)) o.identifiers.push_back({j.value("type", ""), j.value("value", "")});
  o.authzs = q.j(5).get<std::vector<int64_t>>();
  o.error = q.j(6), o.certificate = q.i(7), o.replaces = q.s(8), o.created = q.i(9);
  return o;
}

std::vector<int64_t> Store::orders_of(int64_t account) {
  Stmt q(*statements_, "SELECT id FROM orders WHERE account = ? ORDER BY id");
  q.bind(account);
  std::vector<int64_t> out;
  while (q.step()) out.push_back(q.i(0));
  return out;
}

void Store::update_order(const Order& o) {
  Stmt q(*statements_, "UPDATE orders SET status = ?, error = ?, certificate = ? WHERE id = ?");
  q.bind(o.status).bind(o.error).bind(o.certificate).bind(o.id).run();
}

std::optional<Authz> Store::authz(int64_t id) {
  Stmt q(*statements_, "SELECT id, order_id, account, type, value, wildcard, status, expires FROM authzs WHERE id = ?");
  q.bind(id);
  if (!q.step()) return std::nullopt;
  Authz a;
  a.id = q.i(0), a.order = q.i(1), a.account = q.i(2), a.identifier = {q.s(3), q.s(4)};
  a.wildcard = q.i(5) != 0, a.status = q.s(6), a.expires = q.i(7);
  Stmt qc(*statements_, "SELECT id, authz, type, token, status, validated, error FROM challenges WHERE authz = ? ORDER BY id");
  qc.bind(id);
  while (qc.step()) a.challenges.push_back({qc.i(0), qc.i(1), qc.s(2), qc.s(3), qc.s(4), qc.i(5), qc.j(6)});
  return a;
}

void Store::update_authz(const Authz& a) {
  Tx tx(db_);
  Stmt q(*statements_, "UPDATE authzs SET status = ? WHERE id = ?");
  q.bind(a.status).bind(a.id).run();
  for (const Challenge& c : a.challenges) {
    Stmt qc(*statements_, "UPDATE challenges SET status = ?, validated = ?, error = ? WHERE id = ?");
    qc.bind(c.status).bind(c.validated).bind(c.error).bind(c.id).run();
  }
  tx.commit();
}

std::optional<Challenge> Store::challenge(int64_t id) {
  Stmt q(*statements_, "SELECT id, authz, type, token, status, validated, error FROM challenges WHERE id = ?");
  q.bind(id);
  if (!q.step()) return std::nullopt;
  return Challenge{q.i(0), q.i(1), q.s(2), q.s(3), q.s(4), q.i(5), q.j(6)};
}

int64_t Store::add_certificate(CertificateRecord& c, Order& order) {
  Tx tx(db_);
  Stmt q(*statements_, "INSERT INTO certificates(order_id, account, serial, ari_id, pem, not_before, not_after, "
              "revoked_reason, revoked_at, replaced_by) VALUES(?,?,?,?,?,?,?,-1,0,0)");
  q.bind(c.order).bind(c.account).bind(c.serial).bind(c.ari_id).bind(c.pem).bind(c.not_before).bind(c.not_after).run();
  c.id = sqlite3_last_insert_rowid(db_);
  order.certificate = c.id;
  order.status = "valid";
  update_order(order);
  if (!order.replaces.empty()) {
    Stmt r(*statements_, "UPDATE certificates SET replaced_by = ? WHERE ari_id = ?");
    r.bind(order.id).bind(order.replaces).run();
  }
  tx.commit();
  return c.id;
}

std::optional<CertificateRecord> Store::certificate(int64_t id) {
  Stmt q(*statements_, std::string(kCertColumns) + "id = ?");
  q.bind(id);
  if (!q.step()) return std::nullopt;
  return read_certificate(q);
}

std::optional<CertificateRecord> Store::certificate_by_ari_id(const std::string& ari_id) {
  Stmt q(*statements_, std::string(kCertColumns) + "ari_id = ?");
  q.bind(ari_id);
  if (!q.step()) return std::nullopt;
  return read_certificate(q);
}

std::optional<CertificateRecord> Store::certificate_by_serial(const std::string& serial) {
  Stmt q(*statements_, std::string(kCertColumns) + "serial = ?");
  q.bind(serial);
  if (!q.step()) return std::nullopt;
  return read_certificate(q);
}

void Store::revoke(int64_t id, int reason, int64_t at) {
  Stmt q(*statements_, "UPDATE certificates SET revoked_reason = ?, revoked_at = ? WHERE id = ?");
  q.bind(int64_t{reason}).bind(at).bind(id).run();
}

size_t Store::count(const std::string& table) {
  for (const char* known : {"accounts", "orders", "authzs", "challenges", "certificates", "eab_keys"})
    if (table == known) {
      Stmt q(*statements_, "SELECT count(*) FROM " + table);
      q.step();
      return static_cast<size_t>(q.i(0));
    }
  return 0;
}

void Store::add_eab(const EabKey& key) {
  Stmt q(*statements_, "INSERT INTO eab_keys(kid, name, hmac_key, created, account) VALUES(?,?,?,?,0)");
  q.bind(key.kid).bind(key.name).blob(key.hmac_key).bind(key.created).run();
}

std::optional<EabKey> Store::eab(const std::string& kid) {
  Stmt q(*statements_, "SELECT kid, name, hmac_key, created, account FROM eab_keys WHERE kid = ?");
  q.bind(kid);
  if (!q.step()) return std::nullopt;
  return EabKey{q.s(0), q.s(1), q.s(2), q.i(3), q.i(4)};
}

std::vector<EabKey> Store::eab_keys() {
  Stmt q(*statements_, "SELECT kid, name, hmac_key, created, account FROM eab_keys ORDER BY name");
  std::vector<EabKey> out;
  while (q.step()) out.push_back({q.s(0), q.s(1), "", q.i(3), q.i(4)});
  return out;
}

bool Store::remove_eab(const std::string& name) {
  Stmt q(*statements_, "DELETE FROM eab_keys WHERE name = ?");
  q.bind(name).run();
  return sqlite3_changes(db_) > 0;
}

bool Store::bind_eab(const std::string& kid, int64_t account) {
  Stmt q(*statements_, "UPDATE eab_keys SET account = ? WHERE kid = ? AND account = 0");
  q.bind(account).bind(kid).run();
  return sqlite3_changes(db_) > 0;
}

}  // namespace devcert::acme
