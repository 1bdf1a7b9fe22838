#include <cstdlib>

#include "error.h"
#include "pki/ca.h"

namespace devcert::pki {

stdfs::path platform_data_dir(const Environment& env) {
  std::string local = env.get("LOCALAPPDATA");
  if (local.empty())
    throw Error("%LOCALAPPDATA% is not set", "set DEVCERT_CAROOT to a directory");
  return local;
}

}  // namespace devcert::pki
