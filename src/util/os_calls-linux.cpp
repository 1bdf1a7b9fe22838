#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc 2.28)
#include <unistd.h>

#include "util/os_calls.h"

namespace devcert::os_calls {

int rename_no_replace(const char* from, const char* to) {
  return ::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

bool cloexec_pipe(int fd[2]) { return ::pipe2(fd, O_CLOEXEC) == 0; }

}  // namespace devcert::os_calls
