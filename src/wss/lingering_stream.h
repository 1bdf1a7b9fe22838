// A tcp_stream whose WebSocket teardown reads the peer's remaining bytes before closing.
//
// Closing a socket with unread input sends a TCP reset, and a reset makes the client's kernel
// drop what it has not read yet: the close frame (1009, 1002, ...) that says why the server
// hung up. Beast 1.81's own teardown reads only once before closing (its loop never records
// the byte count), so a client still sending a 5 MiB message saw 1006 instead of 1009. This
// type's teardown, found by argument-dependent lookup ahead of Beast's (an exact match beats
// the base class), shuts the sending side, then discards input until EOF, a byte budget or
// a deadline, and only then closes.
#pragma once

#include <array>
#include <chrono>
#include <memory>

#include <boost/asio/compose.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/role.hpp>

namespace devcert::wss {

class LingeringTcpStream : public boost::beast::tcp_stream {
 public:
  using boost::beast::tcp_stream::tcp_stream;
};

namespace detail {

struct LingerOp {
  explicit LingerOp(LingeringTcpStream& s) : stream(s) {}

  LingeringTcpStream& stream;
  std::shared_ptr<std::array<char, 16384>> sink = std::make_shared<std::array<char, 16384>>();
  std::size_t drained = 0;
  bool started = false;
  boost::system::error_code ignored;  // a member: GCC 12 warns about a local here (false positive)

  // At most this much unread input is discarded: a little over the largest message allowed.
  static constexpr std::size_t kBudget = 64u << 20;

  template <class Self>
  void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
    if (!started) {
      started = true;
      stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
      stream.expires_after(std::chrono::seconds(2));
    } else {
      drained += n;
      if (ec || drained > kBudget) {
        stream.socket().close(ignored);
        self.complete({});
        return;
      }
    }
    stream.async_read_some(boost::asio::buffer(*sink), std::move(self));
  }
};

// The TLS layer's teardown: a close_notify exchange bounded by a deadline, then the TCP
// teardown above. It always reports success: Beast delivers the teardown's error in place of
// the reason it failed the connection, so a client that never answered close_notify turned
// "close 1009" into a bare TLS error in the server log.
struct TlsLingerOp {
  explicit TlsLingerOp(boost::asio::ssl::stream<LingeringTcpStream>& s, boost::beast::role_type r)
      : stream(s), role(r) {}

  boost::asio::ssl::stream<LingeringTcpStream>& stream;
  boost::beast::role_type role;
  int step = 0;

  template <class Self>
  void operator()(Self& self, boost::system::error_code = {}) {
    switch (step++) {
      case 0:
        stream.next_layer().expires_after(std::chrono::seconds(2));
        stream.async_shutdown(std::move(self));
        return;
      case 1:
        async_teardown(role, stream.next_layer(), std::move(self));
        return;
      default:
        self.complete({});
    }
  }
};

}  // namespace detail

template <class TeardownHandler>
auto async_teardown(boost::beast::role_type, LingeringTcpStream& stream, TeardownHandler&& handler) {
  return boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
      detail::LingerOp{stream}, handler, stream);
}

inline void teardown(boost::beast::role_type, LingeringTcpStream& stream,
                     boost::system::error_code& ec) {
  stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ec);
  stream.socket().close(ec);
}

template <class TeardownHandler>
auto async_teardown(boost::beast::role_type role,
                    boost::asio::ssl::stream<LingeringTcpStream>& stream,
                    TeardownHandler&& handler) {
  return boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
      detail::TlsLingerOp{stream, role}, handler, stream);
}

}  // namespace devcert::wss
