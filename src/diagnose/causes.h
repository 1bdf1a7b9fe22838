// Why a wss:// connection fails, as a closed set of causes: each with what it means, what every
// client prints for it (browsers hide the reason from the page: it only sees close code 1006),
// and the command that fixes it.
#pragma once

#include <string_view>
#include <vector>

namespace devcert::diagnose {

// What each client prints, as tests/diagnose/client_strings_test.cpp sees the real client print
// it against a server with that fault (Debian 12's clients). Text is verbatim, "..." standing for
// what varies (a host, a port, an address) and " | " between two things the client may print
// (which one depends on timing), except a note: parenthesised text with a space in it, on where
// to look or what happens, not printed. Browsers: the error of opening the https:// address, or
// for the WebSocket's own causes the console's message (a page's script only sees close code
// 1006). curl: `curl https://HOST:PORT/PATH` (Debian's curl speaks no wss://), with the
// WebSocket upgrade headers for the WebSocket's own causes.
struct ClientMessages {
  std::string_view chrome;
  std::string_view firefox;
  std::string_view node;
  std::string_view python;
  std::string_view curl;
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
