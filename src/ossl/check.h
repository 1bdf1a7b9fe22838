// Error checks that drain the OpenSSL error queue into a devcert::Error.
#pragma once

#include <string>
#include <string_view>

namespace devcert::ossl {

// The queued OpenSSL errors as one line ("" when the queue is empty); clears the queue.
std::string drain_errors();

// Throws devcert::Error("<what>: <openssl reason>").
[[noreturn]] void throw_error(std::string_view what);

// For OpenSSL calls returning 1 on success (or a pointer): throws when rc is falsy.
template <class T>
T check(T rc, std::string_view what) {
  if (!rc) throw_error(what);
  return rc;
}
inline void check_one(int rc, std::string_view what) {
  if (rc != 1) throw_error(what);
}

}  // namespace devcert::ossl
