// The endpoint to diagnose, from a wss://, ws:// or https:// URL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace devcert::diagnose {

struct Endpoint {
  std::string scheme;  // "wss", "ws" or "https"
  std::string host;    // without brackets; lowercase
  std::uint16_t port = 0;
  std::string path;  // with query, "/" at least
  bool host_is_ip = false;
  bool tls() const { return scheme != "ws"; }
  std::string authority() const;  // "host:port" / "[::1]:port", port omitted when default
  std::string url() const;
};

// Throws UsageError saying what is wrong with the URL.
Endpoint parse_url(std::string_view text);

// Throws UsageError when `value` (given as `flag`) cannot go into a request header as it is: a
// CR or LF would end the header and smuggle in another, and other controls are not field content
// (RFC 9110 5.5).
void require_header_value(std::string_view flag, std::string_view value);

}  // namespace devcert::diagnose
