// The man page renders without warnings and documents every command, every long option and
// every exit code the binary knows.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "error.h"
#include "util/output.h"
#include "support/helpers.h"

namespace devcert::test {
namespace {

const stdfs::path kPage = stdfs::path(DEVCERT_SOURCE_DIR) / "man" / "devcert.1";

// The lines of `text` after the line starting with `heading` up to the next blank line.
std::vector<std::string> help_section(const std::string& text, const std::string& heading) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(heading)) inside = true;
    else if (inside && line.empty()) break;
    else if (inside) lines.push_back(line);
  }
  return lines;
}

// The first group of `pattern` in each line of the `heading` section of `devcert ARGS --help`.
std::vector<std::string> help_matches(const std::vector<std::string>& args, const std::string& heading,
                                      const std::regex& pattern) {
  std::vector<std::string> argv{DEVCERT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--help");
  auto help = run_process(argv);
  EXPECT_EQ(help.exit_code, 0);
  std::vector<std::string> found;
  for (const auto& line : help_section(help.out, heading)) {
    std::smatch m;
    if (std::regex_search(line, m, pattern)) found.push_back(m[1]);
  }
  return found;
}

// Command names from `devcert --help`.
std::vector<std::string> commands() {
  return help_matches({}, "Subcommands:", std::regex(R"(^  ([a-z][a-z-]+)\s)"));
}

// Long options from `devcert [COMMAND] --help` ("  -q,--quiet   ...", "  --store TEXT ...").
std::set<std::string> long_options(const std::vector<std::string>& command) {
  auto found = help_matches(command, "Options:", std::regex(R"(^  (?:-[a-zA-Z],)?(--[a-z0-9][a-z0-9-]*))"));
  return {found.begin(), found.end()};
}

// The page with roff's \- as -, cut into its sections and subsections by title.
std::map<std::string, std::string> sections() {
  std::string page = std::regex_replace(read_text(kPage), std::regex(R"(\\-)"), "-");
  std::map<std::string, std::string> out;
  std::string title;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(".SH ") || line.starts_with(".SS ")) {
      title = line.substr(4);
      title.erase(std::remove(title.begin(), title.end(), '"'), title.end());
    } else {
      out[title] += line + "\n";
    }
  }
  return out;
}

TEST(ManPage, RendersWithoutWarnings) {
  ASSERT_TRUE(have_tool("groff")) << "groff-base is installed by scripts/deps.sh --test";
  // The device man(1) renders with on a UTF-8 terminal: the page shows the marks devcert prints.
  auto r = run_process({"groff", "-man", "-Tutf8", "-ww", "-z", kPage.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
}

// The page as man(1) shows it on `device` (utf8 on a UTF-8 terminal, ascii elsewhere), as plain
// text: grotty's old output scheme without its bold and underline overstrikes.
std::string rendered_page(const std::string& device) {
  auto r = run_process({"groff", "-man", "-T" + device, "-P-cbou", "-ww", kPage.string()});
  EXPECT_EQ(r.exit_code, 0) << device;
  EXPECT_EQ(r.err, "") << device;
  return r.out;
}

// The checklist mark devcert draws, in a UTF-8 locale or not.
std::string drawn_mark(Output::Mark mark, bool unicode) {
  std::ostringstream out, err;
  Output drawn(out, err);
  drawn.unicode = unicode;
  drawn.item("", mark, "text");
  return out.str().substr(0, out.str().find(' '));
}

TEST(ManPage, RendersTheJsonQuotesAndTheMarksAsDevcertPrintsThem) {
  ASSERT_TRUE(have_tool("groff")) << "groff-base is installed by scripts/deps.sh --test";
  for (bool unicode : {true, false}) {
    std::string page = rendered_page(unicode ? "utf8" : "ascii");
    std::string ok = drawn_mark(Output::Mark::ok, unicode);
    std::string failed = drawn_mark(Output::Mark::failed, unicode);
    SCOPED_TRACE(unicode ? "utf8" : "ascii");
    // Filled text may be justified with extra spaces, or broken across lines.
    std::string filled = std::regex_replace(page, std::regex("\\s+"), " ");
    EXPECT_TRUE(has(filled, "a mark: " + ok + " passed, " + failed + " failed"))
        << "OUTPUT does not show the marks " << ok << " and " << failed;
    EXPECT_TRUE(has(page, failed + " trust        the certificate is self-signed")) << "EXAMPLES";
    EXPECT_FALSE(has(page, "\u00d7")) << "a multiplication sign where devcert prints " << failed;
    for (const char* json : {R"({"ok": false, "error": "no devcert CA in)", R"( "fix": "create one: devcert init", "exit_code": 1})",
                             R"({"type":"dns","value":"localhost"})",
                             R"j(jq -r '.names[] | "\(.type):\(.value)"')j"})
      EXPECT_TRUE(has(page, json)) << "the page does not show " << json;
  }
}

TEST(ManPage, PassesMandocLint) {
  ASSERT_TRUE(have_tool("mandoc")) << "mandoc is installed by scripts/deps.sh --test";
  // Warnings and errors; mandoc's STYLE level (source lines over 80 bytes) is taste, not a fault.
  auto r = run_process({"mandoc", "-T", "lint", "-W", "warning", kPage.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out + r.err, "");
}

TEST(ManPage, DocumentsEveryCommandAndItsLongOptions) {
  auto page = sections();
  auto names = commands();
  EXPECT_GE(names.size(), 10u);
  for (const auto& name : names) {
    std::string title = "devcert " + name;
    ASSERT_TRUE(page.count(title)) << "man/devcert.1 has no subsection .SS \"" << title << "\"";
    for (const auto& option : long_options({name})) {
      if (option == "--help") continue;  // every command's; documented once under OPTIONS
      std::regex word("(^|[^a-z-])" + option + "([^a-z-]|$)");
      EXPECT_TRUE(std::regex_search(page[title], word))
          << option << " of " << name << " is not documented in its subsection of man/devcert.1";
    }
  }
}

TEST(ManPage, DocumentsTheGlobalOptions) {
  auto page = sections();
  auto options = long_options({});
  EXPECT_TRUE(options.count("--quiet") && options.count("--verbose") && options.count("--version"));
  for (const auto& option : options)
    EXPECT_NE(page["OPTIONS"].find(option), std::string::npos) << option << " is not under OPTIONS";
}

TEST(ManPage, DocumentsTheEnvironmentFilesAndTheSeedScenario) {
  auto page = sections();
  for (const char* var : {"DEVCERT_CAROOT", "DEVCERT_TRUST_STORES", "NO_COLOR", "XDG_DATA_HOME"})
    EXPECT_NE(page["ENVIRONMENT"].find(".B " + std::string(var)), std::string::npos) << var;
  for (const char* file : {"CAROOT/rootCA.pem", "CAROOT/rootCA-key.pem"})
    EXPECT_NE(page["FILES"].find(file), std::string::npos) << file;
  for (const char* text : {"ERR_CERT_AUTHORITY_INVALID", "1006", "DEPTH_ZERO_SELF_SIGNED_CERT",
                           "devcert init", "devcert install", "devcert issue localhost",
                           "devcert verify-server wss://localhost:8443/"})
    EXPECT_NE(page["EXAMPLES"].find(text), std::string::npos) << text;
}

// One table of exit codes, the same as src/error.h's.
TEST(ManPage, ExitStatusListsExactlyTheCodesOfTheBinary) {
  std::string table = sections()["EXIT STATUS"];
  std::set<int> documented;
  std::regex code(R"(^\.B (\d+)$)");
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, code)) documented.insert(std::stoi(m[1]));
  }
  EXPECT_EQ(documented, (std::set<int>{kExitOk, kExitFailure, kExitUsage}));
}

}  // namespace
}  // namespace devcert::test
