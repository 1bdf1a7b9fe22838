// Widening a CA: its root re-issued over the same key with more permitted names, so that every
// certificate it has signed stays valid under the new root.
#pragma once

#include <string>
#include <vector>

#include "pki/ca.h"
#include "pki/constraints.h"

namespace devcert::pki {

struct Widening {
  bool changed = false;             // false: the root already permitted every value
  PermittedSet before, after;       // what the old and the new root may sign
  PermittedSet added;               // after minus before
  std::string old_fingerprint, new_fingerprint;
  stdfs::path previous_root;        // the old root's copy, for the trust stores (previous_root_path)
};

// Adds `permits` (add_permit's values) to the root of `root`, under its lock: the root is
// signed again by its key (never rewritten) with the union of its permitted subtrees and
// `permits`, a copy of the old root written beside it (previous_root_path), then rootCA.pem
// replaced atomically. Throws, changing nothing, when the CA cannot be widened: no key (not
// devcert's to re-sign), no name constraints (it already signs any name: mkcert's CAs, or
// devcert init --unconstrained), or a damaged CA (as load() does).
Widening widen_root(const CaRoot& root, const std::vector<std::string>& permits);

// Where a widened CA keeps its previous root until every trust store that held it holds the new
// one instead: rootCA-previous-<first 16 hex digits of its SHA-256>.pem. Stores identify roots
// by content (and macOS's security(1) by a file), so removing the old root needs its bytes.
stdfs::path previous_root_path(const CaRoot& root, X509* previous);

// The previous roots kept in `root`'s directory, sorted by name.
std::vector<stdfs::path> previous_roots(const CaRoot& root);

// What of `permits` the root `cert` does not permit yet (nothing when it has no constraints):
// a project file's [ca] permit that an existing CA lacks.
PermittedSet permits_missing(X509* cert, const std::vector<std::string>& permits);

}  // namespace devcert::pki
