#include "diagnose/frames.h"
#include "fuzz/targets.h"

namespace devcert::fuzz {

// The first bytes are a frame header as a server sends it; the limit is the echo reader's.
void websocket_frame(std::string_view data) {
  constexpr std::uint64_t kMax = 1 << 20;
  if (data.size() >= 2) {
    std::size_t size = 2 + diagnose::extended_length_size(static_cast<unsigned char>(data[1]));
    if (data.size() >= size) {
      std::string_view head = data.substr(0, size);
      try {
        diagnose::FrameHeader h = diagnose::parse_frame_header(head, kMax);
        auto b0 = static_cast<unsigned char>(head[0]);
        // Accepted: within the limit, unmasked, no reserved bits or opcodes, control frames short and whole.
        DEVCERT_FUZZ_CHECK(h.length <= kMax && !h.masked && (b0 & 0x70) == 0);
        auto op = static_cast<unsigned>(h.opcode);
        DEVCERT_FUZZ_CHECK(op <= 2 || (op >= 8 && op <= 10));
        DEVCERT_FUZZ_CHECK(op < 8 || (h.fin && h.length <= 125));
        DEVCERT_FUZZ_CHECK(h.fin == ((b0 & 0x80) != 0));
      } catch (const diagnose::BadFrame& e) {
        DEVCERT_FUZZ_CHECK(*e.what() != '\0');
      }
      // A header of any other size is refused, never read past.
      try {
        (void)diagnose::parse_frame_header(data.substr(0, size - 1), kMax);
        DEVCERT_FUZZ_CHECK(false);
      } catch (const diagnose::BadFrame&) {
      }
    }
  }
  // Any payload is a close reason: a code when there are two bytes, the rest as the reason.
  diagnose::CloseReason close = diagnose::parse_close(data);
  DEVCERT_FUZZ_CHECK(close.code >= 0 && close.code <= 0xffff);
  DEVCERT_FUZZ_CHECK(data.size() < 2 ? close.code == 1005 && close.reason.empty() : close.reason.size() == data.size() - 2);
}

}  // namespace devcert::fuzz
