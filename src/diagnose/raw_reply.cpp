#include "diagnose/raw_reply.h"

#include <algorithm>

namespace devcert::diagnose {
namespace {

constexpr std::size_t kQuote = 60;  // enough to recognise a banner or a header by eye

std::string quote(std::string_view s) { return "'" + std::string(s.substr(0, kQuote)) + "'"; }

// A byte no HTTP field line holds (RFC 9110 5.5): controls other than tab, and DEL.
bool is_bad_field_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7f;
}

}  // namespace

bool starts_like_http(std::string_view bytes) {
  return bytes.starts_with("HTTP/1.") && bytes.size() > 8 && (bytes[7] == '0' || bytes[7] == '1');
}

std::string describe_refused_reply(std::string_view bytes) {
  if (bytes.empty()) return "the server sent nothing";
  if (!starts_like_http(bytes)) return "the answer to the upgrade request is not HTTP: " + quote(bytes);
  std::size_t end = bytes.find("\r\n\r\n");
  std::string_view head = bytes.substr(0, end == std::string_view::npos ? bytes.size() : end);
  std::size_t eol = head.find("\r\n");
  std::string_view status = head.substr(0, eol);
  // The first line that holds a byte no HTTP head may hold: the one the parser stopped at.
  for (std::size_t at = 0; at < head.size();) {
    std::size_t next = head.find("\r\n", at);
    std::string_view line = head.substr(at, next == std::string_view::npos ? head.size() - at : next - at);
    if (std::any_of(line.begin(), line.end(), is_bad_field_byte) ||
        (at > 0 && line.find(':') == std::string_view::npos))
      return (at == 0 ? "the status line " + quote(line) : "the response " + quote(status) + " has a broken header line " + quote(line)) +
             " (a control character, or no colon)";
    if (next == std::string_view::npos) break;
    at = next + 2;
  }
  return "the response head " + quote(status) + " is not valid HTTP/1.1";
}

}  // namespace devcert::diagnose
