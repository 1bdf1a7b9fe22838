// `devcert init` on a CA that exists: widening it (--permit), finishing a widening whose trust
// stores were not all moved, and saying what a project file's [ca] permit would add.
#pragma once

#include <string>
#include <vector>

#include "cli/app.h"
#include "pki/ca.h"
#include "pki/constraints.h"

namespace devcert::cli {

// "  may sign:    localhost test ... (and their subdomains)" and the "IP ..." line under it.
void print_may_sign(Context& ctx, const pki::PermittedSet& set);

// Re-issues the root with `permits` added and moves the trust stores to it; the exit code.
int widen_existing_ca(const pki::CaRoot& root, const std::vector<std::string>& permits, Context& ctx);

// Moves the stores still trusting a previous root of this CA to the current root; a previous
// root no store holds any more is deleted. The exit code: 1 when a store could not be moved.
int move_stores_from_previous_roots(const pki::CaRoot& root, Context& ctx);

}  // namespace devcert::cli
