// The diagnosis's TLS client: an OpenSSL context that lets every handshake through far enough
// to judge it, and the TLS errors it names by cause.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/ssl.hpp>

#include "diagnose/broken.h"
#include "diagnose/diagnose.h"

namespace devcert::diagnose {

// Accepts any version down to TLS 1.0 and any key at security level 0, so that an old protocol or
// a weak key is seen and named instead of failing with an opaque error; verifies against --ca (or
// the system store) with the verify callback the walk sets, which collects and goes on. Presents
// --client-cert when the server asks. Throws UsageError for a client certificate or key that
// cannot be used.
boost::asio::ssl::context make_client_context(const DiagnoseOptions& options);

// Has verification check `host` against the leaf's SAN (never the CN, as browsers).
void expect_host(SSL* ssl, const std::string& host, bool is_ip);

// The OpenSSL reason of a TLS error (SSL_R_*), 0 for any other error.
int tls_reason(const boost::system::error_code& ec);

// The server refused every protocol version offered.
bool is_protocol_version_refusal(const boost::system::error_code& ec);

// The server's alert that refuses the client certificate (or its absence), as a cause; nullopt
// when `ec` is no such alert. In TLS 1.3 the server judges the client's certificate after the
// client's handshake has finished, so the alert arrives at the first read, in a later stage.
std::optional<Broken> client_certificate_refused(const boost::system::error_code& ec, bool requested, bool sent);

// The server asked for a client certificate, then dropped the connection without an alert
// before answering: Node (rejectUnauthorized) and Python's asyncio refuse so. Which refusal it
// was is judged from what was sent: none; a certificate without clientAuth; one whose issuer is
// not among the CAs the server named; otherwise, most likely, an issuer it does not trust.
Broken client_certificate_dropped(SSL* ssl, bool sent);

}  // namespace devcert::diagnose
