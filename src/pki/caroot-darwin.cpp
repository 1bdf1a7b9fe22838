#include <pwd.h>
#include <unistd.h>

#include "error.h"
#include "pki/ca.h"

namespace devcert::pki {

stdfs::path platform_data_dir(const Environment& env) {
  std::string home = env.get("HOME");
  if (home.empty())
    if (const passwd* pw = getpwuid(getuid())) home = pw->pw_dir;
  if (home.empty())
    throw Error("cannot find a home directory for the CAROOT", "set DEVCERT_CAROOT to a directory");
  return stdfs::path(home) / "Library" / "Application Support";
}

}  // namespace devcert::pki
