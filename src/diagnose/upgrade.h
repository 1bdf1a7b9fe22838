// The HTTP/1.1 WebSocket upgrade (RFC 6455 section 4), written and parsed by hand so that every
// way a server can get it wrong is visible (a library would only say "handshake failed").
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace devcert::diagnose {

struct UpgradeRequest {
  std::string target = "/";
  std::string host;    // Host header value
  std::string origin;  // "" = none
  std::string subprotocol;
  std::string key;  // Sec-WebSocket-Key (base64 of 16 random bytes)
  std::string to_string() const;
};

// Throws UsageError when `value` (given as `flag`) cannot go into a request header as it is: a
// CR or LF would end the header and smuggle in another, and other controls are not field content
// (RFC 9110 5.5).
void require_header_value(std::string_view flag, std::string_view value);

// The largest response head read (Node's http parser refuses heads over 16 KiB, HPE_HEADER_OVERFLOW).
inline constexpr std::size_t kMaxResponseHead = 16 * 1024;

// A random Sec-WebSocket-Key.
std::string make_websocket_key();

// base64(SHA-1(key + RFC 6455 GUID)): the Sec-WebSocket-Accept a correct server sends.
std::string expected_accept(std::string_view key);

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // names lowercased; repeated headers joined by ", "
  std::optional<std::string> header(std::string_view name) const;
};

// Parses a response head (through the blank line; anything after it is ignored). nullopt when
// it is not an HTTP/1.x response. Never throws; safe on any bytes (fuzzed).
std::optional<HttpResponse> parse_http_response(std::string_view head);

// True when a comma-separated header value contains `token` (case-insensitive).
bool header_has_token(std::string_view value, std::string_view token);

}  // namespace devcert::diagnose
