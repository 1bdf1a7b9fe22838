// install / uninstall / status over a list of stores: one report per store, every store
// attempted even when another fails, nothing skipped silently.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "trust/store.h"
#include "trust/stores.h"

namespace devcert::trust {

enum class Outcome {
  installed,          // install added it
  already_installed,  // install found it and changed nothing
  removed,            // uninstall removed it
  not_installed,      // uninstall found nothing of ours
  unavailable,        // the store is missing here: `why` and `fix` say so
  failed,             // the tool failed: `why` and `fix`
};

struct StoreReport {
  std::string store;
  std::string where;
  Outcome outcome = Outcome::failed;
  std::string why;
  std::string fix;
  bool optional = false;  // a failure here is a warning (Java)
};

struct StoreStatus {
  std::string store;
  std::string where;
  bool available = false;
  bool installed = false;
  std::string why;
  std::string fix;
  std::vector<StoreLocation> locations;  // when available
};

// `before` (may be empty) is told which store comes next: the progress line on a terminal.
using StoreProgress = std::function<void(const TrustStore& store, std::size_t index, std::size_t count)>;
std::vector<StoreReport> install_into(StoreList& stores, const CaCertificate& ca,
                                      const StoreProgress& before = {});
std::vector<StoreReport> uninstall_from(StoreList& stores, const CaCertificate& ca,
                                        const StoreProgress& before = {});
std::vector<StoreStatus> status_of(StoreList& stores, const CaCertificate& ca);

// True when any report is a failure of a store that is not optional.
bool any_fatal_failure(const std::vector<StoreReport>& reports);

std::string outcome_text(Outcome outcome);

// The available stores among `names` that do not hold CAROOT's root yet; empty when there is
// no CA, or it or a store cannot be read (a hint, never an error).
std::vector<std::string> stores_missing_root(const stdfs::path& caroot, const std::vector<std::string>& names,
                                             const StoreEnvironment& env, process::CommandRunner& runner);
// The same for a root the caller has already parsed (`devcert issue`): no second read and parse.
std::vector<std::string> stores_missing_root(X509* root_cert, const stdfs::path& pem_file,
                                             const std::vector<std::string>& names, const StoreEnvironment& env,
                                             process::CommandRunner& runner);

// For `devcert init`: the one line saying where the CA in `caroot` is not
// trusted yet and the command that fixes it, e.g. "the CA is not trusted yet by: system, nss;
// run 'devcert install'". Empty when it is trusted in every available selected store
// (DEVCERT_TRUST_STORES, env.selected_stores, applies) or when there is no CA. Never throws.
std::string untrusted_summary(const stdfs::path& caroot, const StoreEnvironment& env, process::CommandRunner& runner);

}  // namespace devcert::trust
