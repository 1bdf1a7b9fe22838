#include "util/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "util/text.h"

namespace devcert {

bool want_color(int fd, const Environment& env) {
  if (!env.get("NO_COLOR").empty()) return false;
  if (env.get("TERM") == "dumb") return false;
  return ::isatty(fd) == 1;
}

bool locale_is_utf8(const Environment& env) {
  std::string name;
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    name = env.get(var);
    if (!name.empty()) break;
  }
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name.find("utf-8") != std::string::npos || name.find("utf8") != std::string::npos;
}

namespace {

// Columns of UTF-8 text, counting each code point as one.
std::size_t columns(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::size_t terminal_width(int fd) {
  winsize size{};
  if (::isatty(fd) != 1 || ::ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

}  // namespace

std::string wrap(std::string_view text, std::size_t width, std::size_t indent) {
  if (width == 0 || width <= indent + 10) return std::string(text);
  // The first line follows a label as wide as `indent` ("fix: "), the others the indent itself.
  const std::size_t room = width - indent;
  std::string out, line;
  auto flush = [&] {
    if (!out.empty()) out += "\n" + std::string(indent, ' ');
    out += line;
    line.clear();
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of(" \n", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!line.empty() && columns(line) + 1 + columns(word) > room) flush();
    if (!line.empty()) line += ' ';
    line += word;
    if (end < text.size() && text[end] == '\n') flush();  // a line break the text asked for
    start = end + 1;
  }
  if (!line.empty()) flush();
  return out;
}

Output::Output(std::ostream& out, std::ostream& err, const Environment& env) : out_(out), err_(err) {
  color_out = &out == &std::cout && want_color(STDOUT_FILENO, env);
  color_err = &err == &std::cerr && want_color(STDERR_FILENO, env);
  unicode = locale_is_utf8(env);
  if (&err == &std::cerr) err_width = terminal_width(STDERR_FILENO);
}

std::string Output::paint(bool color, std::string_view code, std::string_view text) {
  if (!color) return std::string(text);
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}

std::ostream& Output::err() {
  progress_.erase();
  return err_;
}

void Output::line(std::string_view text) {
  if (quiet) return;
  progress_.erase();  // a terminal's stdout and stderr share one screen
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
  if (!fix.empty())
    err_ << paint(color_err, "1;36", "fix:") << " " << wrap(text::printable_lines(fix), err_width, 5) << "\n";
  err_ << std::flush;
}

void Output::detail(std::string_view text) {
  if (verbose) err() << paint(color_err, "2", "verbose:") << " " << text::printable_lines(text) << "\n" << std::flush;
}

void Output::item(std::string_view indent, Mark mark, std::string_view text) {
  if (quiet) return;
  std::string drawn = mark == Mark::ok       ? paint(color_out, "32", unicode ? "✓" : "+")
                      : mark == Mark::failed  ? paint(color_out, "31", unicode ? "✗" : "x")
                      : mark == Mark::warning ? paint(color_out, "33", "!")
                                              : "-";
  progress_.erase();
  out_ << text::printable(indent) << drawn << " " << text::printable_lines(text) << "\n" << std::flush;
}

}  // namespace devcert
