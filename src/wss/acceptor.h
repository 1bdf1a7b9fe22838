// A listening socket for either server (`serve`, `acme`): IPv6 sockets take IPv6 only, so that
// 127.0.0.1 and ::1 can both be bound on one port; an address in use names how to find who
// holds it.
#pragma once

#include <memory>
#include <string_view>

#include "wss/asio.h"

namespace devcert::wss {

// Throws devcert::Error with the fix; `command` ("devcert serve") is where the fix points.
std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& ioc, const tcp::endpoint& endpoint,
                                             std::string_view command);

}  // namespace devcert::wss
