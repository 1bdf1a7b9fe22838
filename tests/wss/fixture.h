// Shared pieces of the wss tests: a throw-away CA, an in-process server on loopback that
// records its connections, raw sockets for hostile clients, and background processes.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pki/ca.h"
#include "pki/keys.h"
#include "support/helpers.h"
#include "diagnose/diagnose.h"
#include "wss/identity.h"
#include "wss/server.h"

namespace devcert::wss::test {

using devcert::test::TempDir;
namespace stdfs = std::filesystem;

// True in CI, where a missing peer tool is a broken install, not a reason to skip.
// The peer programs (tests/peers), and the environment Debian's Node needs to find its modules:
// a Node.js not built by Debian does not look in /usr/share/nodejs itself.
inline const std::string kPeers = std::string(DEVCERT_SOURCE_DIR) + "/tests/peers/";
inline const std::map<std::string, std::string> kNodeEnv = {{"NODE_PATH", "/usr/share/nodejs"}};

// `argv` as tests/diagnose/in_unreachable_network.sh runs it: in a private network where
// 10.77.0.2 drops every packet and is the only nameserver (a connection to it, and a name not in
// /etc/hosts, get no answer). Exit 77 when that network cannot be made here.
inline std::vector<std::string> in_unreachable_network(std::vector<std::string> argv) {
  argv.insert(argv.begin(), std::string(DEVCERT_SOURCE_DIR) + "/tests/diagnose/in_unreachable_network.sh");
  return argv;
}

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false";
}

#define DEVCERT_REQUIRE_TOOL(condition, what)                                   \
  do {                                                                          \
    if (!(condition)) {                                                         \
      if (in_ci()) FAIL() << what << " is missing (scripts/deps.sh --test)";    \
      GTEST_SKIP() << what << " is missing (scripts/deps.sh --test installs it)"; \
    }                                                                           \
  } while (0)

// A fresh devcert CA in a temp CAROOT.
struct TestCa {
  TempDir dir;
  pki::CaRoot root{dir.path() / "caroot"};
  pki::CertificateAuthority ca;

  TestCa() {
    pki::RootProfile profile;
    profile.user_host = "test@devcert";
    root.init(profile);
    ca = root.load();
  }
  std::string pem() const { return pki::certificate_pem(ca.cert.get()); }
  ServerIdentity leaf(const std::vector<std::string>& names = kLoopbackNames) const {
    return mint_identity(ca, names);
  }
};

// The server on 127.0.0.1 and ::1 (same port), recording every finished connection.
class TestServer {
 public:
  explicit TestServer(const ServerIdentity& identity, ServerLimits limits = {})
      : server_(make_server_context(identity), limits, [this](const ConnectionRecord& rec) {
          std::lock_guard lock(mutex_);
          records_.push_back(rec);
          changed_.notify_all();
        }) {
    port_ = server_.listen({asio::ip::address_v4::loopback(), 0}).port();
    server_.listen({asio::ip::address_v6::loopback(), port_});
    server_.start();
  }
  ~TestServer() { server_.stop(); }

  std::uint16_t port() const { return port_; }
  Server& server() { return server_; }

  // The records so far once at least `count` connections finished (waits at most 20 s: a
  // guard against a hang, not a timing assertion).
  std::vector<ConnectionRecord> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(20), [&] { return records_.size() >= count; });
    return records_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ConnectionRecord> records_;
  Server server_;
  std::uint16_t port_ = 0;
};

// "wss://localhost:PORT/", "wss://[::1]:PORT/".
inline std::string url_for(const std::string& host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return "wss://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
}

// The self test's walk (every echo stage) to `host`, trusting only `ca_pem`.
inline diagnose::DiagnoseOptions walk_to(const std::string& host, std::uint16_t port, const std::string& ca_pem) {
  diagnose::DiagnoseOptions options;
  options.url = url_for(host, port);
  options.ca_pem = ca_pem;
  options.timeout = std::chrono::seconds(10);
  options.extent = diagnose::DiagnoseOptions::Extent::self_test;
  return options;
}

// The failed stage's name, "" when every stage passed.
inline std::string first_failure(const diagnose::Diagnosis& d) { return d.ok ? "" : d.stage; }

inline std::string describe(const diagnose::Diagnosis& d) {
  std::string out = d.cause + ": " + d.message + "\n";
  for (const auto& s : d.stages) out += s.name + ": " + std::string(diagnose::status_text(s.status)) + " " + s.detail + "\n";
  return out;
}

// Every stage of the self test's walk passed (and there were all thirteen of them).
inline void expect_healthy_echo(std::uint16_t port, const std::string& ca_pem, const std::string& host = "localhost") {
  diagnose::Diagnosis d = diagnose::diagnose(walk_to(host, port, ca_pem));
  EXPECT_EQ(first_failure(d), "") << describe(d);
  EXPECT_EQ(d.stages.size(), 13u) << describe(d);
}

// A background process whose stdout and stderr go to files, ended by the test.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {}) {
    pid_ = devcert::test::spawn(argv, env, {}, "/dev/null", io_ / "out", io_ / "err");
  }
  ~BackgroundProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string out() const { return devcert::test::read_text(io_ / "out"); }
  std::string err() const { return devcert::test::read_text(io_ / "err"); }

  // Polls stdout until it contains `text`; false if the process exits first or after 20 s.
  bool wait_for_output(const std::string& text) {
    for (int i = 0; i < 400; ++i) {
      if (out().find(text) != std::string::npos) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return out().find(text) != std::string::npos;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Sends `sig` and waits for the exit; the exit code, or -1 when killed by a signal.
  int stop(int sig = SIGTERM) {
    if (!exited_) {
      ::kill(pid_, sig);
      wait();
    }
    return exit_code_;
  }

 private:
  void wait() {
    exit_code_ = devcert::test::wait_exit(pid_);
    exited_ = true;
  }

  TempDir io_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

// The number after `marker` in `text` (e.g. the port in "wss://localhost:41234/"), or 0.
inline std::uint16_t port_after(const std::string& text, const std::string& marker) {
  auto at = text.find(marker);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::atoi(text.c_str() + at + marker.size()));
}

}  // namespace devcert::wss::test
