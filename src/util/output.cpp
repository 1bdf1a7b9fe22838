#include "util/output.h"

#include <unistd.h>

#include <cstdlib>

#include "util/progress.h"
#include "util/text.h"

namespace devcert {

bool want_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

Output::Output(std::ostream& out, std::ostream& err) : out_(out), err_(err) {
  color_out = &out == &std::cout && want_color(STDOUT_FILENO);
  color_err = &err == &std::cerr && want_color(STDERR_FILENO);
}

std::string Output::paint(bool color, std::string_view code, std::string_view text) {
  if (!color) return std::string(text);
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}

std::ostream& Output::err() {
  progress::erase();
  return err_;
}

void Output::line(std::string_view text) {
  if (quiet) return;
  progress::erase();  // a terminal's stdout and stderr share one screen
  out_ << text::printable_lines(text) << "\n" << std::flush;
}

void Output::note(std::string_view text) {
  if (!quiet) err() << paint(color_err, "1;36", "note:") << " " << text::printable_lines(text) << "\n" << std::flush;
}

void Output::warning(std::string_view text) {
  err() << paint(color_err, "1;33", "warning:") << " " << text::printable_lines(text) << "\n" << std::flush;
}

void Output::error(std::string_view text, std::string_view fix) {
  err() << paint(color_err, "1;31", "error:") << " " << text::printable_lines(text) << "\n";
  if (!fix.empty()) err_ << paint(color_err, "1;36", "fix:") << " " << text::printable_lines(fix) << "\n";
  err_ << std::flush;
}

void Output::detail(std::string_view text) {
  if (verbose) err() << paint(color_err, "2", "verbose:") << " " << text::printable_lines(text) << "\n" << std::flush;
}

void Output::item(std::string_view indent, Mark mark, std::string_view text) {
  if (quiet) return;
  std::string drawn = mark == Mark::ok       ? paint(color_out, "32", "✓")
                      : mark == Mark::failed  ? paint(color_out, "31", "✗")
                      : mark == Mark::warning ? paint(color_out, "33", "!")
                                              : "-";
  progress::erase();
  out_ << text::printable(indent) << drawn << " " << text::printable_lines(text) << "\n" << std::flush;
}

}  // namespace devcert
