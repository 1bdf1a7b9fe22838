// The process environment as a value. Commands read variables from the one their Context holds,
// so a test runs a command in a made-up environment without changing its own.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace devcert {

class Environment {
 public:
  using Map = std::map<std::string, std::string, std::less<>>;
  Environment() = default;
  explicit Environment(Map vars) : vars_(std::move(vars)) {}
  static Environment from_process();  // a copy of environ, taken once

  // The value, or "" when unset: every variable devcert reads means the same empty or unset.
  std::string get(std::string_view name) const;
  // The same environment with `name` set to `value`.
  Environment with(std::string name, std::string value) const;

 private:
  Map vars_;
};

}  // namespace devcert
