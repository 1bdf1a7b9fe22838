// Reads the entries of a Java KeyStore file (JKS, the format Debian's ca-certificates-java
// writes /etc/ssl/certs/java/cacerts in) without starting a JVM: which aliases it holds and
// which certificates, and one entry removed without it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace devcert::trust {

// The JDK's documented default password for cacerts ("changeit", keytool(1)), also what
// Debian's ca-certificates-java uses; not a secret.
inline constexpr const char* kCacertsPassword = "changeit";

struct KeystoreEntry {
  std::string alias;  // as stored: keytool lowercases JKS aliases
  std::string der;    // the certificate (a key entry: the first of its chain)
  std::size_t offset = 0, size = 0;  // where the whole entry lies in the file
};

// The entries of a JKS keystore; nullopt when `bytes` is not a JKS file (PKCS#12, JCEKS) or is
// malformed, and the caller falls back to keytool. The trailing integrity digest is not
// checked: it only guards against tampering, and keytool would read the same entries.
std::optional<std::vector<KeystoreEntry>> read_jks(std::string_view bytes);

// An entry whose certificate has this SHA-256 fingerprint (lowercase hex, no colons).
bool holds_fingerprint(const std::vector<KeystoreEntry>& entries, const std::string& sha256_hex);
bool holds_alias(const std::vector<KeystoreEntry>& entries, const std::string& alias);

// The keystore without the entry `alias`, every other entry byte for byte, and its integrity
// digest made anew with `password`. nullopt when `bytes` is not JKS, has no such entry, or its
// digest does not verify with `password` (a store devcert must not rewrite: keytool decides).
std::optional<std::string> jks_without_alias(std::string_view bytes, const std::string& alias,
                                             std::string_view password);

}  // namespace devcert::trust
