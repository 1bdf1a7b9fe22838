#include "diagnose/causes.h"

#include <stdexcept>
#include <string>

namespace devcert::diagnose {
namespace {

// Client messages as each client words them (Chrome's net error or console message, Firefox's
// error code or console message, what Node prints for ws's error, the end of Python's traceback,
// curl's error line); ClientMessages says how to read them.
constexpr CauseInfo kCauses[] = {
    {"ok", "the server works for a verifying WebSocket client", "", {"", "", "", "", ""}},
    {"dns_failed", "the host name does not resolve",
     "check the spelling; for a local name add it to /etc/hosts or use localhost",
     {"net::ERR_NAME_NOT_RESOLVED", "NS_ERROR_UNKNOWN_HOST", "getaddrinfo ENOTFOUND",
      "socket.gaierror: [Errno -2] Name or service not known",
      "curl: (6) Could not resolve host: ..."}},
    {"dns_timeout", "the resolver did not answer in time",
     "check the nameserver in /etc/resolv.conf is reachable; for a local name add it to /etc/hosts",
     {"net::ERR_NAME_NOT_RESOLVED", "NS_ERROR_UNKNOWN_HOST", "getaddrinfo EAI_AGAIN",
      "socket.gaierror: [Errno -3] Temporary failure in name resolution",
      "curl: (6) Could not resolve host: ..."}},
    {"connection_refused", "nothing listens on that address and port",
     "start the server, and check it listens on this port and address family "
     "(127.0.0.1 vs ::1: bind to both, or to localhost)",
     {"net::ERR_CONNECTION_REFUSED", "NS_ERROR_CONNECTION_REFUSED",
      "connect ECONNREFUSED", "ConnectionRefusedError: [Errno 111] Connect call failed",
      "curl: (7) Failed to connect to ... Couldn't connect to server"}},
    {"connection_timeout", "the server never answered: a firewall drops the packets, or the server is stuck",
     "check the firewall (ufw/iptables/nft) allows the port, and that the server accepts connections",
     {"net::ERR_CONNECTION_TIMED_OUT", "NS_ERROR_NET_TIMEOUT", "connect ETIMEDOUT",
      "TimeoutError (after open_timeout, 10 s by default; [Errno 110] Connect call failed when the kernel gives "
      "up first)",
      "curl: (28) Failed to connect to ... Couldn't connect to server"}},
    {"connection_reset", "the server reset the connection (TCP RST): it crashed, aborted the socket, or closed it with unread data",
     "look in the server's log for a crash or an exception at the stage named; a server that closes a socket "
     "before reading what the client sent makes the kernel send a reset",
     {"net::ERR_CONNECTION_RESET", "NS_ERROR_NET_RESET", "Error: read ECONNRESET",
      "ConnectionResetError: [Errno 104] Connection reset by peer",
      "curl: (35) Recv failure: Connection reset by peer"}},
    {"tls_handshake_failed", "the TLS handshake failed",
     "serve TLS 1.2+ with a certificate and key that match: devcert issue localhost 127.0.0.1 ::1",
     {"net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH (no cipher in common; other handshake failures may show "
      "net::ERR_SSL_PROTOCOL_ERROR)",
      "SSL_ERROR_NO_CYPHER_OVERLAP (Secure Connection Failed)",
      "Error: write EPROTO ... sslv3 alert handshake failure", "ssl.SSLError: [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE]",
      "curl: (35) ... sslv3 alert handshake failure"}},
    {"tls_version_too_old", "the server only speaks TLS below 1.2, which every current client refuses",
     "enable TLS 1.2 and 1.3 on the server (Python: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER) with "
     "minimum_version = ssl.TLSVersion.TLSv1_2)",
     {"net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH", "SSL_ERROR_PROTOCOL_VERSION_ALERT",
      "EPROTO ... tlsv1 alert protocol version", "ssl.SSLError: [SSL] legacy sigalg disallowed or unsupported",
      "curl: (35) ... legacy sigalg disallowed or unsupported"}},
    {"certificate_too_large", "the server's certificate chain is larger than clients read (OpenSSL, and so "
     "Node, Python and curl, stop at 100 KiB: a leaf with thousands of names)",
     "issue a leaf with only the names this server answers to: devcert issue localhost 127.0.0.1 ::1",
     {"net::ERR_SSL_PROTOCOL_ERROR", "SSL_ERROR_RX_MALFORMED_HANDSHAKE", "Error: write EPROTO ... excessive message size",
      "ssl.SSLError: [SSL: EXCESSIVE_MESSAGE_SIZE] excessive message size",
      "curl: (35) ... excessive message size"}},
    {"not_tls", "the port speaks plain HTTP, not TLS",
     "use ws:// / http:// for this port, or give the server a certificate: devcert issue localhost "
     "127.0.0.1 ::1 and load it (Python: ssl_context.load_cert_chain)",
     {"net::ERR_SSL_PROTOCOL_ERROR", "SSL_ERROR_RX_RECORD_TOO_LONG", "EPROTO ... wrong version number",
      "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number",
      "curl: (35) ... wrong version number"}},
    {"client_cert_missing", "the server requires a client certificate (mutual TLS) and none was presented",
     "present one: devcert issue --client NAME, then devcert verify-server URL --client-cert FILE --client-key FILE "
     "(browsers: import it into the browser's certificate store)",
     {"net::ERR_BAD_SSL_CLIENT_AUTH_CERT | net::ERR_SOCKET_NOT_CONNECTED (TLS 1.3 refuses after the handshake, so "
      "the request may meet the closed socket)",
      "SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT",
      "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "ssl.SSLError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required",
      "curl: (56) ... tlsv13 alert certificate required"}},
    {"client_cert_untrusted", "the server does not trust the issuer of the client certificate presented",
     "present a certificate from the CA the server requires, or make the server trust its CA "
     "(devcert serve --client-ca; Node: requestCert with ca; Python: ssl_context.load_verify_locations)",
     {"net::ERR_BAD_SSL_CLIENT_AUTH_CERT | net::ERR_SOCKET_NOT_CONNECTED (TLS 1.3 refuses after the handshake, so "
      "the request may meet the closed socket)",
      "SSL_ERROR_UNKNOWN_CA_ALERT", "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
      "ssl.SSLError: [SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca",
      "curl: (56) ... tlsv1 alert unknown ca"}},
    {"client_cert_not_for_client_auth", "the client certificate's extendedKeyUsage lacks clientAuth, so the server "
     "refuses it as a client certificate",
     "issue a client certificate: devcert issue --client NAME",
     {"net::ERR_BAD_SSL_CLIENT_AUTH_CERT | net::ERR_SOCKET_NOT_CONNECTED (Chromium offers no certificate without "
      "clientAuth, so the server sees none; TLS 1.3 refuses after the handshake, so the request may meet the closed "
      "socket)",
      "SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT (Firefox offers no certificate without clientAuth: the server sees "
      "none)",
      "ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
      "ssl.SSLError: [SSL: SSLV3_ALERT_UNSUPPORTED_CERTIFICATE] sslv3 alert unsupported certificate",
      "curl: (56) ... sslv3 alert unsupported certificate"}},
    {"self_signed", "the certificate is self-signed: no client trusts it",
     "replace it with one from your devcert CA: devcert issue localhost 127.0.0.1 ::1, then devcert install",
     {"net::ERR_CERT_AUTHORITY_INVALID", "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT", "DEPTH_ZERO_SELF_SIGNED_CERT",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate",
      "curl: (60) SSL certificate problem: self-signed certificate"}},
    {"unknown_issuer", "the certificate was issued by a CA this machine does not trust",
     "trust that CA (or re-issue from devcert: devcert issue NAME; devcert install)",
     {"net::ERR_CERT_AUTHORITY_INVALID", "SEC_ERROR_UNKNOWN_ISSUER", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
      "curl: (60) SSL certificate problem: unable to get local issuer certificate"}},
    {"ca_not_installed", "issued by your devcert CA, which is not installed in the system store",
     "devcert install (Node: eval \"$(devcert env)\")",
     {"net::ERR_CERT_AUTHORITY_INVALID", "SEC_ERROR_UNKNOWN_ISSUER", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
      "curl: (60) SSL certificate problem: unable to get local issuer certificate"}},
    {"chain_incomplete", "the server does not send the intermediate certificate between its leaf and the root",
     "serve the full chain, leaf first then intermediates (nginx: ssl_certificate fullchain.pem; "
     "Python: load_cert_chain with a file holding both)",
     {"net::ERR_CERT_AUTHORITY_INVALID (Chrome sometimes fetches the intermediate itself)",
      "SEC_ERROR_UNKNOWN_ISSUER", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
      "curl: (60) SSL certificate problem: unable to get local issuer certificate"}},
    {"expired", "the certificate has expired", "issue a new one: devcert issue NAME",
     {"net::ERR_CERT_DATE_INVALID", "SEC_ERROR_EXPIRED_CERTIFICATE", "CERT_HAS_EXPIRED",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired",
      "curl: (60) SSL certificate problem: certificate has expired"}},
    {"not_yet_valid", "the certificate is not valid yet: the server's or this machine's clock is off",
     "fix the clock (timedatectl set-ntp true), or issue a new one: devcert issue NAME",
     {"net::ERR_CERT_DATE_INVALID", "MOZILLA_PKIX_ERROR_NOT_YET_VALID_CERTIFICATE", "CERT_NOT_YET_VALID",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate is not yet valid",
      "curl: (60) SSL certificate problem: certificate is not yet valid"}},
    {"hostname_mismatch", "the certificate does not name the host in the URL",
     "issue one that does: devcert issue HOST (with every name clients use)",
     {"net::ERR_CERT_COMMON_NAME_INVALID", "SSL_ERROR_BAD_CERT_DOMAIN", "ERR_TLS_CERT_ALTNAME_INVALID",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch",
      "curl: (60) SSL: no alternative certificate subject name matches target host name"}},
    {"ip_mismatch", "the certificate does not carry the IP address in the URL as an IP SAN",
     "issue one that does: devcert issue localhost 127.0.0.1 ::1",
     {"net::ERR_CERT_COMMON_NAME_INVALID", "SSL_ERROR_BAD_CERT_DOMAIN",
      "ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: IP: ... is not in the cert's list",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch",
      "curl: (60) SSL: no alternative certificate subject name matches target host name"}},
    {"cn_only", "the name is only in the certificate's CN; browsers read only the SAN (Node, Python and curl "
     "still fall back to the CN of a certificate without one)",
     "issue a certificate with SANs: devcert issue localhost 127.0.0.1 ::1",
     {"net::ERR_CERT_COMMON_NAME_INVALID", "SSL_ERROR_BAD_CERT_DOMAIN",
      "(connects: Node reads the CN of a certificate without a SAN)",
      "(connects: Python's ssl reads the CN of a certificate without a SAN)",
      "(connects: curl reads the CN of a certificate without a SAN)"}},
    {"missing_server_auth", "the certificate's extendedKeyUsage does not allow TLS servers (serverAuth)",
     "issue a server certificate: devcert issue NAME",
     {"net::ERR_CERT_INVALID", "SEC_ERROR_INADEQUATE_CERT_TYPE",
      "Error: unsuitable certificate purpose ... code: 'INVALID_PURPOSE'",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unsuitable certificate purpose",
      "curl: (60) SSL certificate problem: unsuitable certificate purpose"}},
    {"name_constraint_violation", "the issuing CA is not permitted to vouch for this name (nameConstraints)",
     "use a name the CA permits, or a CA made with devcert init --permit NAME",
     {"net::ERR_CERT_INVALID", "SEC_ERROR_CERT_NOT_IN_NAME_SPACE",
      "permitted subtree violation",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: permitted subtree violation",
      "curl: (60) SSL certificate problem: permitted subtree violation"}},
    {"weak_key", "the certificate's key is too small (RSA below 2048 bits, EC below 256)",
     "issue a new one: devcert issue NAME (ECDSA P-256 by default)",
     {"(connects: Chrome accepts RSA 1024)",
      "(connects: Firefox accepts RSA 1024)", "(connects: Node accepts RSA 1024)",
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: EE certificate key too weak",
      "curl: (60) SSL certificate problem: EE certificate key too weak"}},
    {"not_websocket", "the server answered the WebSocket upgrade with plain HTTP instead of 101",
     "check the URL path and that the server handles WebSocket upgrades there",
     {"Error during WebSocket handshake: Unexpected response code: ...",
      "Firefox can’t establish a connection to the server at ...", "Error: Unexpected server response: ...",
      "websockets.exceptions.InvalidStatusCode: server rejected WebSocket connection: HTTP ...",
      "HTTP/1.1 ... (the server's status, e.g. 404 Not Found: anything but 101 Switching Protocols)"}},
    {"bad_response", "the answer to the upgrade request is not a usable HTTP response: not HTTP, cut short, "
     "or a head larger than clients read",
     "make the server answer the upgrade with a short, well-formed HTTP/1.1 101 response (a WebSocket library does)",
     {"Error during WebSocket handshake: net::ERR_RESPONSE_HEADERS_TOO_BIG (for a head too large)",
      "Firefox can’t establish a connection to the server at ...",
      "Error: Parse Error: Header overflow ... code: 'HPE_HEADER_OVERFLOW'",
      "websockets.exceptions.InvalidMessage: did not receive a valid HTTP response",
      "curl: (56) Too large response headers"}},
    {"origin_rejected", "the server refused the upgrade (403): it does not accept this Origin",
     "add the page's origin to the server's allowed origins (or pass --origin to test another)",
     {"Error during WebSocket handshake: Unexpected response code: 403",
      "Firefox can’t establish a connection to the server at ...", "Error: Unexpected server response: 403",
      "websockets.exceptions.InvalidStatusCode: server rejected WebSocket connection: HTTP 403",
      "HTTP/1.1 403 Forbidden"}},
    {"bad_accept", "the server's Sec-WebSocket-Accept does not match the key: not a correct WebSocket server",
     "fix the server's handshake (use a WebSocket library rather than hand-written code)",
     {"Error during WebSocket handshake: Incorrect 'Sec-WebSocket-Accept' header value",
      "Firefox can’t establish a connection to the server at ...", "Error: Invalid Sec-WebSocket-Accept header",
      "websockets.exceptions.InvalidHeaderValue: invalid Sec-WebSocket-Accept header",
      "HTTP/1.1 101 Switching Protocols (curl does not check Sec-WebSocket-Accept)"}},
    {"subprotocol_mismatch", "the server did not agree to the requested subprotocol",
     "make the server select the subprotocol the client asks for (or stop requesting one)",
     {"Error during WebSocket handshake: Sent non-empty 'Sec-WebSocket-Protocol' header but no response "
      "was received",
      "(connects: Firefox accepts an answer without the subprotocol)",
      "Error: Server sent no subprotocol",
      "(connects: websockets accepts an answer without the subprotocol)",
      "HTTP/1.1 101 Switching Protocols (curl does not check Sec-WebSocket-Protocol)"}},
    {"response_timeout", "the server accepted the connection and the TLS handshake, then stopped answering "
     "(nothing, or too little, within --timeout)",
     "check the server handles WebSocket upgrades on this path and is not stuck; if it does not echo, pass --no-echo",
     {"(no error:) ws.readyState stays CONNECTING", "(no error:) ws.readyState stays CONNECTING",
      "Error: Opening handshake has timed out (with handshakeTimeout)",
      "TimeoutError (after open_timeout, 10 s by default)",
      "curl: (28) Operation timed out after ... with 0 bytes received"}},
    {"bad_frame", "the server sent a WebSocket frame no client accepts: reserved bits or opcode, a masked or "
     "fragmented control frame, an impossible length, a message over the size limit, or an endless stream",
     "fix the server's framing (use a WebSocket library); send messages in frames clients read (Python's "
     "websockets stops at 1 MiB)",
     {"failed: One or more reserved bits are on", "The connection to ... was interrupted while the page was loading.",
      "RangeError: Invalid WebSocket frame: RSV1 must be clear",
      "websockets.exceptions.ProtocolError: reserved bits must be 0",
      "HTTP/1.1 101 Switching Protocols (curl reads no frames)"}},
    {"echo_mismatch", "the server answered with something other than the message sent",
     "if this server is meant to echo, fix its handler; if it is not an echo server, pass --no-echo",
     {"(connects; the page receives an unexpected message)", "(connects; the page receives an unexpected message)",
      "(connects; an unexpected message)", "(connects; an unexpected message)",
      "HTTP/1.1 101 Switching Protocols (curl sends no message)"}},
};

}  // namespace

const CauseInfo& cause_info(std::string_view code) {
  for (const auto& c : kCauses)
    if (c.code == code) return c;
  throw std::logic_error("unknown cause code " + std::string(code));
}

std::vector<std::string_view> cause_codes() {
  std::vector<std::string_view> out;
  for (const auto& c : kCauses)
    if (c.code != "ok") out.push_back(c.code);
  return out;
}

}  // namespace devcert::diagnose
