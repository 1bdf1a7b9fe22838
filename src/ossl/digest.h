// A message digest as lowercase hex: certificate fingerprints, keystore and NSS lookups.
#pragma once

#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace devcert::ossl {

std::string digest(const EVP_MD* md, std::string_view bytes);  // the raw digest
std::string digest_hex(const EVP_MD* md, std::string_view bytes);

// Bytes as lowercase hex.
std::string hex(std::string_view bytes);

}  // namespace devcert::ossl
