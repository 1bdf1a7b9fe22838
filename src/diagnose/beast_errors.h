// Beast's and Asio's error codes, as the diagnosis names them.
#pragma once

#include <cstdint>
#include <string>

#include <boost/system/error_code.hpp>

namespace devcert::diagnose {

// The largest message the walk reads back: Python's websockets refuses more by default
// (max_size), so a server that sends more fails there too.
inline constexpr std::uint64_t kMaxMessage = 1 << 20;

// The peer reset the connection (TCP RST, or a write into a reset one).
bool is_reset(const boost::system::error_code& ec);
// The peer ended the connection without a word (FIN, or TLS close_notify).
bool is_end_of_stream(const boost::system::error_code& ec);
// A frame Beast refused (a websocket::error other than closed), as what the server sent:
// "a frame with reserved bits set, but no extension was agreed". "" for any other error.
std::string frame_error(const boost::system::error_code& ec);

}  // namespace devcert::diagnose
