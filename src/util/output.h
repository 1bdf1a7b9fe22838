// Messages in one voice: results on stdout; note:/warning:/error: on stderr, coloured only on
// a terminal and never with NO_COLOR set.
#pragma once

#include <iostream>
#include <string>
#include <string_view>

namespace devcert {

class Output {
 public:
  Output(std::ostream& out = std::cout, std::ostream& err = std::cerr);

  bool quiet = false;
  bool verbose = false;
  bool color = false;  // decided from the terminal and NO_COLOR at construction

  std::ostream& out() { return out_; }
  void line(std::string_view text);      // stdout, dropped with --quiet
  void note(std::string_view text);      // dropped with --quiet
  void warning(std::string_view text);   // always shown
  void error(std::string_view text, std::string_view fix = {});
  void detail(std::string_view text);    // only with --verbose

  // "✓"/"✗" marks for checklists, green/red on a colour terminal.
  std::string ok_mark() const;
  std::string fail_mark() const;
  std::string warn_mark() const;

 private:
  std::string paint(std::string_view code, std::string_view text) const;
  std::ostream& out_;
  std::ostream& err_;
};

// True when `fd` is a terminal and NO_COLOR is unset or empty (no-color.org).
bool want_color(int fd);

}  // namespace devcert
