// The certificate, trust and hostname stages: verdicts on what the server presented, judged from
// every error OpenSSL's verification reported (the handshake's verify callback collects them all
// and lets the handshake go on), never from the first alone. OpenSSL checks the host name before
// the validity dates and stops at the first error unless told to go on, so a leaf that is both
// expired and for another name would otherwise look merely misnamed.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "diagnose/broken.h"
#include "diagnose/url.h"

namespace devcert::diagnose {

struct VerifyError {
  int code = X509_V_OK;  // X509_V_ERR_*
  int depth = 0;
};

struct PresentedChain {
  X509* leaf = nullptr;
  STACK_OF(X509)* untrusted = nullptr;  // what the server sent after the leaf
  std::vector<VerifyError> errors;      // every error of the handshake's verification
};

// Each returns the stage's detail, or throws Broken.
// Dates, key size, extended key usage: what is wrong with the certificates themselves.
std::string judge_certificate(const PresentedChain& chain);
// Whether the chain leads to a trusted root. `only_ca`: the trust was only the certificates
// called `ca_name` (--ca, or the devcert root in the self test); otherwise it was the system
// store, and `devcert_ca_pem` (may be "") tells a devcert leaf whose root is not installed from
// any other unknown issuer.
std::string judge_trust(const PresentedChain& chain, const std::string& ca_name, bool only_ca,
                        const std::string& devcert_ca_pem);
// Whether the leaf names the host (SAN only, as browsers read it).
std::string judge_hostname(const PresentedChain& chain, const Endpoint& endpoint);

// Every problem with the certificates themselves (dates, key size, key usage), in the order
// judge_certificate names them: it throws the first.
std::vector<Broken> certificate_problems(const PresentedChain& chain);
// Every problem the three verdicts above find, none stopping the others, in stage order
// (certificate, trust, hostname): the first is what the walk stopped at.
std::vector<Broken> every_problem(const PresentedChain& chain, const std::string& ca_name, bool only_ca,
                                  const std::string& devcert_ca_pem, const Endpoint& endpoint);
// The host names and IP addresses the leaf is for (its DNS and IP SANs, else its CN), in its
// order, for a fix that issues a leaf keeping them.
std::vector<std::string> names_in(X509* leaf);

}  // namespace devcert::diagnose
