// Writes JKS keystore bytes for tests (the layout of sun.security.provider.JavaKeyStore):
// enough to give the reader real files without a JVM. The digest is zeros: nothing checks it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pki/keys.h"
#include "trust/store.h"

namespace devcert::test {

// The DER bytes of a root, as a keystore holds them.
inline std::string certificate_der(const trust::CaCertificate& ca) {
  auto cert = pki::load_certificate(ca.pem, "test");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

class JksBuilder {
 public:
  explicit JksBuilder(int version) : version_(version) {}
  void trusted(const std::string& alias, const std::string& der) {
    number(2, 4);
    utf(alias);
    number(0, 8);
    cert(der);
    ++count_;
  }
  void key(const std::string& alias, const std::vector<std::string>& chain) {
    number(1, 4);
    utf(alias);
    number(0, 8);
    number(3, 4);
    body_ += "KEY";
    number(chain.size(), 4);
    for (const auto& der : chain) cert(der);
    ++count_;
  }
  std::string bytes() const {
    std::string head;
    put(head, 0xFEEDFEED, 4);
    put(head, version_, 4);
    put(head, count_, 4);
    return head + body_ + std::string(20, '\0');
  }

 private:
  static void put(std::string& out, std::uint64_t v, int size) {
    for (int i = size - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void number(std::uint64_t v, int size) { put(body_, v, size); }
  void utf(const std::string& s) {
    number(s.size(), 2);
    body_ += s;
  }
  void cert(const std::string& der) {
    if (version_ == 2) utf("X.509");
    number(der.size(), 4);
    body_ += der;
  }
  int version_;
  std::uint32_t count_ = 0;
  std::string body_;
};

}  // namespace devcert::test
