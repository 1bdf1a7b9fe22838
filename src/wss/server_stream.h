// The echo server's TLS layer: asio's ssl::stream over a LingeringTcpStream, shaped for a server
// that answers every WebSocket message (devcert's clients keep beast::ssl_stream).
//
// Three differences from beast::ssl_stream, each measured in bench/README.md:
// - A scattered write (a WebSocket frame header and its payload, an HTTP header and its body) is
//   copied into one buffer of up to 17 KiB before it reaches OpenSSL. beast::flat_stream gathers
//   only sequences that fit 16 KiB, so a 16 KiB echo went out as a 4-byte record, then a 16 KiB
//   one, and a client on asio's defaults freed and re-allocated a 17 KiB buffer for the 4 bytes.
// - SSL_write writes the whole buffer before the write completes (partial writes off): asio
//   flushes after each SSL_write call, so with partial writes that 16 KiB echo took two sendmsg
//   calls; now both of its records (16 KiB + 4 bytes) leave in one.
// - OpenSSL keeps its two record buffers (about 17 KiB each) for the connection's lifetime.
//   Asio sets SSL_MODE_RELEASE_BUFFERS, which frees them whenever they run empty, that is, after
//   every message of an echo, and allocates (and page-faults) them again for the next one.
// The price is memory: about 50 KiB more per open connection, about 25 MB under the 500-client
// soak test.
#pragma once

#include <openssl/ssl.h>

#include <iterator>
#include <memory>
#include <utility>

#include "wss/asio.h"

namespace devcert::wss {

class ServerTlsStream : public ssl::stream_base {
 public:
  using next_layer_type = LingeringTcpStream;
  using executor_type = LingeringTcpStream::executor_type;
  using native_handle_type = SSL*;

  ServerTlsStream(tcp::socket&& socket, ssl::context& ctx) : tls_(std::move(socket), ctx) {
    SSL_clear_mode(tls_.native_handle(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE);
  }

  executor_type get_executor() noexcept { return tls_.get_executor(); }
  SSL* native_handle() noexcept { return tls_.native_handle(); }
  next_layer_type& next_layer() noexcept { return tls_.next_layer(); }
  const next_layer_type& next_layer() const noexcept { return tls_.next_layer(); }
  ssl::stream<LingeringTcpStream>& tls() noexcept { return tls_; }

  template <class Token>
  auto async_handshake(handshake_type type, Token&& token) {
    return tls_.async_handshake(type, std::forward<Token>(token));
  }

  template <class Token>
  auto async_shutdown(Token&& token) {
    return tls_.async_shutdown(std::forward<Token>(token));
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return tls_.async_read_some(buffers, std::forward<Token>(token));
  }

  // Beast and the HTTP writer never start a write before the previous one completed, so one
  // gather buffer per connection is enough.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return tls_.async_write_some(gather(buffers), std::forward<Token>(token));
  }

 private:
  // TLS's largest record payload (RFC 8446 section 5.1).
  static constexpr std::size_t kRecord = 16384;
  // Asio moves encrypted bytes through a 17 KiB BIO pair and flushes at most that much per
  // write: a gathered buffer of this size leaves room for two records' overhead (29 bytes
  // each at most, TLS 1.2 AES-GCM), so it leaves in one sendmsg.
  static constexpr std::size_t kGather = 17 * 1024 - 64;

  // The buffer to hand to SSL_write: a single or large first buffer as it is, else as much of
  // the sequence as fits kGather, copied.
  template <class ConstBuffers>
  asio::const_buffer gather(const ConstBuffers& buffers) {
    auto first = asio::buffer_sequence_begin(buffers);
    auto last = asio::buffer_sequence_end(buffers);
    if (first == last) return {};
    asio::const_buffer head = *first;
    if (std::next(first) == last || head.size() >= kRecord) return head;
    if (!gathered_) gathered_ = std::make_unique_for_overwrite<char[]>(kGather);
    return asio::buffer(gathered_.get(),
                        asio::buffer_copy(asio::buffer(gathered_.get(), kGather), buffers));
  }

  ssl::stream<LingeringTcpStream> tls_;
  std::unique_ptr<char[]> gathered_;
};

using ServerWsStream = websocket::stream<ServerTlsStream>;

// Beast's WebSocket close ends with the TLS layer's teardown: the lingering one in
// lingering_stream.h.
template <class TeardownHandler>
auto async_teardown(beast::role_type role, ServerTlsStream& stream, TeardownHandler&& handler) {
  return async_teardown(role, stream.tls(), std::forward<TeardownHandler>(handler));
}

inline void teardown(beast::role_type role, ServerTlsStream& stream, error_code& ec) {
  using beast::websocket::teardown;
  teardown(role, stream.tls(), ec);
}

}  // namespace devcert::wss
