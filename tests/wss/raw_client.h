// Hand-made bytes for the hostile-client tests: plain TCP, TLS without a WebSocket library,
// and WebSocket frames built bit by bit (RFC 6455 section 5.2), masked or not.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <string>

#include "wss/asio.h"
#include "wss/tls.h"

namespace devcert::wss::test {

// Reads block at most 10 s, so a server that never closes fails the test instead of hanging it.
inline void set_read_timeout(int fd) {
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

class RawTcp {
 public:
  explicit RawTcp(std::uint16_t port) : socket_(ioc_) {
    socket_.connect({asio::ip::address_v4::loopback(), port});
    set_read_timeout(socket_.native_handle());
  }
  void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // Everything until the server closes (or the read timeout).
  std::string read_all() {
    std::string out;
    char buf[4096];
    error_code ec;
    for (;;) {
      std::size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
    }
    closed_by_peer_ = ec == asio::error::eof || ec == asio::error::connection_reset;
    return out;
  }
  bool closed_by_peer() const { return closed_by_peer_; }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  bool closed_by_peer_ = false;
};

class RawTls {
 public:
  // `sni`: any bytes (but NUL) a hostile client may put in the server_name extension.
  RawTls(std::uint16_t port, const std::string& ca_pem, const std::string& sni = "localhost")
      : ctx_(make_client_context(Trust::only(ca_pem))), stream_(ioc_, ctx_) {
    stream_.next_layer().connect({asio::ip::address_v4::loopback(), port});
    set_read_timeout(stream_.next_layer().native_handle());
    SSL_set_tlsext_host_name(stream_.native_handle(), sni.c_str());
    stream_.handshake(ssl::stream_base::client);
  }
  void send(std::string_view bytes) { asio::write(stream_, asio::buffer(bytes)); }
  std::string read_all() {
    std::string out;
    char buf[4096];
    error_code ec;
    for (;;) {
      std::size_t n = stream_.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
    }
    return out;
  }
  // Answers the server's close_notify with ours, as a browser does: the server's shutdown waits
  // for it (up to its handshake timeout) before the connection's log record is written.
  void close() {
    error_code ec;
    stream_.shutdown(ec);
  }
  // Reads until the end of the HTTP response head.
  std::string read_head() {
    std::string out;
    char c;
    while (out.find("\r\n\r\n") == std::string::npos) {
      error_code ec;
      if (asio::read(stream_, asio::buffer(&c, 1), ec) != 1) break;
      out.push_back(c);
    }
    return out;
  }
  // A hand-written upgrade request; returns the response head.
  std::string upgrade(const std::string& path = "/raw") {
    send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\nOrigin: https://localhost\r\n\r\n");
    return read_head();
  }

 private:
  asio::io_context ioc_;
  ssl::context ctx_;
  ssl::stream<tcp::socket> stream_;
};

enum Opcode : unsigned char { kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA };

// One frame. `declared_length` lets a header claim more payload than follows.
inline std::string frame(unsigned char opcode, std::string_view payload, bool fin = true,
                         bool masked = true, std::uint64_t declared_length = UINT64_MAX) {
  std::uint64_t len = declared_length == UINT64_MAX ? payload.size() : declared_length;
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | opcode));
  unsigned char mask_bit = masked ? 0x80 : 0x00;
  if (len < 126) {
    out.push_back(static_cast<char>(mask_bit | len));
  } else if (len <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(len & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((len >> shift) & 0xFF));
  }
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
  return out;
}

struct ServerFrame {
  unsigned char opcode = 0;
  bool fin = false;
  std::string payload;
};

// Splits the server's (unmasked) frames.
inline std::vector<ServerFrame> parse_frames(std::string_view bytes) {
  std::vector<ServerFrame> frames;
  std::size_t at = 0;
  while (at + 2 <= bytes.size()) {
    ServerFrame f;
    f.fin = (bytes[at] & 0x80) != 0;
    f.opcode = bytes[at] & 0x0F;
    std::uint64_t len = bytes[at + 1] & 0x7F;
    at += 2;
    if (len == 126) {
      len = (static_cast<unsigned char>(bytes[at]) << 8) | static_cast<unsigned char>(bytes[at + 1]);
      at += 2;
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(bytes[at + i]);
      at += 8;
    }
    if (at + len > bytes.size()) break;
    f.payload = std::string(bytes.substr(at, len));
    at += len;
    frames.push_back(std::move(f));
  }
  return frames;
}

// The close code of the server's close frame, -1 when it sent none.
inline int close_code(const std::vector<ServerFrame>& frames) {
  for (const auto& f : frames)
    if (f.opcode == kClose && f.payload.size() >= 2)
      return (static_cast<unsigned char>(f.payload[0]) << 8) | static_cast<unsigned char>(f.payload[1]);
  return -1;
}

}  // namespace devcert::wss::test
