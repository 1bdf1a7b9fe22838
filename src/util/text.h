// Text that came from outside (a server's bytes, a certificate's fields, a CSR, a project file,
// a client's SNI) made safe to print: it can neither drive the terminal nor break JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace devcert::text {

// `in` with every byte that a terminal could act on, or that is not valid UTF-8, written as
// \xNN: C0 controls (ESC, CR, LF, BEL...), DEL, the C1 controls (U+0080..U+009F, which some
// terminals take as CSI and OSC), the bidirectional controls (U+202E...) and malformed or
// overlong sequences. Everything else, including
// printable non-ASCII, is kept, so a Unicode host name still reads as itself.
std::string printable(std::string_view in);

// True when printable(in) would change nothing.
bool is_printable(std::string_view in);

// printable() line by line: the line breaks of a message devcert composed stay line breaks.
std::string printable_lines(std::string_view in);

// The host as a URL writes it: an IPv6 address in brackets ("[::1]"), anything else as it is.
std::string url_host(std::string_view host);

// "localhost:8443", "127.0.0.1:8443" or "[::1]:8443": a URL's authority.
std::string host_port(std::string_view host, std::uint16_t port);

}  // namespace devcert::text
