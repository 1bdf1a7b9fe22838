#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "diagnose/beast_errors.h"
#include "fuzz/targets.h"

namespace devcert::fuzz {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// The bytes are what a server sends after the upgrade, read by a client-role Beast WebSocket
// set up as the walk sets it up (1 MiB message limit); a frame it refuses must have words.
void websocket_frame(std::string_view data) {
  asio::io_context ioc;
  websocket::stream<beast::test::stream> client(ioc);
  beast::test::stream server_end(ioc);
  client.next_layer().connect(server_end);
  websocket::stream<beast::test::stream&> server(server_end);
  client.read_message_max(diagnose::kMaxMessage);
  boost::system::error_code handshake_ec, accept_ec;
  client.async_handshake("localhost", "/", [&](boost::system::error_code ec) { handshake_ec = ec; });
  server.async_accept([&](boost::system::error_code ec) {
    accept_ec = ec;
    if (ec) return;
    asio::write(server_end, asio::buffer(data.data(), data.size()), ec);
    server_end.close();
  });
  ioc.run();
  DEVCERT_FUZZ_CHECK(!handshake_ec && !accept_ec);
  ioc.restart();
  for (int messages = 0; messages < 64; ++messages) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    client.async_read(buffer, [&](boost::system::error_code e, std::size_t) { ec = e; });
    ioc.run();
    ioc.restart();
    if (!ec) {
      DEVCERT_FUZZ_CHECK(buffer.size() <= diagnose::kMaxMessage);
      continue;
    }
    bool ended = ec == websocket::error::closed || diagnose::is_end_of_stream(ec) || ec == asio::error::operation_aborted;
    DEVCERT_FUZZ_CHECK(ended || !diagnose::frame_error(ec).empty());
    break;
  }
}

}  // namespace devcert::fuzz
