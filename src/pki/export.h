// Output formats beyond PEM.
#pragma once

#include <string>

#include "ossl/handles.h"

namespace devcert::pki {

// PKCS#12 holding the leaf, its key and the root (so Java and Windows get the whole chain),
// protected with `password`, DER encoded.
std::string pkcs12_der(X509* leaf, EVP_PKEY* key, X509* root, const std::string& password,
                       const std::string& friendly_name);

}  // namespace devcert::pki
