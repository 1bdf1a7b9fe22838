// What a devcert root and a devcert leaf look like, as data. Each default carries its why.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "pki/constraints.h"
#include "pki/keys.h"

namespace devcert::pki {

struct RootProfile {
  KeyType key_type = KeyType::ecdsa_p256;
  int days = 3650;  // 10 years: a development root should outlive the projects it serves
  bool constrained = true;
  PermittedSet permitted = default_permitted();
  std::string user_host;  // "user@host": OU, and part of the CN (iOS lists roots by CN)
};

// Apple platforms reject TLS server certificates valid for more than 825 days
// (support.apple.com/HT210176); Chrome and every other client accept that too.
inline constexpr int kMaxLeafDays = 825;

// OpenSSL (openssl, curl, Python, Node) and Chromium's BoringSSL refuse a Certificate message
// over 100 KiB, "excessive message size" (measured: bench/leaf_size_clients.py); 4 KiB of that
// is left for the root that a full chain carries beside the leaf.
inline constexpr size_t kMaxLeafDerBytes = 96 * 1024;

struct LeafProfile {
  KeyType key_type = KeyType::ecdsa_p256;
  int days = kMaxLeafDays - 1;  // the whole validity, backdating included, stays under 825 days
  bool client_auth = false;
  // notBefore lies this far in the past, so a client whose clock runs a little behind (a VM,
  // a phone) still accepts a certificate minted a moment ago.
  std::chrono::seconds backdate = std::chrono::hours(1);
};

}  // namespace devcert::pki
