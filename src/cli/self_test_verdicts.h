// The self test's two verdicts, composed here from the walks (wss/self_test.h) and the trust
// stores (trust/actions.h status_of), which the wss layer knows nothing about:
// - the root works: the chain, names, TLS and WebSocket work for a client that trusts your root
//   (setup and every walk trusting only the devcert root);
// - this machine trusts it: the walk trusting only the system store passed and the root is in
//   every available store `devcert status` checks (system, NSS browser databases, Java).
// A verdict that could not be judged is never passed. Also the certificates the user issued
// (project file, current directory), each with the command that proves it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "trust/actions.h"
#include "trust/stores.h"
#include "util/process.h"
#include "wss/self_test.h"

namespace devcert::cli {

struct Verdict {
  bool ok = false;
  std::string summary;  // what it says, passed or not
  std::string cause;    // when failed: a cause code of diagnose/causes.h, or "setup_failed"
  std::string message;  // when failed: what is wrong
  std::string fix;      // when failed: one command line
};

struct MachineTrust : Verdict {
  bool required = false;                   // --require-trust
  std::vector<trust::StoreStatus> stores;  // as `devcert status` reads them
};

// A certificate and key found on disk, and the self test run that proves them.
struct IssuedPair {
  std::filesystem::path cert;
  std::filesystem::path key;
  std::string command;
};

struct SelfTestVerdicts {
  Verdict root;
  std::optional<MachineTrust> machine;  // nullopt: the setup failed before any walk
  // Certificates found on disk; nullopt when --cert/--key named the files, or the setup failed.
  std::optional<std::vector<IssuedPair>> issued;
  bool ok() const { return root.ok && (!machine || !machine->required || machine->ok); }
};

// `caroot` holds the root the walks trusted; `require_trust` is --require-trust; the stores are
// read where `env` says, their tools started by `runner`.
SelfTestVerdicts judge_self_test(const wss::SelfTestReport& report, const std::filesystem::path& caroot,
                                 bool require_trust, const trust::StoreEnvironment& env,
                                 process::CommandRunner& runner);

// Certificate and key pairs in `dir` (NAME.pem beside NAME-key.pem, as `devcert issue` names
// them; CA certificates left out) and in the project file's [[cert]] entries whose files exist,
// each once (the project file searched for up to `home`, as `devcert issue` does). A project
// file that does not parse is skipped: the self test is not about it.
std::vector<IssuedPair> find_issued_pairs(const std::filesystem::path& dir, const std::filesystem::path& home);

}  // namespace devcert::cli
