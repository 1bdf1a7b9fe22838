#include "diagnose/container_causes.h"

#include <boost/asio/ip/address.hpp>

#include "util/process.h"

namespace devcert::diagnose {
namespace {

bool names_loopback(const Endpoint& endpoint) {
  if (endpoint.host == "localhost" || endpoint.host.ends_with(".localhost")) return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(endpoint.host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

std::optional<ContainerCause> container_cause(const Diagnosis& d, const std::string& container) {
  if (d.cause == "ca_not_installed")
    return ContainerCause{"the root is not in the container's store",
                          process::display({"devcert", "install", "--container", container})};
  // A container has a network namespace of its own (unless run with --network host): its
  // localhost is itself, where the host's server does not listen.
  if ((d.cause == "connection_refused" || d.cause == "connection_timeout") && names_loopback(d.endpoint))
    return ContainerCause{"the container resolves localhost to itself: the host's server is not on the "
                          "container's loopback",
                          "use the host's name as containers see it, host.containers.internal (Podman) or "
                          "host.docker.internal (Docker), with a server listening beyond loopback and a leaf "
                          "naming it (devcert serve --host 0.0.0.0, or devcert issue --for-containers); or run "
                          "the container with --network host"};
  return std::nullopt;
}

}  // namespace devcert::diagnose
