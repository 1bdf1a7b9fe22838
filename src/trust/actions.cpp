#include "trust/actions.h"

#include "error.h"
#include "pki/ca.h"
#include "pki/keys.h"
#include "trust/stores.h"
#include "util/fs.h"

namespace devcert::trust {
namespace {

StoreReport start(TrustStore& store) {
  StoreReport r;
  r.store = store.name();
  r.where = store.where();
  r.optional = store.optional_store();
  return r;
}

bool unavailable(TrustStore& store, StoreReport& r) {
  auto a = store.availability();
  if (a.available) return false;
  r.outcome = Outcome::unavailable;
  r.why = a.why;
  r.fix = a.fix;
  return true;
}

}  // namespace

std::string outcome_text(Outcome outcome) {
  switch (outcome) {
    case Outcome::installed: return "installed";
    case Outcome::already_installed: return "already installed";
    case Outcome::removed: return "removed";
    case Outcome::not_installed: return "not installed (nothing to remove)";
    case Outcome::unavailable: return "not available";
    case Outcome::failed: return "failed";
  }
  return "?";
}

namespace {

// One report per store: `act` runs on each available store, and an Error it throws becomes
// that store's failure (the other stores still get their turn).
template <typename Act>
std::vector<StoreReport> for_each_store(StoreList& stores, const StoreProgress& before, Act act) {
  std::vector<StoreReport> reports;
  for (auto& store : stores) {
    if (before) before(*store, reports.size(), stores.size());
    StoreReport r = start(*store);
    if (!unavailable(*store, r)) {
      try {
        act(*store, r);
      } catch (const Error& e) {
        r.outcome = Outcome::failed;
        r.why = e.what();
        r.fix = e.fix();
      }
      r.where = store->where();  // NSS may have created a database
    }
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace

std::vector<StoreReport> install_into(StoreList& stores, const CaCertificate& ca,
                                      const StoreProgress& before) {
  return for_each_store(stores, before, [&](TrustStore& store, StoreReport& r) {
    if (store.contains(ca)) {
      r.outcome = Outcome::already_installed;
      return;
    }
    store.install(ca);
    r.outcome = store.contains(ca) ? Outcome::installed : Outcome::failed;
    if (r.outcome == Outcome::failed) r.why = "the store's tool succeeded but the root is still not in it";
  });
}

std::vector<StoreReport> uninstall_from(StoreList& stores, const CaCertificate& ca,
                                        const StoreProgress& before) {
  return for_each_store(stores, before, [&](TrustStore& store, StoreReport& r) {
    if (!store.contains(ca)) {
      store.uninstall(ca);  // a stray entry of ours (say, an anchor never extracted)
      r.outcome = Outcome::not_installed;
      return;
    }
    store.uninstall(ca);
    r.outcome = store.contains(ca) ? Outcome::failed : Outcome::removed;
    if (r.outcome == Outcome::failed) {
      r.why = "the root is still in this store under an entry devcert did not make";
      r.fix = r.store == "java" ? "devcert uninstall --store system (Debian's update hook "
                                  "copies system roots into Java's cacerts)"
                                : "";
    }
  });
}

std::vector<StoreStatus> status_of(StoreList& stores, const CaCertificate& ca) {
  std::vector<StoreStatus> statuses;
  for (auto& store : stores) {
    StoreStatus s;
    s.store = store->name();
    s.where = store->where();
    auto a = store->availability();
    s.available = a.available;
    s.why = a.why;
    s.fix = a.fix;
    if (s.available) {
      s.locations = store->locations(ca);
      s.installed = !s.locations.empty();
      for (const auto& l : s.locations) s.installed &= l.holds_root;
    }
    statuses.push_back(std::move(s));
  }
  return statuses;
}

bool any_fatal_failure(const std::vector<StoreReport>& reports) {
  for (const auto& r : reports)
    if (r.outcome == Outcome::failed && !r.optional) return true;
  return false;
}

std::vector<std::string> stores_missing_root(const stdfs::path& caroot, const std::vector<std::string>& names,
                                             const StoreEnvironment& env) {
  try {
    pki::CaRoot root(caroot);
    if (!root.exists()) return {};
    auto cert = pki::load_certificate(fs::read_file(root.cert_path()), root.cert_path().string());
    return stores_missing_root(cert.get(), root.cert_path(), names, env);
  } catch (const std::exception&) {
    return {};
  }
}

std::vector<std::string> stores_missing_root(X509* root_cert, const stdfs::path& pem_file,
                                             const std::vector<std::string>& names, const StoreEnvironment& env) {
  std::vector<std::string> missing;
  try {
    auto ca = CaCertificate::from_certificate(root_cert, pem_file);
    process::SystemRunner runner;
    auto stores = make_stores(names, runner, env);
    for (const auto& s : status_of(stores, ca))
      if (s.available && !s.installed) missing.push_back(s.store);
  } catch (const std::exception&) {
    return {};
  }
  return missing;
}

std::string untrusted_summary(const stdfs::path& caroot, const StoreEnvironment& env) {
  std::string missing;
  for (const auto& store : stores_missing_root(caroot, select_store_names({}, env.selected_stores), env))
    missing += (missing.empty() ? "" : ", ") + store;
  if (missing.empty()) return {};
  return "the CA is not trusted yet by: " + missing + "; run 'devcert install'";
}

}  // namespace devcert::trust
