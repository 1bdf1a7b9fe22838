// Where the server's certificate comes from: minted in memory from the devcert CA, or the
// user's own files.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pki/ca.h"
#include "wss/tls.h"

namespace devcert::wss {

// The names every local client uses for this machine.
inline const std::vector<std::string> kLoopbackNames = {"localhost", "127.0.0.1", "::1"};

// A leaf for `names`, valid for one day: it lives only in this process, so nothing is gained
// by a longer life, and a leaked one expires before it matters.
ServerIdentity mint_identity(const pki::CertificateAuthority& ca,
                             const std::vector<std::string>& names);

// The certificate file (leaf first, then any intermediates) and its key. Throws
// devcert::Error naming the file and the fix.
ServerIdentity load_identity(const std::string& cert_file, const std::string& key_file);

}  // namespace devcert::wss
