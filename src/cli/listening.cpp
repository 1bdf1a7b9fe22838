#include "cli/listening.h"

#include <algorithm>
#include <ctime>

#include "error.h"
#include "pki/container_hosts.h"
#include "util/text.h"
#include "wss/identity.h"

namespace devcert::cli {

std::vector<wss::asio::ip::address> listen_addresses(const std::string& host) {
  namespace ip = wss::asio::ip;
  if (host == "localhost") return {ip::address_v4::loopback(), ip::address_v6::loopback()};
  wss::error_code ec;
  ip::address literal = ip::make_address(host, ec);
  if (!ec) return {literal};
  wss::asio::io_context ioc;
  wss::tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, "", ec);
  if (ec) throw UsageError("cannot resolve --host " + host + ": " + ec.message());
  std::vector<ip::address> out;
  for (const auto& entry : results) out.push_back(entry.endpoint().address());
  return out;
}

Listening listen_on_all(const std::vector<wss::asio::ip::address>& addresses, std::uint16_t port,
                        const std::function<wss::tcp::endpoint(const wss::tcp::endpoint&)>& listen, Context& ctx) {
  Listening l{port, {}};
  for (const auto& address : addresses) {
    try {
      l.port = listen({address, l.port}).port();
      l.where += (l.where.empty() ? "" : ", ") + text::host_port(address.to_string(), l.port);
    } catch (const Error& e) {
      if (l.where.empty()) throw;
      ctx.out.warning(std::string(e.what()) + ": serving on " + l.where + " only");
    }
  }
  return l;
}

std::vector<std::string> served_names(const std::string& host) {
  std::vector<std::string> names = wss::kLoopbackNames;
  wss::error_code ec;
  auto literal = wss::asio::ip::make_address(host, ec);
  bool wildcard = !ec && literal.is_unspecified();
  if (!wildcard && std::find(names.begin(), names.end(), host) == names.end()) names.push_back(host);
  // Beyond loopback, containers can reach the server, and they know the host by these names; a
  // loopback-only server is reachable from a container only with --network host, as localhost.
  bool loopback_only = host == "localhost" || (!ec && literal.is_loopback());
  if (!loopback_only) names = pki::with_container_hosts(names);
  return names;
}

std::string clock_prefix() {
  std::time_t now = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&now));
  return buf;
}

}  // namespace devcert::cli
