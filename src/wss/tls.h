// TLS settings for the echo server, as an OpenSSL context.
#pragma once

#include <string>
#include <vector>

#include "ossl/handles.h"
#include "wss/asio.h"

namespace devcert::wss {

// What the server presents: its certificate, the intermediates to send after it, its key.
struct ServerIdentity {
  ossl::X509Ptr cert;
  ossl::Pkey key;
  std::vector<ossl::X509Ptr> chain;
};

// TLS 1.2 and 1.3 only, Mozilla's "intermediate" cipher list, ALPN http/1.1. Throws
// devcert::Error when the key does not match the certificate.
ssl::context make_server_context(const ServerIdentity& identity);

// Mutual TLS: the server asks every client for a certificate, refuses a connection without one,
// and verifies it (clientAuth purpose) against the certificates in `ca_pem` only.
void require_client_certificates(ssl::context& ctx, const std::string& ca_pem);

// "TLSv1.3", cipher name, negotiated ALPN ("" when none), SNI sent by the client ("" when none).
struct TlsFacts {
  std::string version;
  std::string cipher;
  std::string alpn;
  std::string sni;
};
TlsFacts tls_facts(SSL* ssl);

}  // namespace devcert::wss
