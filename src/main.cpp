#include <csignal>

#include "cli/app.h"

int main(int argc, char** argv) {
  // A peer that resets a connection must end a write with EPIPE, not end devcert: OpenSSL's
  // socket BIO writes with write(), which has no MSG_NOSIGNAL. Child processes get the default
  // back (util/process-posix.cpp).
  std::signal(SIGPIPE, SIG_IGN);
  return devcert::cli::run_main(argc, argv);
}
