#include "trust/store.h"

#include "pki/inspect.h"
#include "pki/keys.h"
#include "util/fs.h"

namespace devcert::trust {

CaCertificate CaCertificate::from_file(const stdfs::path& pem_file) {
  std::string text = fs::read_file(pem_file);
  return from_certificate(pki::load_certificate(text, pem_file.string()).get(), pem_file);
}

CaCertificate CaCertificate::from_certificate(X509* cert, const stdfs::path& pem_file) {
  CaCertificate ca;
  ca.file = pem_file;
  ca.pem = pki::certificate_pem(cert);
  ca.fingerprint = pki::fingerprint_sha256(cert);
  ca.fingerprint_hex = pki::fingerprint_hex(cert);
  ca.name = "devcert-" + ca.fingerprint_hex.substr(0, 16);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha1(), md, &len);
  static const char* hex = "0123456789ABCDEF";
  for (unsigned i = 0; i < len; ++i) ca.sha1_hex += {hex[md[i] >> 4], hex[md[i] & 15]};
  ca.not_after = pki::iso_time(X509_get0_notAfter(cert));
  return ca;
}

bool CaCertificate::matches_pem(std::string_view pem) const {
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) return false;
  try {
    for (const auto& cert : pki::load_certificates(pem, "a trust store entry"))
      if (pki::fingerprint_hex(cert.get()) == fingerprint_hex) return true;
  } catch (const std::exception&) {
    // A file we cannot parse is not ours.
  }
  return false;
}

std::string tool_message(const std::string& err, const std::string& out) {
  std::string text = err.find_first_not_of(" \n\r\t") != std::string::npos ? err : out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  for (char& c : text)
    if (c == '\n') c = ' ';
  return text.empty() ? "(no message)" : text;
}

}  // namespace devcert::trust
