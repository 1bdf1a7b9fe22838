#include "diagnose/url.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

#include "error.h"
#include "util/text.h"

namespace devcert::diagnose {

std::string Endpoint::authority() const {
  bool default_port = (tls() && port == 443) || (!tls() && port == 80);
  return default_port ? text::url_host(host) : text::host_port(host, port);
}

std::string Endpoint::url() const { return scheme + "://" + authority() + path; }

Endpoint parse_url(std::string_view text) {
  const std::string fix = "give a URL such as wss://localhost:8443/ or https://app.test/socket";
  // Whatever the URL holds goes into the request line and the Host header: a CR or LF would end
  // them and smuggle in a header or a second request. Browsers percent-encode; so must the user.
  // The URL goes into the request line and the Host header: a CR or LF would end them and
  // smuggle in a header or a second request. Browsers percent-encode; so must the user. Once
  // this holds, the URL can be quoted in any message below as it is.
  if (!text::is_printable(text) || text.find(' ') != std::string_view::npos)
    throw UsageError("the URL '" + text::printable(text) +
                         "' holds a space, a control character (such as CR or LF) or bytes that are not UTF-8",
                     "percent-encode them (%20 for a space, %0D%0A for CR LF) or remove them");
  Endpoint ep;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) throw UsageError("'" + std::string(text) + "' is not a URL", fix);
  for (char c : text.substr(0, sep)) ep.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ep.scheme != "wss" && ep.scheme != "ws" && ep.scheme != "https")
    throw UsageError("unsupported scheme '" + ep.scheme + "://' (use wss://, ws:// or https://)", fix);
  std::string_view rest = text.substr(sep + 3);
  size_t path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? "/" : rest.substr(path_at);
  if (size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  ep.path = path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
  if (authority.find('@') != std::string_view::npos)
    throw UsageError("user:password@ in the URL is not supported", fix);

  std::string_view host = authority, port;
  bool bracketed = !authority.empty() && authority.front() == '[';
  if (bracketed) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) throw UsageError("unclosed '[' in " + std::string(text), fix);
    host = authority.substr(1, close - 1);
    unsigned char v6[16];
    if (inet_pton(AF_INET6, std::string(host).c_str(), v6) != 1)
      throw UsageError("'[" + std::string(host) + "]' is not an IPv6 address in " + std::string(text), fix);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw UsageError("junk after ']' in " + std::string(text), fix);
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  // wss://::1:8443/ would silently become host "::1", and wss://::1/ host ":" port 1.
  if (!bracketed && host.find_first_of(":[]") != std::string_view::npos)
    throw UsageError("an IPv6 address in a URL goes in brackets, as in wss://[::1]:8443/ (got '" +
                         std::string(text) + "')", fix);
  if (host.empty()) throw UsageError("no host in " + std::string(text), fix);
  for (char c : host) ep.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ep.port = ep.tls() ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      throw UsageError("bad port '" + std::string(port) + "' in " + std::string(text), fix);
    ep.port = static_cast<std::uint16_t>(value);
  }
  unsigned char buf[16];
  ep.host_is_ip = inet_pton(AF_INET, ep.host.c_str(), buf) == 1 || inet_pton(AF_INET6, ep.host.c_str(), buf) == 1;
  return ep;
}

void require_header_value(std::string_view flag, std::string_view value) {
  if (text::is_printable(value)) return;
  throw UsageError(std::string(flag) + " '" + text::printable(value) +
                       "' holds a control character (such as CR or LF) or bytes that are not UTF-8",
                   "give " + std::string(flag) + " as plain text on one line");
}

}  // namespace devcert::diagnose
