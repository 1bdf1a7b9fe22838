// How devcert answers a person at the command line: help that fits 80 columns, the nearest
// command or option to a mistyped one, and CLI11's messages in devcert's own voice.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace devcert::cli {

// The width help is laid out for: what a terminal shows without wrapping.
inline constexpr std::size_t kHelpWidth = 80;

// A CLI11 formatter whose descriptions wrap within kHelpWidth.
std::shared_ptr<CLI::Formatter> make_formatter();

// The candidate closest to `typed` (edit distance, a swap of two letters counting as one), when
// it is close enough to be a likely typo; "" otherwise.
std::string nearest(std::string_view typed, const std::vector<std::string>& candidates);

// "unknown command 'instal'; did you mean 'install'?" and the like: the message a usage error
// prints for `error`, which CLI11 raised while parsing `app`.
std::string usage_message(CLI::App& app, const CLI::ParseError& error);

// The names a command's options answer to ("--json", "-q", ...), its parent's global ones too.
std::vector<std::string> option_names(const CLI::App& app);

}  // namespace devcert::cli
