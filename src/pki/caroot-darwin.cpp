#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "error.h"
#include "pki/ca.h"

namespace devcert::pki {

stdfs::path platform_data_dir() {
  std::string home;
  if (const char* h = std::getenv("HOME"); h && *h) home = h;
  else if (const passwd* pw = getpwuid(getuid())) home = pw->pw_dir;
  if (home.empty())
    throw Error("cannot find a home directory for the CAROOT", "set DEVCERT_CAROOT to a directory");
  return stdfs::path(home) / "Library" / "Application Support";
}

}  // namespace devcert::pki
