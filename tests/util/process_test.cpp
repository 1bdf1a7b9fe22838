#include "util/process.h"

#include <gtest/gtest.h>

#include <csignal>

namespace devcert::process {
namespace {

TEST(Run, CapturesStdoutStderrAndExitCode) {
  auto r = run({{"sh", "-c", "echo out; echo err >&2; exit 3"}});
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.ok());
}

TEST(Run, ArgumentsAreNeverParsedByAShell) {
  auto r = run({{"printf", "%s|", "a b", "$(id)", "'; rm -rf /'"}});
  EXPECT_EQ(r.out, "a b|$(id)|'; rm -rf /'|");
}

TEST(Run, StdinAndEnvironment) {
  auto r = run({{"cat"}, {}, "certificate on stdin\n"});
  EXPECT_EQ(r.out, "certificate on stdin\n");
  auto e = run({{"sh", "-c", "printf %s \"$DEVCERT_PROBE\""}, {{"DEVCERT_PROBE", "x y"}}});
  EXPECT_EQ(e.out, "x y");
}

TEST(Run, LargeOutputOnBothStreamsDoesNotDeadlock) {
  auto r = run({{"sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"},
                {},
                std::string(300000, 'x')});
  EXPECT_EQ(r.out.size(), 300000u);
  EXPECT_EQ(r.err.size(), 300000u);
}

TEST(Run, AMissingProgramIsNotStarted) {
  auto r = run({{"devcert-no-such-tool-xyz"}});
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.err.find("devcert-no-such-tool-xyz"), std::string::npos);
}

// devcert ignores SIGPIPE (main.cpp); a tool it runs must not inherit that, or `a | head` inside
// the tool would spin writing to a closed pipe instead of ending.
TEST(Run, ToolsStartWithSigpipeAtItsDefault) {
  auto previous = std::signal(SIGPIPE, SIG_IGN);
  auto r = run({{"grep", "^SigIgn:", "/proc/self/status"}});
  std::signal(SIGPIPE, previous);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  unsigned long long ignored = std::stoull(r.out.substr(r.out.find(':') + 1), nullptr, 16);
  EXPECT_EQ(ignored & (1ull << (SIGPIPE - 1)), 0u) << r.out;
}

TEST(Display, QuotesOnlyWhatAShellWouldSplit) {
  EXPECT_EQ(display({"certutil", "-t", "C,,", "-d", "sql:/home/a b/.pki"}),
            "certutil -t C,, -d 'sql:/home/a b/.pki'");
  EXPECT_EQ(display({"echo", "it's", ""}), "echo 'it'\\''s' ''");
}

TEST(SystemRunner, TracesEachCommandBeforeRunningButNeverItsInput) {
  std::vector<std::string> seen;
  SystemRunner runner;
  runner.trace = [&](const std::string& line) { seen.push_back(line); };
  runner.run({{"true", "a b"}, {{"DEVCERT_PROBE", "secret"}}, "-----BEGIN PRIVATE KEY----- never shown"});
  SystemRunner untraced;
  untraced.run({{"true"}});
  run({{"true"}});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "true 'a b'");
  EXPECT_TRUE(runner.find_program("sh"));
  EXPECT_FALSE(runner.find_program("devcert-no-such-tool-xyz"));
}

}  // namespace
}  // namespace devcert::process
