#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "diagnose/raw_reply.h"
#include "fuzz/targets.h"

namespace devcert::fuzz {

namespace http = boost::beast::http;

// The answer to the upgrade request as the walk reads it: Beast's response parser with the
// limits the WebSocket handshake uses, and, when it refuses, the raw-bytes description.
void http_response(std::string_view data) {
  http::response_parser<http::empty_body> parser;
  parser.eager(false);
  parser.header_limit(8 * 1024);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data.data(), data.size()), ec);
  if (!ec && parser.is_header_done()) {
    // Whatever Beast accepts as a response head begins as one, with a three-digit status.
    DEVCERT_FUZZ_CHECK(data.starts_with("HTTP/"));
    DEVCERT_FUZZ_CHECK(parser.get().result_int() <= 999);
    if (parser.get().version() == 10 || parser.get().version() == 11) DEVCERT_FUZZ_CHECK(diagnose::starts_like_http(data));
  }
  std::string said = diagnose::describe_refused_reply(data);
  DEVCERT_FUZZ_CHECK(!said.empty());
  // At most two quotes of 60 bytes each, whatever the size of the input.
  DEVCERT_FUZZ_CHECK(said.size() <= 2 * 60 + 160);
  DEVCERT_FUZZ_CHECK(diagnose::starts_like_http(data) == data.starts_with("HTTP/1.") && data.size() > 8 &&
                     (data[7] == '0' || data[7] == '1'));
}

}  // namespace devcert::fuzz
