#include "ossl/check.h"

#include <openssl/err.h>

#include "error.h"

namespace devcert::ossl {

std::string drain_errors() {
  std::string out;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    const char* reason = ERR_reason_error_string(code);
    if (!out.empty()) out += "; ";
    out += reason ? reason : ("error " + std::to_string(code));
  }
  return out;
}

void throw_error(std::string_view what) {
  std::string reason = drain_errors();
  std::string message(what);
  if (!reason.empty()) message += ": " + reason;
  throw Error(message);
}

}  // namespace devcert::ossl
