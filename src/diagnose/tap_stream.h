// The byte stream under the diagnosis's WebSocket: the TCP connection, or TLS over it, chosen
// at run time (ws:// or wss://), so that one Beast WebSocket stream type serves both.
//
// It also keeps a copy of the first bytes the server sends after recording starts. This is the
// one place the diagnosis looks at raw bytes: when Beast's HTTP parser refuses the answer to the
// upgrade request, only those bytes can say what the server sent instead (an SSH banner, a
// response with a control character in a header, a TLS alert), and the user needs to see them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

namespace devcert::diagnose {

namespace asio = boost::asio;
namespace beast = boost::beast;
using error_code = boost::system::error_code;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

class TapStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;

  // `tls` null: plain TCP (ws://). The streams outlive this one.
  TapStream(beast::tcp_stream& tcp, TlsStream* tls) : tcp_(tcp), tls_(tls) {}

  executor_type get_executor() { return tcp_.get_executor(); }
  beast::tcp_stream& tcp() { return tcp_; }

  // Keep a copy of the next `limit` bytes read.
  void record(std::size_t limit) {
    recorded_.clear();
    limit_ = limit;
  }
  void stop_recording() { limit_ = 0; }
  std::string_view recorded() const { return recorded_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          auto keep = [this, b, h = std::move(handler)](error_code ec, std::size_t n) mutable {
            keep_copy(b, n);
            std::move(h)(ec, n);
          };
          if (tls_) tls_->async_read_some(b, std::move(keep));
          else tcp_.async_read_some(b, std::move(keep));
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_) tls_->async_write_some(b, std::move(handler));
          else tcp_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

  // Beast's customization points: how a WebSocket stream over this one closes it. After the
  // close frames (or Beast failing the connection on a bad frame) the socket just closes: the walk
  // judges what the server said, and waiting for its TLS close_notify or FIN would let a server
  // that keeps streaming, or goes silent, replace that finding with an SSL error or a timeout.
  friend void beast_close_socket(TapStream& s) { s.tcp_.close(); }
  template <class Handler>
  friend void async_teardown(beast::role_type, TapStream& s, Handler&& handler) {
    s.tcp_.close();
    asio::post(s.tcp_.get_executor(), [h = std::forward<Handler>(handler)]() mutable { std::move(h)(error_code{}); });
  }
  friend void teardown(beast::role_type, TapStream& s, error_code& ec) {
    s.tcp_.close();
    ec = {};
  }

 private:
  template <class MutableBuffers>
  void keep_copy(const MutableBuffers& buffers, std::size_t n) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers) && n > 0; ++it) {
      asio::const_buffer b(*it);
      std::size_t take = std::min(n, b.size());
      std::size_t room = recorded_.size() < limit_ ? limit_ - recorded_.size() : 0;
      recorded_.append(static_cast<const char*>(b.data()), std::min(take, room));
      n -= take;
    }
  }

  beast::tcp_stream& tcp_;
  TlsStream* tls_;
  std::string recorded_;
  std::size_t limit_ = 0;
};

}  // namespace devcert::diagnose
