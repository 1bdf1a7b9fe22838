#include "util/text.h"

namespace devcert::text {

namespace {

// Length of the well-formed, printable UTF-8 sequence at the start of `s`, or 0 when its first
// byte must be escaped (RFC 3629 table 3-7: no overlongs, no surrogates, nothing past U+10FFFF).
size_t printable_length(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x20 || c == 0x7f) return 0;
  if (c < 0x80) return 1;
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return i < s.size() && b(i) >= lo && b(i) <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) {
    // U+0080..U+009F (C2 80..C2 9F) are the C1 controls.
    if (c == 0xc2 && cont(1, 0x80, 0x9f)) return 0;
    if (c == 0xd8 && cont(1, 0x9c, 0x9c)) return 0;  // U+061C ARABIC LETTER MARK
    return cont(1) ? 2 : 0;
  }
  // The bidirectional controls (U+200E/F, U+202A..U+202E, U+2066..U+2069) reorder what follows
  // them on screen: "Trojan Source" text that reads as one name and is another.
  if (c == 0xe2 && s.size() >= 3 &&
      ((b(1) == 0x80 && (b(2) == 0x8e || b(2) == 0x8f || (b(2) >= 0xaa && b(2) <= 0xae))) ||
       (b(1) == 0x81 && b(2) >= 0xa6 && b(2) <= 0xa9)))
    return 0;
  if (c == 0xe0) return cont(1, 0xa0, 0xbf) && cont(2) ? 3 : 0;
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xf0) return cont(1, 0x90, 0xbf) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

std::string printable(std::string_view in) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (size_t n = printable_length(in)) {
      out.append(in.substr(0, n));
      in.remove_prefix(n);
    } else {
      auto c = static_cast<unsigned char>(in.front());
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      in.remove_prefix(1);
    }
  }
  return out;
}

std::string printable_lines(std::string_view in) {
  std::string out;
  for (size_t start = 0;;) {
    size_t end = in.find('\n', start);
    out += printable(in.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    out += '\n';
    start = end + 1;
  }
}

bool is_printable(std::string_view in) {
  while (!in.empty()) {
    size_t n = printable_length(in);
    if (n == 0) return false;
    in.remove_prefix(n);
  }
  return true;
}

std::string url_host(std::string_view host) {
  return host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
}

std::string host_port(std::string_view host, std::uint16_t port) {
  return url_host(host) + ":" + std::to_string(port);
}

}  // namespace devcert::text
