#include "wss/tls.h"

#include <openssl/err.h>

#include <cstring>

#include "error.h"
#include "ossl/check.h"
#include "pki/keys.h"

namespace devcert::wss {
namespace {

// Mozilla Server Side TLS, "intermediate" configuration (ssl-config.mozilla.org, guideline
// 5.7): every browser and runtime of the last years, and nothing without forward secrecy.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";

// ALPN wire format: length-prefixed protocol names.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnHttp11, sizeof kAlpnHttp11, in, inlen) ==
      OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  // A client offering only h2 still gets HTTP/1.1 without ALPN instead of a fatal alert.
  return SSL_TLSEXT_ERR_NOACK;
}

void set_common(SSL_CTX* ctx) {
  ossl::check_one(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION), "TLS minimum version");
  ossl::check_one(SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION), "TLS maximum version");
  ossl::check_one(SSL_CTX_set_cipher_list(ctx, kTls12Ciphers), "TLS 1.2 cipher list");
  ossl::check_one(SSL_CTX_set_ciphersuites(ctx, kTls13Suites), "TLS 1.3 cipher suites");
  ossl::check_one(SSL_CTX_set1_groups_list(ctx, kGroups), "TLS groups");
}

}  // namespace

ssl::context make_server_context(const ServerIdentity& identity) {
  ssl::context ctx(ssl::context::tls_server);
  SSL_CTX* native = ctx.native_handle();
  set_common(native);
  // "intermediate" leaves the cipher order to the client (it knows whether it has AES hardware).
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_dh_auto(native, 1);
  ossl::check_one(SSL_CTX_use_certificate(native, identity.cert.get()), "server certificate");
  for (const auto& extra : identity.chain)
    ossl::check_one(static_cast<int>(SSL_CTX_add1_chain_cert(native, extra.get())),
                    "certificate chain");
  if (SSL_CTX_use_PrivateKey(native, identity.key.get()) != 1 ||
      SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw Error("the private key does not belong to the certificate",
                "pass the key file written together with this certificate");
  }
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  return ctx;
}

void require_client_certificates(ssl::context& ctx, const std::string& ca_pem) {
  SSL_CTX* native = ctx.native_handle();
  X509_STORE* store = X509_STORE_new();
  SSL_CTX_set_cert_store(native, store);
  std::vector<ossl::X509Ptr> cas = pki::load_certificates(ca_pem, "--client-ca");
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  for (auto& cert : cas) {
    X509_STORE_add_cert(store, cert.get());
    // The CertificateRequest names the CA, so a client holding several certificates picks ours.
    sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(cert.get())));
  }
  SSL_CTX_set_client_CA_list(native, names);
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // A server that verifies clients must name its session cache, or OpenSSL refuses every
  // resumed session ("session id context uninitialized"): Chromium resumes one for the page's
  // WebSocket after loading the page.
  static const unsigned char kSessionContext[] = "devcert serve";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  // OpenSSL verifies a client's certificate for the sslclient purpose: clientAuth, when the
  // certificate has an extendedKeyUsage at all.
  SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT);
}

ssl::context make_client_context(const Trust& trust) {
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX* native = ctx.native_handle();
  set_common(native);
  ctx.set_verify_mode(ssl::verify_peer);
  if (trust.system_store) ctx.set_default_verify_paths();
  for (const auto& pem : trust.ca_pems) {
    error_code ec;
    ctx.add_certificate_authority(asio::buffer(pem), ec);
    if (ec) throw Error("cannot use the CA certificate to trust: " + ec.message());
  }
  ossl::check(SSL_CTX_set_alpn_protos(native, kAlpnHttp11, sizeof kAlpnHttp11) == 0,
              "ALPN protocols");
  return ctx;
}

TlsFacts tls_facts(SSL* ssl) {
  TlsFacts facts;
  facts.version = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) facts.cipher = cipher;
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn) facts.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) facts.sni = sni;
  return facts;
}

}  // namespace devcert::wss
