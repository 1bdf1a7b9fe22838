// Non-blocking sockets with one deadline per stage, optionally under TLS: the raw pieces the
// diagnosis walks through one at a time. Every wait is a poll() bounded by the deadline, so a
// server that dribbles a byte at a time cannot stretch a stage past it.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ossl/handles.h"

namespace devcert::diagnose {

using Clock = std::chrono::steady_clock;

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "127.0.0.1" / "::1"
  bool ipv6 = false;
};

// Every address of `host` (in the resolver's order, the one clients use), or the resolver's
// error text; `timed_out` when the resolver had not answered by `deadline`.
struct Resolution {
  std::vector<Address> addresses;
  std::string error;
  bool timed_out = false;
};
Resolution resolve(const std::string& host, std::uint16_t port, Clock::time_point deadline);

enum class DialOutcome { connected, refused, timeout, unreachable, error };
struct Dial {
  DialOutcome outcome = DialOutcome::error;
  int fd = -1;  // non-blocking
  std::string detail;
};
Dial dial(const Address& address, Clock::time_point deadline);

// Why the last read or write of a Connection stopped.
enum class IoEnd {
  none,     // it did not
  closed,   // the peer closed (FIN or TLS close_notify)
  timeout,  // the deadline passed
  reset,    // ECONNRESET / EPIPE: the peer reset the connection
  failed,   // any other socket or TLS error (detail() says which)
};

// A connected socket, TLS once start_tls succeeded. No read or write outlives the deadline.
class Connection {
 public:
  Connection(int fd, Clock::time_point deadline);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A client handshake that accepts any certificate and any version down to TLS 1.0, so the
  // diagnosis can judge what the server offers instead of only seeing "handshake failed".
  // Returns "" on success or the reason (end() says whether it was a timeout or a reset).
  std::string start_tls(const std::string& sni, bool send_sni);
  SSL* ssl() const { return ssl_.get(); }

  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
  bool write_all(std::string_view data);
  // Up to `n` bytes; 0 on orderly close; -1 on timeout or error (see end()).
  long read_some(char* buf, size_t n);
  // Exactly `n` bytes or nullopt.
  std::optional<std::string> read_exact(size_t n);
  // Through `delim` (included), at most `max` bytes; what was read when it stops early.
  std::string read_until(std::string_view delim, size_t max);

  IoEnd end() const { return end_; }
  const std::string& detail() const { return detail_; }
  bool timed_out() const { return end_ == IoEnd::timeout; }

 private:
  bool wait_for(short events);  // false once the deadline has passed
  long stop(IoEnd why, std::string detail);
  long socket_error(int err);
  int fd_;
  Clock::time_point deadline_;
  ossl::SslCtx ctx_;
  ossl::Ssl ssl_;
  bool ssl_broken_ = false;  // after a fatal TLS error OpenSSL forbids SSL_shutdown
  IoEnd end_ = IoEnd::none;
  std::string detail_;
};

}  // namespace devcert::diagnose
