// A verifying TLS + WebSocket client whose every stage is a separate step with its own result
// and time, so that a checklist (verify-server) or a diagnosis can report them one by one.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ossl/handles.h"
#include "wss/asio.h"
#include "wss/tls.h"

namespace devcert::wss {

struct Step {
  enum class Status { ok, failed, skipped };
  std::string name;  // "tcp", "tls", "certificate", "hostname", "upgrade", "text echo", ...
  Status status = Status::skipped;
  std::string detail;
  std::chrono::microseconds elapsed{0};

  bool ok() const { return status == Status::ok; }
};

struct ClientOptions {
  std::string host;        // as in the URL: the name checked against the SAN and sent as SNI
  std::uint16_t port = 0;
  std::string connect_to;  // address to dial instead of resolving `host` ("" = resolve host)
  std::string target = "/";
  std::string origin;      // "" = https://HOST:PORT, what a page on the same server sends
  Trust trust;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);  // per step
  std::size_t large_message = 1024 * 1024;
};

// One connection, driven step by step. Each step returns its result; a step run after a failed
// one reports itself as skipped.
class EchoClient {
 public:
  EchoClient(asio::any_io_executor executor, ClientOptions options);
  ~EchoClient();

  awaitable<Step> connect();        // "tcp": resolve and dial, each address in turn
  awaitable<Step> tls_handshake();  // "tls": version and cipher, even when verification aborts
  Step certificate() const;         // "certificate": the chain verified against the trust
  Step hostname() const;            // "hostname": the SAN names the host (never the CN)
  awaitable<Step> upgrade();        // "upgrade": HTTP 101 with a correct Sec-WebSocket-Accept
  awaitable<Step> echo(std::string name, std::string payload, bool binary);
  awaitable<Step> ping();           // "ping": a pong with the same payload comes back
  awaitable<Step> close();          // "close": close 1000 and the server's answer

  const std::optional<TlsFacts>& tls() const { return tls_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<TlsFacts> tls_;
};

// Every step in order on one connection; stops at the first failure and lists the remaining
// steps as skipped. Blocking: runs its own io_context.
std::vector<Step> run_echo_check(const ClientOptions& options);

// Only tcp, tls, certificate and hostname: does this trust accept the server?
std::vector<Step> run_trust_check(const ClientOptions& options);

// "localhost:8443" or "[::1]:8443": the Host header and URL authority.
std::string host_port(const std::string& host, std::uint16_t port);

}  // namespace devcert::wss
