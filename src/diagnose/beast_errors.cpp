#include "diagnose/beast_errors.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace devcert::diagnose {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

bool is_reset(const boost::system::error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

bool is_end_of_stream(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == boost::beast::http::error::end_of_stream ||
         ec == asio::ssl::error::stream_truncated;
}

// RFC 6455 5.2 and 5.5: every client fails the connection on these.
std::string frame_error(const boost::system::error_code& ec) {
  using websocket::error;
  if (ec.category() != websocket::make_error_code(error::closed).category() || ec == error::closed) return "";
  if (ec == error::message_too_big)
    return "a message over the " + std::to_string(kMaxMessage >> 20) +
           " MiB devcert reads (Python's websockets refuses it too: close 1009)";
  if (ec == error::bad_reserved_bits) return "a frame with reserved bits set, but no extension was agreed";
  if (ec == error::bad_opcode) return "a frame with a reserved opcode";
  if (ec == error::bad_masked_frame) return "a masked frame (servers must not mask)";
  if (ec == error::bad_size) return "a frame length that is not in its shortest form";
  if (ec == error::bad_control_fragment || ec == error::bad_control_size) return "a fragmented or long control frame";
  if (ec == error::bad_continuation) return "a continuation frame outside a message";
  if (ec == error::bad_data_frame) return "a new message inside a fragmented one";
  if (ec == error::bad_frame_payload) return "a text message that is not UTF-8";
  if (ec == error::bad_close_code || ec == error::bad_close_size || ec == error::bad_close_payload)
    return "a malformed close frame (" + ec.message() + ")";
  return "a frame Beast refuses (" + ec.message() + ")";
}

}  // namespace devcert::diagnose
