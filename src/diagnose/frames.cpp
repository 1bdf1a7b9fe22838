#include "diagnose/frames.h"

#include <openssl/rand.h>

namespace devcert::diagnose {

std::string encode_client_frame(Opcode op, std::string_view payload) {
  std::string out;
  out += static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
  size_t len = payload.size();
  if (len < 126) {
    out += static_cast<char>(0x80 | len);
  } else if (len <= 0xffff) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(len >> 8);
    out += static_cast<char>(len & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((static_cast<std::uint64_t>(len) >> (8 * i)) & 0xff);
  }
  unsigned char mask[4];
  RAND_bytes(mask, sizeof mask);
  out.append(reinterpret_cast<char*>(mask), 4);
  for (size_t i = 0; i < len; ++i) out += static_cast<char>(payload[i] ^ mask[i % 4]);
  return out;
}

std::optional<Frame> read_frame(Connection& conn, std::size_t max) {
  auto head = conn.read_exact(2);
  if (!head) return std::nullopt;
  Frame f;
  auto b0 = static_cast<unsigned char>((*head)[0]);
  auto b1 = static_cast<unsigned char>((*head)[1]);
  f.fin = b0 & 0x80;
  f.opcode = static_cast<Opcode>(b0 & 0x0f);
  f.masked = b1 & 0x80;
  std::uint64_t len = b1 & 0x7f;
  if (len >= 126) {
    auto ext = conn.read_exact(len == 126 ? 2 : 8);
    if (!ext) return std::nullopt;
    len = 0;
    for (char c : *ext) len = (len << 8) | static_cast<unsigned char>(c);
  }
  if (len > max) return std::nullopt;
  std::string mask;
  if (f.masked) {
    auto m = conn.read_exact(4);
    if (!m) return std::nullopt;
    mask = *m;
  }
  auto payload = conn.read_exact(static_cast<size_t>(len));
  if (!payload) return std::nullopt;
  if (f.masked)
    for (size_t i = 0; i < payload->size(); ++i) (*payload)[i] = static_cast<char>((*payload)[i] ^ mask[i % 4]);
  f.payload = std::move(*payload);
  return f;
}

}  // namespace devcert::diagnose
