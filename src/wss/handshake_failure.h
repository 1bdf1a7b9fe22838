// Why a client gave up on the TLS handshake, in the words a user can act on. This is the
// server-side view that a browser hides behind "close code 1006".
#pragma once

#include <string>

#include "wss/asio.h"

namespace devcert::wss {

enum class HandshakeFailure {
  untrusted_certificate,  // the client sent alert unknown_ca / bad_certificate / ...
  plain_http,             // an http:// or ws:// request on the TLS port
  not_tls,                // some other bytes that are not a TLS ClientHello
  protocol_version,       // the client offers only TLS below 1.2
  no_shared_cipher,
  timeout,                // the handshake did not finish within the handshake timeout
  client_closed,          // the client hung up without a word (alert-less abort)
  other,
};

// Classifies the error_code of a failed server-side handshake.
HandshakeFailure classify_handshake_failure(const error_code& ec);

// One line for the connection log, e.g. "the client does not trust this certificate: run ...".
std::string explain(HandshakeFailure failure, const error_code& ec);

// A stable short name for tests and --json ("untrusted_certificate", "plain_http", ...).
const char* failure_name(HandshakeFailure failure);

}  // namespace devcert::wss
