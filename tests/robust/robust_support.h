// Shared pieces of the hardening tests: devcert processes started without waiting (to be killed
// or raced), and checks that a certificate/key pair on disk is whole and belongs together.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pki/keys.h"
#include "support/helpers.h"

namespace devcert::test {

// The environment every hardening run gets: a temp CAROOT and HOME, no colour.
inline std::map<std::string, std::string> devcert_env(const stdfs::path& caroot, const stdfs::path& home) {
  // Only the system store is checked (read) for hints: no JVM start for keytool on every run.
  return {{"DEVCERT_CAROOT", caroot.string()}, {"HOME", home.string()}, {"NO_COLOR", "1"},
          {"XDG_DATA_HOME", (home / ".local/share").string()}, {"DEVCERT_TRUST_STORES", "system"}};
}

// The resident memory of process `pid` in KiB (VmRSS), -1 when it cannot be read.
inline long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

// A temp CAROOT, HOME and working directory for tests that run devcert many times.
class RobustTest : public testing::Test {
 protected:
  TempDir tmp;
  stdfs::path caroot = tmp / "caroot";
  stdfs::path home = tmp / "home";
  stdfs::path work = tmp / "work";

  void SetUp() override {
    stdfs::create_directories(home);
    stdfs::create_directories(work);
  }

  // The devcert binary followed by `args`.
  static std::vector<std::string> devcert_argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv{DEVCERT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
};

// Starts `argv` with stdout and stderr going to `out` and `err` (default: discarded); returns
// the pid (or -1).
inline pid_t spawn_quiet(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         const stdfs::path& cwd = {}, const stdfs::path& out = "/dev/null",
                         const stdfs::path& err = "/dev/null") {
  return spawn(argv, env, cwd, "/dev/null", out, err);
}

// SIGKILLs and reaps a child still running when the test leaves (an ASSERT failed): no server
// outlives its test. release() after the test reaped it itself.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard() {
    if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      wait_exit(pid_);
    }
  }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  // Sends `sig` and waits: the exit code, or -1 when a signal ended it.
  int stop(int sig = SIGTERM) {
    ::kill(pid_, sig);
    int code = wait_exit(pid_);
    pid_ = -1;
    return code;
  }

 private:
  pid_t pid_;
};

inline bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// "" when `cert` is absent or is a whole PEM certificate next to a whole PEM key that matches it;
// otherwise what is wrong. A key alone is fine: its certificate was never written.
inline std::string check_pair(const stdfs::path& cert, const stdfs::path& key) {
  if (!stdfs::exists(cert)) return "";
  std::string cert_pem = read_text(cert);
  if (!ends_with(cert_pem, "-----END CERTIFICATE-----\n")) return cert.string() + " is truncated";
  if (!stdfs::exists(key)) return cert.string() + " exists without its key " + key.string();
  std::string key_pem = read_text(key);
  if (!ends_with(key_pem, "-----END PRIVATE KEY-----\n")) return key.string() + " is truncated";
  try {
    auto c = pki::load_certificate(cert_pem, cert.string());
    auto k = pki::load_private_key(key_pem, key.string());
    if (!pki::key_matches_certificate(k.get(), c.get()))
      return key.string() + " does not match " + cert.string();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Names in `dir` that are not in `expected` and are not devcert's temporary files
// (".NAME.tmp-PID-RANDOM"): a file that should not be there.
inline std::vector<std::string> unexpected_files(const stdfs::path& dir, const std::vector<std::string>& expected) {
  std::vector<std::string> out;
  if (!stdfs::is_directory(dir)) return out;
  for (const auto& e : stdfs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    bool known = false;
    for (const auto& x : expected) known = known || name == x;
    if (!known && !(name.starts_with(".") && name.find(".tmp-") != std::string::npos)) out.push_back(name);
  }
  return out;
}

// How many of devcert's temporary files are in `dir`.
inline int temp_files(const stdfs::path& dir) {
  int n = 0;
  if (!stdfs::is_directory(dir)) return 0;
  for (const auto& e : stdfs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    n += name.starts_with(".") && name.find(".tmp-") != std::string::npos;
  }
  return n;
}

}  // namespace devcert::test
