// The few system calls that Linux and macOS spell differently, behind one name each, so that
// fs-posix.cpp and process-posix.cpp serve both: os_calls-linux.cpp, os_calls-darwin.cpp.
#pragma once

namespace devcert::os_calls {

// rename() that fails with EEXIST instead of replacing `to`; 0, or -1 with errno set. EINVAL,
// ENOSYS or ENOTSUP: the file system cannot do it (callers fall back to link()).
int rename_no_replace(const char* from, const char* to);

// pipe() with close-on-exec set on both ends, so no other child inherits them; false with errno.
bool cloexec_pipe(int fd[2]);

}  // namespace devcert::os_calls
