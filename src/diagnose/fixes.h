// One fix for every problem a walk saw in what the server presented: `devcert install` for a
// devcert root that is not installed, one `devcert issue` for everything a new leaf cures
// (dates, key, key usage, names), naming the hosts the leaf is for plus the one the client
// asked for, so the new leaf keeps serving them all.
#pragma once

#include <string>
#include <vector>

#include "diagnose/broken.h"
#include "diagnose/url.h"

namespace devcert::diagnose {

// `problems` in stage order (the first is the walk's cause); `leaf_names` what the leaf is for
// (certificate_checks.h names_in). A single problem a new leaf does not cure keeps its own fix.
std::string fix_for_all(const std::vector<Broken>& problems, const std::vector<std::string>& leaf_names,
                        const Endpoint& endpoint);

}  // namespace devcert::diagnose
