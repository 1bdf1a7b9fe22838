#include "diagnose/client_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "pki/keys.h"

namespace devcert::diagnose {

boost::asio::ssl::context make_client_context(const DiagnoseOptions& options) {
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  SSL_CTX* c = ctx.native_handle();
  SSL_CTX_set_security_level(c, 0);
  SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
  SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0");
  // A close without close_notify reads as a close (as browsers take it), not as a TLS error.
  SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
  static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(c, alpn, sizeof alpn);
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  if (options.ca_pem.empty()) {
    SSL_CTX_set_default_verify_paths(c);
  } else {
    X509_STORE* store = SSL_CTX_get_cert_store(c);
    for (auto& cert : pki::load_certificates(options.ca_pem, options.ca_name)) X509_STORE_add_cert(store, cert.get());
  }
  if (!options.client_cert_pem.empty()) {
    auto certs = pki::load_certificates(options.client_cert_pem, "the client certificate");
    ossl::Pkey key = pki::load_private_key(options.client_key_pem, "the client key");
    SSL_CTX_use_certificate(c, certs.front().get());
    for (std::size_t i = 1; i < certs.size(); ++i) SSL_CTX_add1_chain_cert(c, certs[i].get());
    if (SSL_CTX_use_PrivateKey(c, key.get()) != 1 || SSL_CTX_check_private_key(c) != 1) {
      ERR_clear_error();
      throw UsageError("the client key is not the client certificate's key",
                       "pass the key file written with the client certificate (devcert issue --client)");
    }
  }
  ERR_clear_error();
  return ctx;
}

void expect_host(SSL* ssl, const std::string& host, bool is_ip) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  else X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
}

int tls_reason(const boost::system::error_code& ec) {
  if (ec.category() != boost::asio::error::get_ssl_category()) return 0;
  return ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
}

bool is_protocol_version_refusal(const boost::system::error_code& ec) {
  int r = tls_reason(ec);
  return r == SSL_R_UNSUPPORTED_PROTOCOL || r == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION || r == SSL_R_WRONG_SSL_VERSION ||
         r == SSL_R_NO_PROTOCOLS_AVAILABLE;
}

std::optional<Broken> client_certificate_refused(const boost::system::error_code& ec, bool requested, bool sent) {
  std::string alert = ec.message();
  switch (tls_reason(ec)) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return Broken{"client_cert_missing", "the server requires a client certificate and none was sent (" + alert + ")", ""};
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
      // TLS 1.2 servers refuse a missing certificate with this generic alert.
      if (requested && !sent)
        return Broken{"client_cert_missing", "the server asked for a client certificate, none was sent, and it ended the handshake (" + alert + ")", ""};
      return std::nullopt;
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      if (!sent) return std::nullopt;
      return Broken{"client_cert_untrusted", "the server does not trust the issuer of the client certificate (" + alert + ")", ""};
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
      if (!sent) return std::nullopt;
      return Broken{"client_cert_not_for_client_auth",
                    "the server refused the client certificate as not made for clients: its extendedKeyUsage lacks "
                    "clientAuth (" + alert + ")", ""};
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      if (!sent) return std::nullopt;
      return Broken{"client_cert_untrusted", "the server says the client certificate has expired (" + alert + ")", ""};
    default:
      return std::nullopt;
  }
}

Broken client_certificate_dropped(SSL* ssl, bool sent) {
  std::string what = "the server asked for a client certificate, then closed the connection without a word";
  if (!sent) return {"client_cert_missing", what + "; none was sent", ""};
  X509* mine = SSL_get_certificate(ssl);
  if (mine && (X509_get_extension_flags(mine) & EXFLAG_XKUSAGE) && !(X509_get_extended_key_usage(mine) & XKU_SSL_CLIENT))
    return {"client_cert_not_for_client_auth", what + "; the certificate sent lacks clientAuth in its extendedKeyUsage", ""};
  STACK_OF(X509_NAME)* named = SSL_get_client_CA_list(ssl);
  if (mine && named && sk_X509_NAME_num(named) > 0) {
    bool listed = false;
    for (int i = 0; i < sk_X509_NAME_num(named); ++i)
      listed = listed || X509_NAME_cmp(sk_X509_NAME_value(named, i), X509_get_issuer_name(mine)) == 0;
    if (!listed) {
      char issuer[256] = {0};
      X509_NAME_oneline(X509_get_issuer_name(mine), issuer, sizeof issuer);
      return {"client_cert_untrusted",
              what + "; the certificate sent is issued by " + issuer + ", not by a CA the server named", ""};
    }
  }
  return {"client_cert_untrusted", what + " after a certificate was sent: most likely it does not trust its issuer", ""};
}

}  // namespace devcert::diagnose
