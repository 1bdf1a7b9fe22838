// A running container's system store, reached through its engine's CLI (podman or docker): the
// host's per-distribution table (linux_system_store.h) applied inside the container, every step
// an argv given to `ENGINE exec -u 0`. The host's own stores are never touched.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "trust/linux_system_store.h"
#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

// The engines devcert drives, in the order it looks for them on PATH.
const std::vector<std::string>& container_engines();

// `requested` ("podman" or "docker") when given, else the first of container_engines() on
// PATH. Throws UsageError for another name, Error when none is installed.
std::string pick_container_engine(std::string_view requested, process::CommandRunner& runner);

// Podman and Docker accept [a-zA-Z0-9][a-zA-Z0-9_.-]* as a name and hex as an ID; anything else
// (a leading '-' an engine would read as an option, spaces, control characters) is refused
// with UsageError before any engine runs.
void check_container_name(std::string_view name);

// ENGINE exec -i -u 0 -- CONTAINER ARGV...: as the container's root, stdin passed on. The `--`
// ends the engine's options, so nothing after it is read as one.
std::vector<std::string> container_exec_argv(std::string_view engine, std::string_view container,
                                             const std::vector<std::string>& argv);
// ENGINE cp -- FILE CONTAINER:PATH.
std::vector<std::string> container_copy_argv(std::string_view engine, const stdfs::path& file,
                                             std::string_view container, const stdfs::path& path);

// A container as devcert found it: reachable, its distribution known.
struct ContainerTarget {
  std::string engine;
  std::string name;
  LinuxLayout layout;
};

// Reads the container's /etc/os-release through its engine. Throws Error (what, why, and the
// command that fixes it) when the container cannot be reached or runs a distribution devcert
// does not know.
ContainerTarget find_container(std::string_view engine, std::string_view name, process::CommandRunner& runner);

class ContainerStore : public TrustStore {
 public:
  ContainerStore(process::CommandRunner& runner, ContainerTarget target);
  std::string name() const override { return "container"; }
  std::string where() override;
  Availability availability() override;
  bool contains(const CaCertificate& ca) override;
  void install(const CaCertificate& ca) override;
  void uninstall(const CaCertificate& ca) override;
  std::vector<StoreLocation> locations(const CaCertificate& ca) override;

  const ContainerTarget& target() const { return target_; }
  stdfs::path anchor_path(const CaCertificate& ca) const;  // inside the container

 private:
  process::Result exec(const std::vector<std::string>& argv, const std::string& input = {});
  void exec_or_throw(const std::vector<std::string>& argv, const std::string& input, const std::string& what);

  process::CommandRunner& runner_;
  ContainerTarget target_;
};

}  // namespace devcert::trust
