#include "wss/handshake_failure.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace devcert::wss {

HandshakeFailure classify_handshake_failure(const error_code& ec) {
  if (ec == beast::error::timeout) return HandshakeFailure::timeout;
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == ssl::error::stream_truncated)
    return HandshakeFailure::client_closed;
  if (ec.category() != asio::error::get_ssl_category()) return HandshakeFailure::other;
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    // What clients send when the chain does not verify: OpenSSL-based clients (Node, Python,
    // curl) send unknown_ca, NSS bad_certificate, Java certificate_unknown.
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
      return HandshakeFailure::untrusted_certificate;
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
      return HandshakeFailure::plain_http;
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      return HandshakeFailure::not_tls;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_VERSION_TOO_LOW:
      return HandshakeFailure::protocol_version;
    case SSL_R_NO_SHARED_CIPHER:
      return HandshakeFailure::no_shared_cipher;
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      return HandshakeFailure::client_closed;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return HandshakeFailure::client_certificate_missing;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return HandshakeFailure::client_certificate_rejected;
    default:
      return HandshakeFailure::other;
  }
}

std::string explain(HandshakeFailure failure, const error_code& ec, long verify_error) {
  switch (failure) {
    case HandshakeFailure::untrusted_certificate:
      return "the client does not trust this certificate: run `devcert install` "
             "(Node: eval \"$(devcert env)\")";
    case HandshakeFailure::plain_http:
      return "plain HTTP on the TLS port: use https:// / wss://";
    case HandshakeFailure::not_tls:
      return "the client does not speak TLS (" + ec.message() + "): use https:// / wss://";
    case HandshakeFailure::protocol_version:
      return "the client offers only TLS older than 1.2, which this server refuses";
    case HandshakeFailure::no_shared_cipher:
      return "no cipher suite in common with the client";
    case HandshakeFailure::timeout:
      return "the TLS handshake did not finish in time";
    case HandshakeFailure::client_closed:
      // Node and Chrome hang up without an alert when they reject the certificate.
      return "the client closed the connection during the TLS handshake: if it is Node or a "
             "browser, it does not trust this certificate: run `devcert install` "
             "(Node: eval \"$(devcert env)\")";
    case HandshakeFailure::client_certificate_missing:
      return "the client sent no client certificate (--client-ca requires one): pass one, e.g. "
             "devcert verify-server URL --client-cert FILE --client-key FILE";
    case HandshakeFailure::client_certificate_rejected:
      if (verify_error == X509_V_ERR_INVALID_PURPOSE)
        return "the client certificate is not for clients: its extendedKeyUsage lacks clientAuth "
               "(devcert issue --client makes one)";
      if (verify_error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || verify_error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
          verify_error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || verify_error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
        return "the client certificate is issued by a CA that --client-ca does not name (" +
               std::string(X509_verify_cert_error_string(verify_error)) + ")";
      return "the client certificate does not verify: " + std::string(X509_verify_cert_error_string(verify_error));
    case HandshakeFailure::other:
      break;
  }
  return "TLS handshake failed: " + ec.message();
}

const char* failure_name(HandshakeFailure failure) {
  switch (failure) {
    case HandshakeFailure::untrusted_certificate: return "untrusted_certificate";
    case HandshakeFailure::plain_http: return "plain_http";
    case HandshakeFailure::not_tls: return "not_tls";
    case HandshakeFailure::protocol_version: return "protocol_version";
    case HandshakeFailure::no_shared_cipher: return "no_shared_cipher";
    case HandshakeFailure::timeout: return "timeout";
    case HandshakeFailure::client_closed: return "client_closed";
    case HandshakeFailure::client_certificate_missing: return "client_certificate_missing";
    case HandshakeFailure::client_certificate_rejected: return "client_certificate_rejected";
    case HandshakeFailure::other: return "other";
  }
  return "other";
}

}  // namespace devcert::wss
