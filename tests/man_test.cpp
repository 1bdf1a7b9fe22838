// The man page renders without warnings and documents every command the binary knows.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "support/helpers.h"

namespace devcert::test {
namespace {

const stdfs::path kPage = stdfs::path(DEVCERT_SOURCE_DIR) / "man" / "devcert.1";

TEST(ManPage, RendersWithoutWarnings) {
  ASSERT_TRUE(have_tool("groff")) << "groff-base is installed by scripts/deps.sh --test";
  auto r = run_process({"groff", "-man", "-ww", "-z", kPage.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
}

TEST(ManPage, DocumentsEveryCommandAndEnvironmentVariable) {
  auto help = run_process({DEVCERT_BIN, "--help"});
  ASSERT_EQ(help.exit_code, 0);
  std::string page = read_text(kPage);
  std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
  std::string line;
  std::getline(lines, line);
  int commands = 0;
  std::regex command(R"(^  ([a-z][a-z-]+)\s)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, command)) continue;
    std::string name = m[1];
    std::string roff = std::regex_replace(name, std::regex("-"), "\\-");
    EXPECT_NE(page.find(".B " + roff), std::string::npos) << name << " is not in man/devcert.1";
    ++commands;
  }
  EXPECT_GE(commands, 4);
  for (const char* var : {"DEVCERT_CAROOT", "DEVCERT_TRUST_STORES", "NO_COLOR"})
    EXPECT_NE(page.find(var), std::string::npos) << var;
}

}  // namespace
}  // namespace devcert::test
