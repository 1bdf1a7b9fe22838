// The names a container reaches its host by: Docker Desktop's and Podman's host aliases (Podman
// writes host.containers.internal into every container's /etc/hosts; Docker Desktop, and Docker
// Engine with --add-host host.docker.internal:host-gateway, answer host.docker.internal). Both sit
// under `internal`, which the default name constraints permit (pki/constraints.cpp).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace devcert::pki {

inline constexpr std::array<std::string_view, 2> kContainerHostNames = {"host.docker.internal",
                                                                        "host.containers.internal"};

// `names` followed by each container host name it does not hold yet: `issue --for-containers`,
// a [[cert]]'s for_containers = true, and serve's leaf on a non-loopback --host.
std::vector<std::string> with_container_hosts(std::vector<std::string> names);

}  // namespace devcert::pki
