#include "trust/actions.h"

#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

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

// Runs `work(i)` for every store: stores that depend on none in the list start at once, each
// followed in its thread by the stores that run after it (Java after the system store). The
// first exception other than a store's own failure is rethrown once all have finished.
template <typename Work>
void in_dependency_chains(StoreList& stores, Work work) {
  std::vector<std::vector<std::size_t>> chains;
  std::map<std::string, std::size_t> chain_of;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    std::optional<std::size_t> chain;
    for (const auto& name : stores[i]->runs_after())
      if (auto it = chain_of.find(name); it != chain_of.end()) chain = it->second;
    if (!chain) {
      chain = chains.size();
      chains.emplace_back();
    }
    chains[*chain].push_back(i);
    chain_of[stores[i]->name()] = *chain;
  }
  std::vector<std::exception_ptr> errors(chains.size());
  auto run_chain = [&](std::size_t c) {
    try {
      for (std::size_t i : chains[c]) work(i);
    } catch (...) {
      errors[c] = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> others;
    for (std::size_t c = 1; c < chains.size(); ++c) others.emplace_back(run_chain, c);
    if (!chains.empty()) run_chain(0);
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// One report per store, in the stores' order: `act(index, store, report)` runs on each available
// store, and an Error it throws becomes that store's failure (the other stores still get their
// turn).
template <typename Act>
std::vector<StoreReport> for_each_store(StoreList& stores, const StoreProgress& before, Act act) {
  std::vector<StoreReport> reports(stores.size());
  std::mutex progress;
  std::size_t started = 0;
  in_dependency_chains(stores, [&](std::size_t i) {
    TrustStore& store = *stores[i];
    if (before) {
      std::lock_guard lock(progress);
      before(store, started++, stores.size());
    }
    StoreReport r = start(store);
    if (!unavailable(store, r)) {
      try {
        act(i, store, r);
      } catch (const Error& e) {
        r.outcome = Outcome::failed;
        r.why = e.what();
        r.fix = e.fix();
      }
      r.where = store.where();  // NSS may have created a database
    }
    reports[i] = std::move(r);
  });
  return reports;
}

}  // namespace

std::vector<StoreReport> install_into(StoreList& stores, const CaCertificate& ca,
                                      const StoreProgress& before) {
  // A store that runs after another may be filled by it (Debian's system update hook writes
  // Java's cacerts): what it held before this run says whether it was already installed.
  std::vector<char> held_before(stores.size(), 0);
  for (std::size_t i = 0; i < stores.size(); ++i) {
    if (stores[i]->runs_after().empty()) continue;
    try {
      held_before[i] = stores[i]->availability().available && stores[i]->contains(ca);
    } catch (const Error&) {
      // its own turn reports the failure
    }
  }
  return for_each_store(stores, before, [&](std::size_t i, TrustStore& store, StoreReport& r) {
    if (store.contains(ca)) {
      r.outcome = store.runs_after().empty() || held_before[i] ? Outcome::already_installed : Outcome::installed;
      if (r.outcome == Outcome::installed) r.why = "added when the " + store.runs_after().front() + " store was updated";
      return;
    }
    store.install(ca);
    r.outcome = store.contains(ca) ? Outcome::installed : Outcome::failed;
    if (r.outcome == Outcome::failed) r.why = "the store's tool succeeded but the root is still not in it";
  });
}

std::vector<StoreReport> uninstall_from(StoreList& stores, const CaCertificate& ca,
                                        const StoreProgress& before) {
  return for_each_store(stores, before, [&](std::size_t, TrustStore& store, StoreReport& r) {
    if (!store.contains(ca)) {
      store.uninstall(ca);  // a stray entry of ours (say, an anchor never extracted)
      r.outcome = Outcome::not_installed;
      return;
    }
    store.uninstall(ca);
    r.outcome = store.contains(ca) ? Outcome::failed : Outcome::removed;
    if (r.outcome == Outcome::failed) {
      r.why = "the root is still in this store under an entry devcert did not make";
      r.fix = store.fix_for_foreign_entry();
    }
  });
}

std::vector<StoreStatus> status_of(StoreList& stores, const CaCertificate& ca) {
  std::vector<StoreStatus> statuses(stores.size());
  in_dependency_chains(stores, [&](std::size_t i) {
    TrustStore& store = *stores[i];
    StoreStatus& s = statuses[i];
    s.store = store.name();
    s.where = store.where();
    auto a = store.availability();
    s.available = a.available;
    s.why = a.why;
    s.fix = a.fix;
    if (s.available) {
      s.locations = store.locations(ca);
      s.installed = !s.locations.empty();
      for (const auto& l : s.locations) s.installed &= l.holds_root;
    }
  });
  return statuses;
}

bool any_fatal_failure(const std::vector<StoreReport>& reports) {
  for (const auto& r : reports)
    if (r.outcome == Outcome::failed && !r.optional) return true;
  return false;
}

std::vector<std::string> stores_missing_root(const stdfs::path& caroot, const std::vector<std::string>& names,
                                             const StoreEnvironment& env, process::CommandRunner& runner) {
  try {
    pki::CaRoot root(caroot);
    if (!root.exists()) return {};
    auto cert = pki::load_certificate(fs::read_file(root.cert_path()), root.cert_path().string());
    return stores_missing_root(cert.get(), root.cert_path(), names, env, runner);
  } catch (const std::exception&) {
    return {};
  }
}

std::vector<std::string> stores_missing_root(X509* root_cert, const stdfs::path& pem_file,
                                             const std::vector<std::string>& names, const StoreEnvironment& env,
                                             process::CommandRunner& runner) {
  std::vector<std::string> missing;
  try {
    auto ca = CaCertificate::from_certificate(root_cert, pem_file);
    auto stores = make_stores(names, runner, env);
    for (const auto& s : status_of(stores, ca))
      if (s.available && !s.installed) missing.push_back(s.store);
  } catch (const std::exception&) {
    return {};
  }
  return missing;
}

std::string untrusted_summary(const stdfs::path& caroot, const StoreEnvironment& env, process::CommandRunner& runner) {
  std::string missing;
  for (const auto& store : stores_missing_root(caroot, select_store_names({}, env.selected_stores), env, runner))
    missing += (missing.empty() ? "" : ", ") + store;
  if (missing.empty()) return {};
  return "the CA is not trusted yet by: " + missing + "; run 'devcert install'";
}

}  // namespace devcert::trust
