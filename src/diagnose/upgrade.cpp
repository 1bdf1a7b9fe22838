#include "diagnose/upgrade.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>

#include "error.h"
#include "util/text.h"

namespace devcert::diagnose {
namespace {

std::string base64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string UpgradeRequest::to_string() const {
  std::string req = "GET " + target + " HTTP/1.1\r\n";
  req += "Host: " + host + "\r\n";
  req += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  req += "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n";
  if (!origin.empty()) req += "Origin: " + origin + "\r\n";
  if (!subprotocol.empty()) req += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n";
  req += "User-Agent: devcert-verify-server\r\n\r\n";
  return req;
}

void require_header_value(std::string_view flag, std::string_view value) {
  if (text::is_printable(value)) return;
  throw UsageError(std::string(flag) + " '" + text::printable(value) +
                       "' holds a control character (such as CR or LF) or bytes that are not UTF-8",
                   "give " + std::string(flag) + " as plain text on one line");
}

std::string make_websocket_key() {
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  return base64(raw, sizeof raw);
}

std::string expected_accept(std::string_view key) {
  std::string input = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64(digest, sizeof digest);
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<HttpResponse> parse_http_response(std::string_view head) {
  size_t end = head.find("\r\n\r\n");
  if (end != std::string_view::npos) head = head.substr(0, end + 2);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.1 101 Switching Protocols"
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') return std::nullopt;
  HttpResponse r;
  for (size_t i = 9; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(status_line[i]))) return std::nullopt;
    r.status = r.status * 10 + (status_line[i] - '0');
  }
  if (status_line.size() > 12 && status_line[12] != ' ') return std::nullopt;
  if (status_line.size() > 13) r.reason = std::string(status_line.substr(13));
  if (eol == std::string_view::npos) return r;
  std::string_view rest = head.substr(eol + 2);
  std::string* last_value = nullptr;
  while (!rest.empty()) {
    size_t line_end = rest.find("\r\n");
    std::string_view line = rest.substr(0, line_end);
    rest = line_end == std::string_view::npos ? std::string_view{} : rest.substr(line_end + 2);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      // Obsolete line folding continues the previous value, read as one space (RFC 9112 5.2).
      if (!last_value) return std::nullopt;
      std::string_view more = trim(line);
      if (!more.empty()) *last_value += (last_value->empty() ? "" : " ") + std::string(more);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;  // malformed header line
    std::string name = lower(trim(line.substr(0, colon)));
    if (name.empty()) return std::nullopt;  // ":x", "\r:x"
    std::string value(trim(line.substr(colon + 1)));
    // Repeated headers form one list; empty elements are ignored (RFC 9110 section 5.6.1).
    auto [it, inserted] = r.headers.emplace(name, value);
    if (!inserted && !value.empty()) it->second += (it->second.empty() ? "" : ", ") + value;
    last_value = &it->second;
  }
  return r;
}

bool header_has_token(std::string_view value, std::string_view token) {
  std::string want = lower(token);
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (lower(trim(value.substr(0, comma))) == want) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace devcert::diagnose
