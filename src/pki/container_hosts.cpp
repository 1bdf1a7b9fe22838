#include "pki/container_hosts.h"

#include <algorithm>

namespace devcert::pki {

std::vector<std::string> with_container_hosts(std::vector<std::string> names) {
  for (std::string_view host : kContainerHostNames)
    if (std::find(names.begin(), names.end(), host) == names.end()) names.emplace_back(host);
  return names;
}

}  // namespace devcert::pki
