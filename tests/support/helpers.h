// Test support: temporary directories and running the real devcert binary.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace devcert::test {

namespace stdfs = std::filesystem;

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const stdfs::path& path() const { return path_; }
  stdfs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  stdfs::path path_;
};

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// The current environment with `env` applied (a value of "\x01unset" removes a variable), as
// "NAME=value" strings for posix_spawn.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& env);

// Starts `argv` (argv[0] is a path or looked up in PATH) with the current environment plus
// `env`, in `cwd` (empty: this one), stdin from `in` and stdout/stderr to the files `out` and
// `err` (created 0600, truncated). Returns the pid, or -1 with errno set.
int spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
          const stdfs::path& cwd = {}, const stdfs::path& in = "/dev/null",
          const stdfs::path& out = "/dev/null", const stdfs::path& err = "/dev/null");

// Waits for the child `pid`: its exit code, or -1 when a signal ended it.
int wait_exit(int pid);

// Runs `argv` (argv[0] is a path or looked up in PATH) with the current environment plus
// `env` (a value of "\x01unset" removes a variable), in `cwd`, stdin from `input`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          const stdfs::path& cwd = {}, const std::string& input = {});

// Runs the built devcert with DEVCERT_CAROOT=`caroot`.
ProcessResult run_devcert(const std::vector<std::string>& args, const stdfs::path& caroot,
                          const stdfs::path& cwd = {}, std::map<std::string, std::string> env = {});

std::string read_text(const stdfs::path& path);
void write_text(const stdfs::path& path, const std::string& text);

// True when an executable of this name is on PATH.
bool have_tool(const std::string& name);

// A root -> intermediate -> leaf chain made with the openssl command in `dir`, as a public CA
// makes one: the leaf (for localhost, serverAuth) names its issuer's URL (AIA), which is what
// tells a client that a server sending the leaf alone cut its chain. Writes PREFIX-root.pem,
// PREFIX-intermediate.pem, PREFIX-leaf.pem and PREFIX-leaf.key; "" on success, else the failing
// command's stderr.
std::string make_openssl_chain(const stdfs::path& dir, const std::string& prefix);

// `needle` occurs in `text`.
inline bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace devcert::test
