#include "ossl/digest.h"

#include "ossl/check.h"

namespace devcert::ossl {

std::string digest(const EVP_MD* md, std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check_one(EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr), "cannot compute a digest");
  return {reinterpret_cast<const char*>(out), len};
}

std::string digest_hex(const EVP_MD* md, std::string_view bytes) { return hex(digest(md, bytes)); }

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {kHex[c >> 4], kHex[c & 15]};
  return out;
}

}  // namespace devcert::ossl
