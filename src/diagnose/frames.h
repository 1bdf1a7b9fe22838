// The few WebSocket frames (RFC 6455 section 5) the diagnosis sends and reads.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "diagnose/transport.h"

namespace devcert::diagnose {

enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// A client frame: FIN set, masked with a random key as clients must.
std::string encode_client_frame(Opcode op, std::string_view payload);

struct Frame {
  bool fin = true;
  Opcode opcode = Opcode::text;
  std::string payload;
};

// A frame every client fails the connection on (RFC 6455 5.2, 5.5): reserved bits or opcodes,
// a masked server frame, a fragmented or long control frame, a length with the top bit set, or
// a payload over the reader's limit. what() says which.
struct BadFrame : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The header fields of a frame, from its first two bytes and its extended length. Throws
// BadFrame as above; never reads past `head`. `max` bounds the payload length.
struct FrameHeader {
  bool fin = true;
  Opcode opcode = Opcode::text;
  bool masked = false;
  std::uint64_t length = 0;
};
// How many bytes of extended length follow the first two bytes (0, 2 or 8).
std::size_t extended_length_size(unsigned char second_byte);
FrameHeader parse_frame_header(std::string_view head, std::uint64_t max);

// One frame, or nullopt when the connection ended first (conn.end() says how). Throws BadFrame.
std::optional<Frame> read_frame(Connection& conn, std::uint64_t max);

// The status code and reason of a close frame's payload (RFC 6455 5.5.1); code 1005 when the
// payload is empty.
struct CloseReason {
  int code = 1005;
  std::string reason;
};
CloseReason parse_close(std::string_view payload);

}  // namespace devcert::diagnose
