#include "util/process.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace devcert::process {

std::string display(const std::vector<std::string>& argv) {
  static constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%";
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    if (!arg.empty() && arg.find_first_not_of(kSafe) == std::string::npos) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

std::optional<stdfs::path> find_program(std::string_view name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) {
    if (::access(std::string(name).c_str(), X_OK) == 0) return stdfs::path(name);
    return std::nullopt;
  }
  // This process's own PATH, not a command's Environment: the programs found here are run by
  // this process, with its environment (process::run), so both must agree on where they are.
  // Tests that need other programs swap the CommandRunner, not the variable.
  const char* path = std::getenv("PATH");
  // The sbin directories too: update-ca-certificates lives there and is often off a user's PATH.
  std::stringstream dirs(std::string(path ? path : "/usr/local/bin:/usr/bin:/bin") +
                         ":/usr/local/sbin:/usr/sbin:/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    stdfs::path candidate = stdfs::path(dir) / name;
    std::error_code ec;
    if (stdfs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return std::nullopt;
}

Result SystemRunner::run(const Command& cmd) {
  if (trace && !cmd.argv.empty()) trace(display(cmd.argv));
  return process::run(cmd);
}

std::optional<stdfs::path> SystemRunner::find_program(std::string_view name) {
  return process::find_program(name);
}

}  // namespace devcert::process
