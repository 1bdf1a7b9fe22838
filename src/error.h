// The one error type of devcert: what failed, why, and the command that fixes it.
#pragma once

#include <stdexcept>
#include <string>

namespace devcert {

// Exit codes, documented in man/devcert.1.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, std::string fix = {}, int exit_code = kExitFailure)
      : std::runtime_error(std::move(message)), fix_(std::move(fix)), exit_code_(exit_code) {}
  // The command or action that fixes the problem; empty when there is none to offer.
  const std::string& fix() const { return fix_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string fix_;
  int exit_code_;
};

// A name given on the command line that cannot go into a certificate.
class NameError : public Error {
 public:
  using Error::Error;
};

// Bad arguments: exit code 2, like any usage error.
class UsageError : public Error {
 public:
  explicit UsageError(std::string message, std::string fix = {})
      : Error(std::move(message), std::move(fix), kExitUsage) {}
};

}  // namespace devcert
