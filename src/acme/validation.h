// Checking a challenge the way a public CA does, for `devcert acme --validate`: http-01 (RFC
// 8555 section 8.3) fetches the key authorization over plain HTTP, tls-alpn-01 (RFC 8737) reads
// it from a certificate presented under ALPN "acme-tls/1". Each check is bounded in time and in
// what it reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "acme/service.h"

namespace devcert::acme {

struct ValidationPorts {
  std::uint16_t http = 80;
  std::uint16_t tls = 443;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// nullopt when the challenge passed; else a problem (connection, dns, incorrectResponse, tls,
// unauthorized) that says what was tried: which address, which port, which URL.
std::optional<Problem> check_challenge(const ValidationJob& job, const ValidationPorts& ports);

}  // namespace devcert::acme
