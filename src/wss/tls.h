// TLS settings for the echo server and the load generators' clients, as OpenSSL contexts.
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

// Whom a client trusts: only the given CA certificates, or only the system default store
// (OpenSSL's default paths, which SSL_CERT_FILE / SSL_CERT_DIR override).
struct Trust {
  std::vector<std::string> ca_pems;
  bool system_store = false;

  static Trust only(std::string ca_pem) { return Trust{{std::move(ca_pem)}, false}; }
  static Trust system() { return Trust{{}, true}; }
};

// TLS 1.2+ with peer verification against `trust`, for the load generators (bench/wss_load.cpp,
// the soak and robustness tests) that drive many plain Beast clients. Diagnosing a server is the
// diagnosis walk's job (diagnose/diagnose.h), never theirs.
ssl::context make_client_context(const Trust& trust);

// "TLSv1.3", cipher name, negotiated ALPN ("" when none), SNI sent by the client ("" when none).
struct TlsFacts {
  std::string version;
  std::string cipher;
  std::string alpn;
  std::string sni;
};
TlsFacts tls_facts(SSL* ssl);

}  // namespace devcert::wss
