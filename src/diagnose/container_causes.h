// What a diagnosis run inside a container (verify-server --from-container) means there: two
// causes read differently from inside, where the host's loopback and the host's trust are not.
#pragma once

#include <optional>
#include <string>

#include "diagnose/diagnose.h"

namespace devcert::diagnose {

struct ContainerCause {
  std::string what;  // "the root is not in the container's store"
  std::string fix;   // "devcert install --container web"
};

// The container-specific reading of `d`'s cause for the container `container`, when there is
// one: the devcert root missing from the container's store, or a loopback URL that reached the
// container's own loopback rather than the host's.
std::optional<ContainerCause> container_cause(const Diagnosis& d, const std::string& container);

}  // namespace devcert::diagnose
