// After a CA is widened: every trust store that trusted its previous root trusts the new one
// instead, and the previous one is gone from it.
#pragma once

#include <string>
#include <vector>

#include "trust/actions.h"
#include "trust/stores.h"

namespace devcert::trust {

struct RootReplacement {
  std::vector<std::string> stores;     // those among `names` that held the previous root
  std::vector<StoreReport> removed;    // the previous root taken out of each of them
  std::vector<StoreReport> installed;  // the current root put into each of them that lost the previous one
  bool previous_gone = false;          // no available store among `names` holds the previous root
};

// For each store among `names` that holds `previous` in any of its databases: the previous root
// is removed first, then `current` installed. First, because NSS files certificates of one
// subject under one nickname: the new root added beside the old would take the old one's
// nickname, and removing that would remove both. A store that keeps the previous root (its
// removal failed) is not given the current one: it goes on trusting what it trusted.
RootReplacement replace_root(const CaCertificate& previous, const CaCertificate& current,
                             const std::vector<std::string>& names, process::CommandRunner& runner,
                             const StoreEnvironment& env, const StoreProgress& before = {});

}  // namespace devcert::trust
