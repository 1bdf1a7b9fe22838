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

std::size_t extended_length_size(unsigned char second_byte) {
  std::uint8_t len = second_byte & 0x7f;
  return len == 126 ? 2 : len == 127 ? 8 : 0;
}

FrameHeader parse_frame_header(std::string_view head, std::uint64_t max) {
  if (head.size() < 2) throw BadFrame("a frame shorter than its header");
  auto b0 = static_cast<unsigned char>(head[0]);
  auto b1 = static_cast<unsigned char>(head[1]);
  if (head.size() != 2 + extended_length_size(b1)) throw BadFrame("a frame header of the wrong size");
  FrameHeader h;
  h.fin = b0 & 0x80;
  h.opcode = static_cast<Opcode>(b0 & 0x0f);
  h.masked = b1 & 0x80;
  if (b0 & 0x70) throw BadFrame("a frame with reserved bits set (no extension was negotiated)");
  std::uint8_t op = b0 & 0x0f;
  if ((op >= 3 && op <= 7) || op >= 11) throw BadFrame("a frame with the reserved opcode " + std::to_string(op));
  if (h.masked) throw BadFrame("a masked frame (servers must not mask, RFC 6455 5.1)");
  h.length = b1 & 0x7f;
  if (h.length >= 126) {
    h.length = 0;
    for (char c : head.substr(2)) h.length = (h.length << 8) | static_cast<unsigned char>(c);
  }
  if (h.length >> 63) throw BadFrame("a frame length of " + std::to_string(h.length) + " bytes (the top bit must be 0)");
  if (op >= 8 && (!h.fin || h.length > 125))
    throw BadFrame("a control frame that is fragmented or longer than 125 bytes");
  if (h.length > max)
    throw BadFrame("a frame of " + std::to_string(h.length) + " bytes, over the " + std::to_string(max) +
                   "-byte limit");
  return h;
}

std::optional<Frame> read_frame(Connection& conn, std::uint64_t max) {
  auto head = conn.read_exact(2);
  if (!head) return std::nullopt;
  if (size_t more = extended_length_size(static_cast<unsigned char>((*head)[1]))) {
    auto ext = conn.read_exact(more);
    if (!ext) return std::nullopt;
    *head += *ext;
  }
  FrameHeader h = parse_frame_header(*head, max);
  auto payload = conn.read_exact(static_cast<size_t>(h.length));
  if (!payload) return std::nullopt;
  return Frame{h.fin, h.opcode, std::move(*payload)};
}

CloseReason parse_close(std::string_view payload) {
  CloseReason r;
  if (payload.size() < 2) return r;
  r.code = static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1]);
  r.reason = std::string(payload.substr(2));
  return r;
}

}  // namespace devcert::diagnose
