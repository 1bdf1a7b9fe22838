#include <fcntl.h>
#include <stdio.h>  // renamex_np, RENAME_EXCL (macOS 10.12)
#include <unistd.h>

#include <cerrno>

#include "util/os_calls.h"

namespace devcert::os_calls {

int rename_no_replace(const char* from, const char* to) { return ::renamex_np(from, to, RENAME_EXCL); }

// macOS has no pipe2: the flag is set right after pipe(), so a child spawned by another thread
// in between could inherit the ends (devcert starts its tools from one thread).
bool cloexec_pipe(int fd[2]) {
  if (::pipe(fd) != 0) return false;
  if (::fcntl(fd[0], F_SETFD, FD_CLOEXEC) == 0 && ::fcntl(fd[1], F_SETFD, FD_CLOEXEC) == 0) return true;
  int saved = errno;
  ::close(fd[0]);
  ::close(fd[1]);
  fd[0] = fd[1] = -1;
  errno = saved;
  return false;
}

}  // namespace devcert::os_calls
