// Messages in one voice: results on stdout; note:/warning:/error: on stderr. Each stream is
// coloured only when it is a terminal, and never with NO_COLOR set. Every text is printed through
// text::printable_lines: a message may quote a path, a name or a server's bytes, and only
// the colours and marks drawn here ever reach the terminal as control sequences.
#pragma once

#include <iostream>
#include <string>
#include <string_view>

#include "util/environment.h"
#include "util/progress.h"

namespace devcert {

class Output {
 public:
  // Colours and marks follow `env` (NO_COLOR, TERM, the locale's variables).
  Output(std::ostream& out = std::cout, std::ostream& err = std::cerr,
         const Environment& env = Environment::from_process());

  bool quiet = false;
  bool verbose = false;
  bool color_out = false;  // stdout: decided from the terminal and NO_COLOR at construction
  bool color_err = false;  // stderr: likewise
  bool unicode = true;     // the locale's characters are UTF-8: marks drawn as ✓ ✗, else + x
  std::size_t err_width = 0;  // stderr's terminal width, 0 when not a terminal: fix lines wrap to it

  std::ostream& out() { return out_; }
  // The spinner line of long work on stderr; messages erase it before they are written.
  progress::Line& progress() { return progress_; }
  void line(std::string_view text);      // stdout, dropped with --quiet
  void note(std::string_view text);      // dropped with --quiet
  void warning(std::string_view text);   // always shown
  void error(std::string_view text, std::string_view fix = {});
  void detail(std::string_view text);    // only with --verbose

  // One checklist line on stdout: INDENT, a mark ("✓" green, "✗" red, "!" yellow on a colour
  // terminal, "+" and "x" where the locale is not UTF-8; "-" for a step not run), then the text.
  enum class Mark { ok, failed, warning, none };
  void item(std::string_view indent, Mark mark, std::string_view text);

 private:
  static std::string paint(bool color, std::string_view code, std::string_view text);
  std::ostream& err();  // stderr, with any progress line erased first
  std::ostream& out_;
  std::ostream& err_;
  progress::Line progress_;
};

// True when `fd` is a terminal and NO_COLOR is unset or empty (no-color.org), TERM not "dumb".
bool want_color(int fd, const Environment& env);

// True when the locale in force (LC_ALL, else LC_CTYPE, else LANG, as POSIX orders them) names
// UTF-8; unset means the C locale, which is ASCII.
bool locale_is_utf8(const Environment& env);

// `text` broken at spaces into lines of at most `width` columns, each after the first indented
// by `indent` spaces; a word longer than a line stays whole. width 0: unchanged.
std::string wrap(std::string_view text, std::size_t width, std::size_t indent);

}  // namespace devcert
