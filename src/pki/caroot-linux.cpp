#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "error.h"
#include "pki/ca.h"

namespace devcert::pki {

// XDG Base Directory: $XDG_DATA_HOME, defaulting to ~/.local/share.
stdfs::path platform_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return xdg;
  std::string home;
  if (const char* h = std::getenv("HOME"); h && *h) home = h;
  else if (const passwd* pw = getpwuid(getuid())) home = pw->pw_dir;
  if (home.empty())
    throw Error("cannot find a home directory for the CAROOT", "set DEVCERT_CAROOT to a directory");
  return stdfs::path(home) / ".local" / "share";
}

}  // namespace devcert::pki
