#include "diagnose/certificate_checks.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <initializer_list>

#include "diagnose/broken.h"
#include "ossl/handles.h"
#include "pki/cert_names.h"
#include "pki/inspect.h"
#include "pki/keys.h"

namespace devcert::diagnose {
namespace {

// Whether the certificate names a host at all (a DNS name or an IP address).
bool names_a_host(X509* cert) {
  auto names = pki::alt_names(cert);
  return std::any_of(names.begin(), names.end(), [](const pki::AltName& n) {
    return n.kind == pki::AltName::Kind::dns || n.kind == pki::AltName::Kind::ip;
  });
}

bool has_ca_issuers_url(X509* cert) {
  ossl::AuthorityInfoAccess aia(
      static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr)));
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i)
    if (OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia.get(), i)->method) == NID_ad_ca_issuers) return true;
  return false;
}

std::string subject_cn(X509* cert) { return pki::common_name(X509_get_subject_name(cert)); }

// What the certificate does name, for a mismatch message: its first SANs, or its CN.
std::string names_of(X509* cert) {
  pki::CertificateReport r = pki::inspect_certificate(cert, nullptr);
  std::string out;
  for (size_t i = 0; i < r.sans.size() && i < 5; ++i) out += (out.empty() ? "" : ", ") + r.sans[i].first + ":" + r.sans[i].second;
  if (r.sans.size() > 5) out += " and " + std::to_string(r.sans.size() - 5) + " more";
  if (out.empty()) out = subject_cn(cert).empty() ? "no names" : "CN " + subject_cn(cert);
  return "it names " + out;
}

// The first collected error among `codes`, in the order verification reported them.
const VerifyError* find(const PresentedChain& chain, std::initializer_list<int> codes) {
  auto it = std::find_if(chain.errors.begin(), chain.errors.end(), [&](const VerifyError& e) {
    return std::find(codes.begin(), codes.end(), e.code) != codes.end();
  });
  return it == chain.errors.end() ? nullptr : &*it;
}

std::string at_depth(const VerifyError& e) {
  return e.depth == 0 ? "the certificate" : "a certificate in the chain (depth " + std::to_string(e.depth) + ")";
}

// Errors judged by another stage than trust.
bool judged_elsewhere(int code) {
  switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return true;
    default:
      return false;
  }
}

bool chains_to(const std::string& pem, const PresentedChain& chain) {
  ossl::X509Store store(X509_STORE_new());
  for (auto& cert : pki::load_certificates(pem, "the devcert CA")) X509_STORE_add_cert(store.get(), cert.get());
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), chain.leaf, chain.untrusted);
  // Whose leaf it is does not depend on the dates: an expired devcert leaf is still ours, and
  // its expiry is judged by judge_certificate.
  X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), X509_V_FLAG_NO_CHECK_TIME);
  bool ok = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

std::vector<Broken> certificate_problems(const PresentedChain& chain) {
  std::vector<Broken> out;
  X509* leaf = chain.leaf;
  pki::CertificateReport report = pki::inspect_certificate(leaf, nullptr);
  if (const VerifyError* e = find(chain, {X509_V_ERR_CERT_NOT_YET_VALID}))
    out.push_back({"not_yet_valid", at_depth(*e) + " is not valid yet" +
                                        (e->depth == 0 ? " (not before " + report.not_before + ")" : ""), ""});
  if (const VerifyError* e = find(chain, {X509_V_ERR_CERT_HAS_EXPIRED}))
    out.push_back({"expired", e->depth == 0 ? "the certificate expired on " + report.not_after : at_depth(*e) + " has expired", ""});
  // The handshake runs at security level 0 so that a weak key is seen and named here.
  EVP_PKEY* key = X509_get0_pubkey(leaf);
  int bits = key ? EVP_PKEY_get_bits(key) : 0;
  if (key && ((pki::is_rsa(key) && bits < 2048) || (EVP_PKEY_is_a(key, "EC") && bits < 256)))
    out.push_back({"weak_key", "the certificate's key is " + report.key + ", below what clients accept", ""});
  if (find(chain, {X509_V_ERR_INVALID_PURPOSE}))
    out.push_back({"missing_server_auth", (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) &&
                                                  !(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER)
                                              ? "the certificate's extendedKeyUsage lacks serverAuth"
                                              : "a certificate in the chain is not for TLS servers",
                   ""});
  return out;
}

std::string judge_certificate(const PresentedChain& chain) {
  if (auto problems = certificate_problems(chain); !problems.empty()) throw problems.front();
  X509* leaf = chain.leaf;
  pki::CertificateReport report = pki::inspect_certificate(leaf, nullptr);
  std::string who = subject_cn(leaf);
  if (who.empty() && !report.sans.empty()) who = report.sans.front().second;
  int served = 1 + (chain.untrusted ? sk_X509_num(chain.untrusted) : 0);
  return (who.empty() ? std::string("leaf") : "'" + who + "'") + ", " + report.key + ", valid until " + report.not_after +
         ", " + std::to_string(served) + " certificate" + (served > 1 ? "s" : "") + " served";
}

std::string judge_trust(const PresentedChain& chain, const std::string& ca_name, bool only_ca,
                        const std::string& devcert_ca_pem) {
  auto failure = std::find_if(chain.errors.begin(), chain.errors.end(), [](const VerifyError& e) { return !judged_elsewhere(e.code); });
  if (failure == chain.errors.end()) {
    if (only_ca) return "chains to a root in " + ca_name;
    return !devcert_ca_pem.empty() && chains_to(devcert_ca_pem, chain) ? "issued by your devcert CA, trusted by the system store"
                                                                       : "chains to a root in the system store";
  }
  if (!only_ca && !devcert_ca_pem.empty() && chains_to(devcert_ca_pem, chain))
    throw Broken{"ca_not_installed", "issued by your devcert CA, which is not installed in the system store", ""};
  std::string text = X509_verify_cert_error_string(failure->code);
  switch (failure->code) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      throw Broken{"self_signed", "the certificate is self-signed (" + text + ")", ""};
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
      throw Broken{"name_constraint_violation", "the issuing CA may not vouch for this name (" + text + ")", ""};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
      // The last certificate served is not a root, and it names where its issuer can be
      // fetched (AIA caIssuers, as public CA certificates do): the server left out an
      // intermediate that clients do not have. Without that pointer the issuer is unknown.
      int n = chain.untrusted ? sk_X509_num(chain.untrusted) : 0;
      X509* top = n ? sk_X509_value(chain.untrusted, n - 1) : chain.leaf;
      bool self_issued = X509_check_issued(top, top) == X509_V_OK;
      if (!self_issued && has_ca_issuers_url(top))
        throw Broken{"chain_incomplete", "the server sent " + std::to_string(n + 1) + " certificate" + (n ? "s" : "") +
                                             " but not the intermediate that issued '" + subject_cn(top) + "'", ""};
      throw Broken{"unknown_issuer", "issued by a CA this machine does not trust (" + text + ")", ""};
    }
    default:
      throw Broken{"unknown_issuer", "the chain does not verify: " + text, ""};
  }
}

std::string judge_hostname(const PresentedChain& chain, const Endpoint& ep) {
  X509* leaf = chain.leaf;
  bool names_nothing = !names_a_host(leaf);
  if (ep.host_is_ip) {
    if (!find(chain, {X509_V_ERR_IP_ADDRESS_MISMATCH})) return "IP " + ep.host + " is in the SAN";
    if (names_nothing && subject_cn(leaf) == ep.host)
      throw Broken{"cn_only", ep.host + " is only in the CN; clients read only the SAN", ""};
    throw Broken{"ip_mismatch", ep.host + " is not an IP SAN of the certificate (" + names_of(leaf) + ")", "devcert issue " + ep.host};
  }
  if (!find(chain, {X509_V_ERR_HOSTNAME_MISMATCH})) return ep.host + " is in the SAN";
  if (names_nothing && X509_check_host(leaf, ep.host.c_str(), ep.host.size(), 0, nullptr) == 1)
    throw Broken{"cn_only", ep.host + " is only in the CN; browsers, Node and Python read only the SAN", ""};
  throw Broken{"hostname_mismatch", "the certificate does not name " + ep.host + " (" + names_of(leaf) + ")",
               "devcert issue " + ep.host};
}

std::vector<Broken> every_problem(const PresentedChain& chain, const std::string& ca_name, bool only_ca,
                                  const std::string& devcert_ca_pem, const Endpoint& endpoint) {
  std::vector<Broken> out = certificate_problems(chain);
  try {
    judge_trust(chain, ca_name, only_ca, devcert_ca_pem);
  } catch (const Broken& b) {
    out.push_back(b);
  }
  try {
    judge_hostname(chain, endpoint);
  } catch (const Broken& b) {
    out.push_back(b);
  }
  return out;
}

std::vector<std::string> names_in(X509* leaf) {
  pki::CertificateReport r = pki::inspect_certificate(leaf, nullptr);
  std::vector<std::string> out;
  for (const auto& [type, value] : r.sans)
    if ((type == "DNS" || type == "IP") && std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  if (out.empty() && !subject_cn(leaf).empty()) out.push_back(subject_cn(leaf));
  return out;
}

}  // namespace devcert::diagnose
