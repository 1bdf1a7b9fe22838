// Blocking sockets with deadlines, optionally under TLS: the raw pieces the diagnosis walks
// through one at a time.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ossl/handles.h"

namespace devcert::diagnose {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "127.0.0.1" / "::1"
  bool ipv6 = false;
};

// Every address of `host` (in the resolver's order, the one clients use), or the resolver's
// error text.
struct Resolution {
  std::vector<Address> addresses;
  std::string error;
};
Resolution resolve(const std::string& host, std::uint16_t port);

enum class DialOutcome { connected, refused, timeout, unreachable, error };
struct Dial {
  DialOutcome outcome = DialOutcome::error;
  int fd = -1;
  std::string detail;
};
Dial dial(const Address& address, std::chrono::milliseconds timeout);

// A connected socket, TLS once start_tls succeeded. Reads and writes time out after `timeout`.
class Connection {
 public:
  Connection(int fd, std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A client handshake that accepts any certificate and any version down to TLS 1.0, so the
  // diagnosis can judge what the server offers instead of only seeing "handshake failed".
  // Returns "" on success or OpenSSL's reason.
  std::string start_tls(const std::string& sni, bool send_sni);
  SSL* ssl() const { return ssl_.get(); }

  void set_timeout(std::chrono::milliseconds timeout);
  bool write_all(std::string_view data);
  // Up to `n` bytes; 0 on orderly close; -1 on timeout or error.
  long read_some(char* buf, size_t n);
  // Exactly `n` bytes or nullopt.
  std::optional<std::string> read_exact(size_t n);
  // Through `delim` (included), at most `max` bytes; what was read when it stops early.
  std::string read_until(std::string_view delim, size_t max);
  bool timed_out() const { return timed_out_; }

 private:
  int fd_;
  ossl::SslCtx ctx_;
  ossl::Ssl ssl_;
  bool timed_out_ = false;
};

}  // namespace devcert::diagnose
