#include <openssl/err.h>
#include <openssl/pem.h>

#include "error.h"
#include "fuzz/targets.h"
#include "pki/keys.h"

namespace devcert::fuzz {

// The key reader (the CA key, `devcert serve --key`): any text is read or refused with an
// Error. A key that is read is the one OpenSSL's own reader finds in the same text (devcert reads
// plain PKCS#8 EC keys itself, pki/keys.cpp), and it writes back as PEM that reads to it again.
void private_key(std::string_view data) {
  ossl::Pkey key;
  try {
    key = pki::load_private_key(data, "fuzz input");
  } catch (const Error&) {
    return;
  }
  DEVCERT_FUZZ_CHECK(key);
  ossl::Bio bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  ossl::Pkey theirs(PEM_read_bio_PrivateKey(bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  ERR_clear_error();
  DEVCERT_FUZZ_CHECK(theirs && EVP_PKEY_eq(key.get(), theirs.get()) == 1);
  ossl::Pkey again = pki::load_private_key(pki::private_key_pem(key.get()), "its own PEM");
  DEVCERT_FUZZ_CHECK(EVP_PKEY_eq(again.get(), key.get()) == 1);
}

}  // namespace devcert::fuzz
