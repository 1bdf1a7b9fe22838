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
  client_certificate_missing,   // serve --client-ca: the client sent no certificate
  client_certificate_rejected,  // serve --client-ca: its certificate does not verify
  other,
};

// Classifies the error_code of a failed server-side handshake.
HandshakeFailure classify_handshake_failure(const error_code& ec);

// One line for the connection log, e.g. "the client does not trust this certificate: run ...".
// `verify_error` is the X509_V_ERR_* of the client's certificate (SSL_get_verify_result), which
// names why it was rejected.
std::string explain(HandshakeFailure failure, const error_code& ec, long verify_error = 0);

// A stable short name for tests and --json ("untrusted_certificate", "plain_http", ...).
const char* failure_name(HandshakeFailure failure);

}  // namespace devcert::wss
