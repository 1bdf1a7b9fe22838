// What the two servers (`serve` and `acme`) share about where they listen and what their own
// minted certificate names.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cli/app.h"
#include "wss/asio.h"

namespace devcert::cli {

// Every address `host` stands for: "localhost" is both loopbacks, whatever /etc/hosts says,
// because browsers treat it so (and a client picking ::1 first is the classic silent failure).
// Throws UsageError when a name does not resolve.
std::vector<wss::asio::ip::address> listen_addresses(const std::string& host);

// Where a server listens: the one port every address got, and those addresses as text
// ("127.0.0.1:8443, [::1]:8443").
struct Listening {
  std::uint16_t port = 0;
  std::string where;
};

// Listens through `listen` (a server's: takes an endpoint, returns the bound one) on every
// address, all on one port: with port 0, the one the first address got. A failure after one
// address was bound is a warning through `ctx`; the first, an error.
Listening listen_on_all(const std::vector<wss::asio::ip::address>& addresses, std::uint16_t port,
                            const std::function<wss::tcp::endpoint(const wss::tcp::endpoint&)>& listen, Context& ctx);

// The names a server's minted leaf carries: the loopback names, `host` when it is a name or a
// specific address (not a wildcard such as 0.0.0.0), and the names containers call the host by
// when `host` is not loopback only.
std::vector<std::string> served_names(const std::string& host);

// "12:34:56", the prefix of a server's log lines.
std::string clock_prefix();

}  // namespace devcert::cli
