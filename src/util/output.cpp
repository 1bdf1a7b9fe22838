#include "util/output.h"

#include <unistd.h>

#include <cstdlib>

namespace devcert {

bool want_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

Output::Output(std::ostream& out, std::ostream& err) : out_(out), err_(err) {
  color = &err == &std::cerr && want_color(STDERR_FILENO);
}

std::string Output::paint(std::string_view code, std::string_view text) const {
  if (!color) return std::string(text);
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}

void Output::line(std::string_view text) {
  if (!quiet) out_ << text << "\n" << std::flush;
}

void Output::note(std::string_view text) {
  if (!quiet) err_ << paint("1;36", "note:") << " " << text << "\n" << std::flush;
}

void Output::warning(std::string_view text) {
  err_ << paint("1;33", "warning:") << " " << text << "\n" << std::flush;
}

void Output::error(std::string_view text, std::string_view fix) {
  err_ << paint("1;31", "error:") << " " << text << "\n";
  if (!fix.empty()) err_ << paint("1;36", "fix:") << " " << fix << "\n";
  err_ << std::flush;
}

void Output::detail(std::string_view text) {
  if (verbose) err_ << paint("2", "verbose:") << " " << text << "\n" << std::flush;
}

std::string Output::ok_mark() const { return paint("32", "✓"); }
std::string Output::fail_mark() const { return paint("31", "✗"); }
std::string Output::warn_mark() const { return paint("33", "!"); }

}  // namespace devcert
