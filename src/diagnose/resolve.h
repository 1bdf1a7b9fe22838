// Name resolution with a deadline (the dns stage).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace devcert::diagnose {

using Clock = std::chrono::steady_clock;

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "127.0.0.1" / "::1"
  bool ipv6 = false;
};

// Every address of `host` (in the resolver's order, the one clients use), or the resolver's
// error text; `timed_out` when the resolver had not answered by `deadline`, `unanswered` when it
// gave up itself (EAI_AGAIN: no nameserver answered within resolv.conf's timeout x attempts, or
// one answered SERVFAIL), which clients print as EAI_AGAIN or "Temporary failure in name
// resolution".
struct Resolution {
  std::vector<Address> addresses;
  std::string error;
  bool timed_out = false;
  bool unanswered = false;
};
Resolution resolve(const std::string& host, std::uint16_t port, Clock::time_point deadline);

}  // namespace devcert::diagnose
