#include "util/environment.h"

extern char** environ;

namespace devcert {

Environment Environment::from_process() {
  Map vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view kv = *entry;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    // The first definition wins, as getenv(3) finds it.
    vars.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return Environment(std::move(vars));
}

std::string Environment::get(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? std::string() : it->second;
}

Environment Environment::with(std::string name, std::string value) const {
  Environment copy = *this;
  copy.vars_.insert_or_assign(std::move(name), std::move(value));
  return copy;
}

}  // namespace devcert
