// Names for parameterised tests (INSTANTIATE_TEST_SUITE_P's fourth argument) that a person can
// read in a list of tests: gtest allows only [A-Za-z0-9_], so letters and digits stay, ASCII
// punctuation becomes '_', any other byte is spelled out ("xC3"), and the index is appended so
// that two inputs that read alike stay two names.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace devcert::test {

// "localhost_8443_10" for ("localhost:8443", 10); "empty_0" for ("", 0). At most `max_length`
// characters come from the text.
inline std::string param_name(std::string_view text, size_t index, size_t max_length = 40) {
  std::string name;
  for (unsigned char c : text) {
    if (name.size() >= max_length) break;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      name += static_cast<char>(c);
    } else if (c > ' ' && c < 0x7f) {
      name += '_';
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "x%02X", c);
      name += hex;
    }
  }
  return (name.empty() ? "empty" : name) + "_" + std::to_string(index);
}

// `text` for a parameter's printout (PrintTo), which ctest's list of tests carries: printable
// ASCII as it is, every other byte as \xNN, so no raw byte reaches a test's name.
inline std::string param_text(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= ' ' && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace devcert::test
