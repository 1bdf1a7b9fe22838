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
  // Bytes that are not an HTTP/1.x response are called so; a head that is, by its status line.
  if (data.empty()) DEVCERT_FUZZ_CHECK(said == "the server sent nothing");
  else if (!diagnose::starts_like_http(data)) DEVCERT_FUZZ_CHECK(said.starts_with("the answer to the upgrade request is not HTTP"));
  else DEVCERT_FUZZ_CHECK(said.find("'HTTP/1.") != std::string::npos);
}

}  // namespace devcert::fuzz
