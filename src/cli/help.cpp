#include "cli/help.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "util/output.h"

namespace devcert::cli {
namespace {

class Formatter : public CLI::Formatter {
 public:
  Formatter() { column_width(kColumn); }
  std::string make_option_desc(const CLI::Option* opt) const override {
    return wrapped(CLI::Formatter::make_option_desc(opt));
  }
  // Prose wraps; an example line (indented) stays whole, so that it can be pasted.
  std::string make_footer(const CLI::App* app) const override {
    std::string out;
    std::stringstream lines(app->get_footer());
    for (std::string line; std::getline(lines, line);)
      out += (line.starts_with("  ") ? line : wrap(line, kHelpWidth, 0)) + "\n";
    return out;
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_display_name(true), wrapped(sub->get_description()), get_column_width());
    return out.str();
  }

 private:
  static constexpr std::size_t kColumn = 26;
  // format_help indents each line after a '\n' to the description column itself.
  static std::string wrapped(const std::string& text) { return wrap(text, kHelpWidth - kColumn, 0); }
};

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// CLI11 starts its messages with a capital letter; devcert's never do.
std::string devcert_voice(std::string text) {
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// The words CLI11 lists after "The following argument(s) was/were not expected:".
std::vector<std::string> unexpected_words(const std::string& what) {
  std::vector<std::string> words;
  auto colon = what.find(':');
  if (colon == std::string::npos) return words;
  std::stringstream rest(what.substr(colon + 1));
  for (std::string w; rest >> w;) words.push_back(w);
  return words;
}

}  // namespace

std::shared_ptr<CLI::Formatter> make_formatter() { return std::make_shared<Formatter>(); }

std::string nearest(std::string_view typed, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, typed.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = distance(typed, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* a = &app; a; a = a->get_parent())
    for (const CLI::Option* opt : a->get_options()) {
      for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
      for (const auto& n : opt->get_snames()) names.push_back("-" + n);
    }
  return names;
}

std::string usage_message(CLI::App& app, const CLI::ParseError& error) {
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
    auto used = app.get_subcommands();
    const CLI::App& where = used.empty() ? app : *used.front();
    std::string command = "devcert" + (used.empty() ? std::string() : " " + used.front()->get_name());
    for (const auto& word : unexpected_words(error.what())) {
      if (!word.starts_with('-')) continue;
      std::string name = word.substr(0, word.find('='));
      std::string message = "unknown option '" + name + "' for '" + command + "'";
      if (auto guess = nearest(name, option_names(where)); !guess.empty())
        message += "; did you mean '" + guess + "'?";
      return message;
    }
    auto words = unexpected_words(error.what());
    if (!words.empty()) return "unexpected argument '" + words.front() + "' for '" + command + "'";
  }
  return devcert_voice(error.what());
}

}  // namespace devcert::cli
