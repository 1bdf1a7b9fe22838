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
  std::vector<StoreReport> installed;  // the current root put into each of them
  std::vector<StoreReport> removed;    // the previous root taken out of each that holds the current one
  bool previous_gone = false;          // no available store among `names` holds the previous root
};

// For each store among `names` that holds `previous` in any of its databases: `current` is
// installed first, then `previous` removed, and only from a store that now holds `current`. A
// store is never left trusting neither: one that cannot take the new root keeps the old, and
// one that cannot drop the old trusts both a while (the old permits less than the new).
RootReplacement replace_root(const CaCertificate& previous, const CaCertificate& current,
                             const std::vector<std::string>& names, process::CommandRunner& runner,
                             const StoreEnvironment& env, const StoreProgress& before = {});

}  // namespace devcert::trust
