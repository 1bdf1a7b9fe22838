#include "wss/acceptor.h"

#include <string>

#include "error.h"

namespace devcert::wss {

std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& ioc, const tcp::endpoint& endpoint,
                                             std::string_view command) {
  auto acceptor = std::make_unique<tcp::acceptor>(ioc);
  error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) return acceptor;
  std::string where = endpoint_text(endpoint);
  std::string port = std::to_string(endpoint.port());
  if (ec == asio::error::address_in_use)
    throw Error("cannot listen on " + where + ": " + ec.message(),
                "stop the program using this port (ss -ltnp 'sport = :" + port + "' names it), or pick another: " +
                    std::string(command) + " --port PORT");
  throw Error("cannot listen on " + where + ": " + ec.message(),
              "choose an address this machine has: " + std::string(command) + " --host localhost");
}

}  // namespace devcert::wss
