// `devcert snippet`: configs and programs that serve a devcert certificate, rendered from the
// embedded templates/snippets/ with each language's quoting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust/linux_system_store.h"

namespace devcert::snippets {

struct Target {
  std::string_view name;     // what the user types: "nginx"
  std::string_view file;     // under templates/snippets/
  std::string_view summary;  // one line for --list
  // The path as a string literal of the target's language; throws devcert::Error for a path
  // the language cannot express.
  std::string (*quote)(std::string_view path);
  bool any_port = false;  // port 0 means "a free port, printed at start" (programs, not proxies)
  // Container targets: they reference the devcert root alone (never a leaf, never the CA key).
  bool root_only = false;
};

// Every target, in the order --list shows them.
const std::vector<Target>& targets();

// The target called `name`; throws UsageError naming the valid ones.
const Target& find_target(std::string_view name);

struct Values {
  std::string cert_file;  // absolute paths
  std::string key_file;
  std::uint16_t port = 8443;
  std::string upstream = "127.0.0.1:3000";  // nginx and caddy proxy to it
  // Container targets: the root's absolute path on the host, its store name (devcert-<hex>),
  // and the image's distribution (snippet --base), from the host store's table.
  std::string root_file;
  std::string root_name;
  std::optional<trust::LinuxLayout> base;
};

// The base-image family `--base` names: any os-release ID the table knows (debian, ubuntu,
// alpine, fedora, rhel, arch, opensuse...). Throws UsageError naming them.
trust::LinuxLayout find_base(std::string_view base);

// What the image's build context holds: `devcert snippet dockerfile` COPYs this file.
inline constexpr std::string_view kContextRootFile = "devcert-rootCA.pem";

// The snippet with its {{cert}}, {{key}}, {{port}} and {{upstream}} placeholders filled in,
// paths quoted for the target's language. Throws devcert::Error for a path the language
// cannot express (nginx expands every `$`, for example).
std::string render(const Target& target, const Values& values);

// The host every snippet serves on.
inline constexpr std::string_view kServedHost = "localhost";

// What would make clients refuse the certificate in `pem` when a snippet serves it: expired,
// not yet valid, or not naming kServedHost. Empty when it is fine or cannot be read (the
// snippet's own loading says why then).
std::vector<std::string> certificate_problems(std::string_view pem, std::string_view origin);

}  // namespace devcert::snippets
