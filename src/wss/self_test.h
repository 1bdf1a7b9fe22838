// `devcert verify-server` without a URL: the whole chain proven end to end on this machine.
// CA -> leaf -> server on loopback -> the diagnosis's walk (the same client as
// `verify-server URL`) trusting only the devcert root, for every loopback name -> the same walk
// trusting only the system store.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/diagnose.h"

namespace devcert::wss {

struct SelfTestOptions {
  std::filesystem::path caroot;
  std::string cert_file;  // with key_file: check the user's own certificate instead of minting
  std::string key_file;
  bool require_trust = false;  // the system store must trust the server too
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// The name of the walk trusting only the system store.
inline constexpr std::string_view kSystemWalkName = "system trust store";

// One walk of the self test: a loopback name with the devcert root as the only trust, or
// kSystemWalkName.
struct SelfTestWalk {
  std::string name;
  bool required = true;  // false: its failure is a warning (the system store without --require-trust)
  diagnose::Diagnosis diagnosis;
};

struct SelfTestReport {
  std::vector<diagnose::Stage> setup;  // "ca", "leaf", "server"
  std::string setup_fix;               // what to run when a setup stage failed
  std::vector<SelfTestWalk> walks;
  std::vector<std::string> server_log;  // one line per connection the server saw
  bool ok() const;                      // no failed setup stage, no failed required walk
};

SelfTestReport run_self_test(const SelfTestOptions& options);

}  // namespace devcert::wss
