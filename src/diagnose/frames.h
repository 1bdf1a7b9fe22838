// The few WebSocket frames (RFC 6455 section 5) the diagnosis sends and reads.
#pragma once

#include <cstdint>
#include <optional>
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
  bool masked = false;  // servers must not mask
  std::string payload;
};

// One frame, payloads above `max` refused (nullopt, as on EOF or timeout).
std::optional<Frame> read_frame(Connection& conn, std::size_t max);

}  // namespace devcert::diagnose
