#include <pwd.h>
#include <unistd.h>

#include "error.h"
#include "pki/ca.h"

namespace devcert::pki {

// XDG Base Directory: $XDG_DATA_HOME, defaulting to ~/.local/share.
stdfs::path platform_data_dir(const Environment& env) {
  if (std::string xdg = env.get("XDG_DATA_HOME"); !xdg.empty()) return xdg;
  std::string home = env.get("HOME");
  if (home.empty())
    if (const passwd* pw = getpwuid(getuid())) home = pw->pw_dir;
  if (home.empty())
    throw Error("cannot find a home directory for the CAROOT", "set DEVCERT_CAROOT to a directory");
  return stdfs::path(home) / ".local" / "share";
}

}  // namespace devcert::pki
