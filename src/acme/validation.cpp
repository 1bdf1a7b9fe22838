#include "acme/validation.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ossl/digest.h"
#include "pki/cert_names.h"
#include "pki/names.h"
#include "util/text.h"
#include "wss/asio.h"

namespace devcert::acme {
namespace {

namespace asio = wss::asio;
namespace beast = wss::beast;
namespace http = wss::http;
using wss::tcp;
using wss::use_tuple;

// Where the identifier points: itself for an address, the resolver's answers for a name.
asio::awaitable<std::vector<tcp::endpoint>> resolve(const Identifier& id, std::uint16_t port,
                                                    std::optional<Problem>& problem) {
  std::vector<tcp::endpoint> out;
  if (id.type == "ip") {
    out.emplace_back(asio::ip::make_address(id.value), port);
    co_return out;
  }
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [ec, results] = co_await resolver.async_resolve(id.value, std::to_string(port), use_tuple);
  if (ec) {
    problem = Problem("dns", "cannot resolve " + id.value + ": " + ec.message());
    co_return out;
  }
  for (const auto& r : results) out.push_back(r.endpoint());
  co_return out;
}

// RFC 8738 section 6: an address's tls-alpn-01 SNI is its reverse-DNS name.
std::string reverse_name(const std::string& ip) {
  auto a = asio::ip::make_address(ip);
  std::string out;
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    for (int i = 3; i >= 0; --i) out += std::to_string(b[i]) + ".";
    return out + "in-addr.arpa";
  }
  auto b = a.to_v6().to_bytes();
  const char* hex = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += hex[b[i] & 0xf];
    out += '.';
    out += hex[b[i] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

asio::awaitable<std::optional<Problem>> http01(const ValidationJob& job, std::uint16_t port) {
  std::optional<Problem> problem;
  std::vector<tcp::endpoint> endpoints = co_await resolve(job.identifier, port, problem);
  if (problem) co_return problem;
  std::string url = "http://" + text::host_port(job.identifier.value, port) + "/.well-known/acme-challenge/" + job.token;
  std::vector<std::string> tried;
  for (const auto& ep : endpoints) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    auto [cec] = co_await stream.async_connect(ep, use_tuple);
    if (cec) {
      tried.push_back(wss::endpoint_text(ep) + ": " + cec.message());
      continue;
    }
    http::request<http::empty_body> req{http::verb::get, "/.well-known/acme-challenge/" + job.token, 11};
    req.set(http::field::host, text::host_port(job.identifier.value, port));
    req.set(http::field::user_agent, "devcert-acme");
    auto [wec, w] = co_await http::async_write(stream, req, use_tuple);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(4096);
    auto [rec, r] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (wec || rec) {
      tried.push_back(wss::endpoint_text(ep) + ": " + (wec ? wec : rec).message());
      continue;
    }
    const auto& res = parser.get();
    if (res.result_int() != 200)
      co_return Problem("unauthorized", "GET " + url + " at " + wss::endpoint_text(ep) + " answered " +
                                            std::to_string(res.result_int()) + ", not 200 with the key authorization",
                        403);
    std::string body = res.body();
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
    if (body != job.key_authorization)
      co_return Problem("incorrectResponse", "GET " + url + " at " + wss::endpoint_text(ep) + " answered \"" +
                                                 text::printable(body.substr(0, 128)) +
                                                 "\", not the key authorization \"" + job.key_authorization + "\"",
                        403);
    co_return std::nullopt;
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : "; ") + t;
  co_return Problem("connection", "http-01: GET " + url + " failed: " + list);
}

// The acmeIdentifier extension (RFC 8737 section 3): critical, an OCTET STRING holding the
// SHA-256 of the key authorization.
std::optional<std::string> acme_identifier_problem(X509* cert, const ValidationJob& job) {
  auto sans = pki::alt_names(cert);
  if (sans.size() != 1) return "its certificate must have exactly one subjectAltName";
  bool dns_or_ip = sans[0].kind == pki::AltName::Kind::dns || sans[0].kind == pki::AltName::Kind::ip;
  std::string value = dns_or_ip ? sans[0].value : std::string();
  if (value != job.identifier.value) return "its certificate names " + text::printable(value) + ", not " + job.identifier.value;
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1), ASN1_OBJECT_free);
  int at = X509_get_ext_by_OBJ(cert, oid.get(), -1);
  if (at < 0) return "its certificate has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31)";
  X509_EXTENSION* ext = X509_get_ext(cert, at);
  if (!X509_EXTENSION_get_critical(ext)) return "its acmeIdentifier extension is not critical";
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const unsigned char* p = ASN1_STRING_get0_data(data);
  ossl::Asn1OctetString inner(d2i_ASN1_OCTET_STRING(nullptr, &p, ASN1_STRING_length(data)));
  std::string want = ossl::digest(EVP_sha256(), job.key_authorization);
  if (!inner || std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(inner.get())),
                            ASN1_STRING_length(inner.get())) != want)
    return "its acmeIdentifier is not the SHA-256 of the key authorization";
  return std::nullopt;
}

asio::awaitable<std::optional<Problem>> tls_alpn01(const ValidationJob& job, std::uint16_t port) {
  std::optional<Problem> problem;
  std::vector<tcp::endpoint> endpoints = co_await resolve(job.identifier, port, problem);
  if (problem) co_return problem;
  std::string sni = job.identifier.type == "ip" ? reverse_name(job.identifier.value) : job.identifier.value;
  std::vector<std::string> tried;
  for (const auto& ep : endpoints) {
    wss::ssl::context ctx(wss::ssl::context::tls_client);
    ctx.set_verify_mode(wss::ssl::verify_none);  // the certificate is self-signed by design
    beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), sni.c_str());
    static const unsigned char kAlpn[] = "\x0a" "acme-tls/1";
    SSL_set_alpn_protos(stream.native_handle(), kAlpn, sizeof kAlpn - 1);
    auto [cec] = co_await beast::get_lowest_layer(stream).async_connect(ep, use_tuple);
    if (cec) {
      tried.push_back(wss::endpoint_text(ep) + ": " + cec.message());
      continue;
    }
    auto [hec] = co_await stream.async_handshake(wss::ssl::stream_base::client, use_tuple);
    if (hec) {
      tried.push_back(wss::endpoint_text(ep) + ": TLS handshake: " + hec.message());
      continue;
    }
    const unsigned char* alpn = nullptr;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(stream.native_handle(), &alpn, &alpn_len);
    if (std::string_view(reinterpret_cast<const char*>(alpn), alpn_len) != "acme-tls/1")
      co_return Problem("tls", "tls-alpn-01 at " + wss::endpoint_text(ep) + ": the server did not choose ALPN acme-tls/1");
    ossl::X509Ptr cert(SSL_get1_peer_certificate(stream.native_handle()));
    if (!cert) co_return Problem("tls", "tls-alpn-01 at " + wss::endpoint_text(ep) + ": no certificate");
    if (auto why = acme_identifier_problem(cert.get(), job))
      co_return Problem("incorrectResponse", "tls-alpn-01 at " + wss::endpoint_text(ep) + " (SNI " + sni + "): " + *why, 403);
    co_return std::nullopt;
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : "; ") + t;
  co_return Problem("connection", "tls-alpn-01: connecting to " + job.identifier.value + " port " +
                                      std::to_string(port) + " (SNI " + sni + ", ALPN acme-tls/1) failed: " + list);
}

}  // namespace

std::optional<Problem> check_challenge(const ValidationJob& job, const ValidationPorts& ports) {
  asio::io_context ioc;
  std::optional<std::optional<Problem>> result;
  asio::co_spawn(ioc, job.type == "http-01" ? http01(job, ports.http) : tls_alpn01(job, ports.tls),
                 [&](std::exception_ptr e, std::optional<Problem> p) {
                   if (e) result = Problem("serverInternal", "the check of " + job.type + " failed", 500);
                   else result = std::move(p);
                 });
  ioc.run_for(ports.timeout);
  if (!result)
    return Problem("connection", job.type + " for " + job.identifier.value + ": no answer within " +
                                     std::to_string(ports.timeout.count() / 1000) + " s (port " +
                                     std::to_string(job.type == "http-01" ? ports.http : ports.tls) + ")");
  return *result;
}

}  // namespace devcert::acme
