#include <algorithm>

#include "diagnose/url.h"
#include "error.h"
#include "fuzz/targets.h"
#include "util/text.h"

namespace devcert::fuzz {

void url(std::string_view data) {
  diagnose::Endpoint ep;
  try {
    ep = diagnose::parse_url(data);
  } catch (const UsageError&) {
    return;
  }
  DEVCERT_FUZZ_CHECK(ep.scheme == "wss" || ep.scheme == "ws" || ep.scheme == "https");
  DEVCERT_FUZZ_CHECK(ep.tls() == (ep.scheme != "ws"));
  DEVCERT_FUZZ_CHECK(!ep.host.empty() && ep.port != 0);
  DEVCERT_FUZZ_CHECK(std::none_of(ep.host.begin(), ep.host.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || c == '/' || c == '?' || c == '#' || c == '@';
  }));
  DEVCERT_FUZZ_CHECK(ep.path.starts_with("/") && ep.path.find('#') == std::string::npos);
  // Nothing that could end the request line or the Host header, or drive a terminal, gets through.
  DEVCERT_FUZZ_CHECK(text::is_printable(ep.url()) && ep.url().find(' ') == std::string::npos);
  // The URL devcert prints for the endpoint names the same endpoint.
  diagnose::Endpoint again;
  try {
    again = diagnose::parse_url(ep.url());
  } catch (const UsageError& e) {
    throw InvariantViolation(ep.url() + " (printed for " + std::string(data) + ") is refused: " + e.what());
  }
  DEVCERT_FUZZ_CHECK(again.scheme == ep.scheme && again.host == ep.host && again.port == ep.port &&
                     again.path == ep.path && again.host_is_ip == ep.host_is_ip);
  DEVCERT_FUZZ_CHECK(again.url() == ep.url());
}

}  // namespace devcert::fuzz
