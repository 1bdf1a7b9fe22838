#include <algorithm>

#include "diagnose/upgrade.h"
#include "fuzz/targets.h"

namespace devcert::fuzz {
namespace {

std::string serialize(const diagnose::HttpResponse& r) {
  std::string status = std::to_string(r.status);
  std::string out = "HTTP/1.1 " + std::string(3 - status.size(), '0') + status;
  if (!r.reason.empty()) out += " " + r.reason;
  out += "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

bool same(const diagnose::HttpResponse& a, const diagnose::HttpResponse& b) {
  return a.status == b.status && a.reason == b.reason && a.headers == b.headers;
}

}  // namespace

void http_response(std::string_view data) {
  std::optional<diagnose::HttpResponse> r = diagnose::parse_http_response(data);
  if (!r) return;
  DEVCERT_FUZZ_CHECK(r->status >= 0 && r->status <= 999);
  DEVCERT_FUZZ_CHECK(data.starts_with("HTTP/1."));
  DEVCERT_FUZZ_CHECK(r->reason.find("\r\n") == std::string::npos);
  for (const auto& [name, value] : r->headers) {
    DEVCERT_FUZZ_CHECK(!name.empty());
    DEVCERT_FUZZ_CHECK(std::none_of(name.begin(), name.end(), [](char c) {
      return c == ':' || (c >= 'A' && c <= 'Z');
    }));
    DEVCERT_FUZZ_CHECK(name.front() != ' ' && name.front() != '\t' && name.back() != ' ' && name.back() != '\t');
    DEVCERT_FUZZ_CHECK(value.find("\r\n") == std::string::npos);
    DEVCERT_FUZZ_CHECK(value.empty() || (value.front() != ' ' && value.back() != ' '));
    DEVCERT_FUZZ_CHECK(r->header(name) == value);
    // Every non-empty comma-separated element of a value is found as a token of it.
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r'))
        token.remove_suffix(1);
      DEVCERT_FUZZ_CHECK(token.empty() || diagnose::header_has_token(value, token));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  // Written out again, the head parses to the same response.
  std::optional<diagnose::HttpResponse> again = diagnose::parse_http_response(serialize(*r));
  DEVCERT_FUZZ_CHECK(again && same(*again, *r));
  // Bytes after the blank line (the first WebSocket frames) never change the head.
  if (size_t end = data.find("\r\n\r\n"); end != std::string_view::npos) {
    std::string with_body = std::string(data.substr(0, end + 4)) + "\x81\x05hello\r\n\r\nX: y\r\n";
    std::optional<diagnose::HttpResponse> head_only = diagnose::parse_http_response(with_body);
    DEVCERT_FUZZ_CHECK(head_only && same(*head_only, *r));
  }
}

}  // namespace devcert::fuzz
