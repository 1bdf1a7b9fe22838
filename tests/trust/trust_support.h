// Test support for the trust stores: a scripted CommandRunner and throwaway CAs.
#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pki/ca.h"
#include "support/helpers.h"
#include "trust/store.h"
#include "util/process.h"

namespace devcert::test {

// Records every command; answers from `handler` (default: success, no output). Programs in
// `programs` are "found" under /usr/bin.
class FakeRunner : public process::CommandRunner {
 public:
  std::vector<process::Command> commands;
  std::set<std::string> programs;
  std::function<process::Result(const process::Command&)> handler;
  std::mutex mutex;

  // Stores run at the same time (trust/actions.cpp), each calling its runner.
  process::Result run(const process::Command& cmd) override {
    std::lock_guard lock(mutex);
    commands.push_back(cmd);
    if (handler) return handler(cmd);
    process::Result ok;
    ok.started = true;
    ok.exit_code = 0;
    return ok;
  }
  std::optional<stdfs::path> find_program(std::string_view name) override {
    if (programs.count(std::string(name))) return stdfs::path("/usr/bin") / name;
    return std::nullopt;
  }
  std::vector<std::vector<std::string>> argvs() const {
    std::vector<std::vector<std::string>> out;
    for (const auto& c : commands) out.push_back(c.argv);
    return out;
  }
};

inline process::Result result(int exit_code, std::string out = {}, std::string err = {}) {
  process::Result r;
  r.started = true;
  r.exit_code = exit_code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

// A fresh CA in `dir` (created in-process: fast), as the stores see it.
inline trust::CaCertificate make_ca(const stdfs::path& dir) {
  pki::RootProfile profile;
  profile.user_host = "test@devcert";
  pki::CaRoot(dir).init(profile);
  return trust::CaCertificate::from_file(pki::CaRoot(dir).cert_path());
}

// Runs `script` (bash, written to tmp/scenario.sh) inside tests/trust/in_private_system_store.sh,
// in `tmp`, with DEVCERT_CAROOT=tmp/ca, DEVCERT_BIN, SNAPSHOT (snapshot_trust_state.sh) and
// HOME=tmp/home. Exit code 77: no private mount namespace here (the caller skips).
inline ProcessResult in_private_system_store(const TempDir& tmp, const std::string& script) {
  write_text(tmp / "scenario.sh", script);
  return run_process({DEVCERT_SOURCE_DIR "/tests/trust/in_private_system_store.sh", "bash",
                      (tmp / "scenario.sh").string()},
                     {{"DEVCERT_CAROOT", (tmp / "ca").string()},
                      {"DEVCERT_BIN", DEVCERT_BIN},
                      {"SNAPSHOT", DEVCERT_SOURCE_DIR "/tests/trust/snapshot_trust_state.sh"},
                      {"NO_COLOR", "1"},
                      {"HOME", (tmp / "home").string()}},
                     tmp.path());
}

}  // namespace devcert::test
