// Namespace aliases for Boost.Asio/Beast, in one place, and the completion token every
// coroutine uses: each operation hands back its error_code instead of throwing, so a failed
// handshake is a value to classify and log, not an exception to unwind.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "util/text.h"
#include "wss/lingering_stream.h"

namespace devcert::wss {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

template <class T>
using awaitable = asio::awaitable<T>;

// co_await op(..., use_tuple) yields std::tuple<error_code, ...>.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// "127.0.0.1:8443" or "[::1]:8443", for messages and logs.
inline std::string endpoint_text(const tcp::endpoint& ep) {
  return text::host_port(ep.address().to_string(), ep.port());
}

using TlsStream = beast::ssl_stream<LingeringTcpStream>;
using WsStream = websocket::stream<TlsStream>;

}  // namespace devcert::wss
