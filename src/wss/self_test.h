// `devcert verify-server` without a URL: the whole chain proven end to end on this machine.
// CA -> leaf -> server on loopback -> a client trusting only the devcert root, for every
// loopback name -> a client trusting only the system store.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "wss/client.h"

namespace devcert::wss {

struct SelfTestOptions {
  std::filesystem::path caroot;
  std::string cert_file;  // with key_file: check the user's own certificate instead of minting
  std::string key_file;
  bool require_trust = false;  // the system store must trust the server too
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

struct CheckItem {
  enum class Status { ok, failed, warning, skipped };
  std::string group;  // "setup", "localhost", "127.0.0.1", "::1", "system trust store"
  std::string name;
  Status status = Status::skipped;
  std::string detail;
  std::string fix;  // what to run when it failed or warned
  std::chrono::microseconds elapsed{0};
};

struct SelfTestReport {
  std::vector<CheckItem> items;
  std::vector<std::string> server_log;  // one line per connection the server saw
  bool ok() const;                      // no failed item
};

SelfTestReport run_self_test(const SelfTestOptions& options);

const char* status_name(CheckItem::Status status);

}  // namespace devcert::wss
