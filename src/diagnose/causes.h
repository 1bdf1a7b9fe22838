// Why a wss:// connection fails, as a closed set of causes: each with what it means, what every
// client prints for it (browsers hide the reason from the page: it only sees close code 1006),
// and the command that fixes it.
#pragma once

#include <string_view>
#include <vector>

namespace devcert::diagnose {

struct ClientMessages {
  std::string_view chrome;
  std::string_view firefox;
  std::string_view node;
  std::string_view python;
};

struct CauseInfo {
  std::string_view code;     // "self_signed"
  std::string_view meaning;  // plain words
  std::string_view fix;      // what to run or change
  ClientMessages clients;
};

// The entry for `code`; "ok" and every cause code of `devcert verify-server URL --json`.
const CauseInfo& cause_info(std::string_view code);

// Every cause code except "ok", in documentation order.
std::vector<std::string_view> cause_codes();

}  // namespace devcert::diagnose
