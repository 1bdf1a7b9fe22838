// Running external tools: always an argv vector (execve-style, never a shell string), output
// captured. CommandRunner is the seam the trust stores use, so tests can swap in a fake
// (after ninja's DiskInterface).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace devcert::process {

namespace stdfs = std::filesystem;

struct Command {
  Command() = default;
  Command(std::vector<std::string> argv_, std::map<std::string, std::string> env_ = {},
          std::string input_ = {})
      : argv(std::move(argv_)), env(std::move(env_)), input(std::move(input_)) {}

  std::vector<std::string> argv;           // argv[0]: a path, or a name looked up in PATH
  std::map<std::string, std::string> env;   // added to (or replacing in) the inherited environment
  std::string input;                        // written to the tool's stdin
};

struct Result {
  bool started = false;  // false: the program could not be run at all (see `err`)
  int exit_code = -1;    // -1 when killed by a signal or never started
  std::string out;
  std::string err;
  bool ok() const { return started && exit_code == 0; }
};

// The argv as one line a person can paste into a shell (single-quoted where needed): for
// --verbose and for "run this yourself" messages only; never executed.
std::string display(const std::vector<std::string>& argv);

// The first executable called `name` in $PATH (or `name` itself when it holds a '/').
std::optional<stdfs::path> find_program(std::string_view name);

// Runs `cmd` and waits for it, capturing stdout and stderr.
Result run(const Command& cmd);

// Raises this process's soft limit on open files to its hard limit, as Go's runtime and
// nginx's worker_rlimit_nofile do: each connection of `devcert serve` is a file descriptor, and
// the usual soft limit of 1024 would stop it accepting long before the machine's limit. Returns
// the soft limit in force afterwards (0 when it cannot be read).
unsigned long raise_open_file_limit();

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual Result run(const Command& cmd) = 0;
  virtual std::optional<stdfs::path> find_program(std::string_view name) = 0;
};

// The real thing: process::run and process::find_program.
class SystemRunner : public CommandRunner {
 public:
  Result run(const Command& cmd) override;
  std::optional<stdfs::path> find_program(std::string_view name) override;

  // When set, sees display(argv) of every command before it runs: --verbose prints it. Only
  // argv is shown, never stdin or the environment, which is where certificates travel.
  std::function<void(const std::string&)> trace;
};

}  // namespace devcert::process
