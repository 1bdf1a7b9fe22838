#include "util/output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace devcert {
namespace {

TEST(Wrap, BreaksAtSpacesWithinTheWidthAndIndentsTheRest) {
  std::string text = "run devcert install as root, then restart every browser that was open";
  std::string wrapped = wrap(text, 30, 5);
  EXPECT_EQ(wrapped, "run devcert install as\n     root, then restart every\n     browser that was open");
  std::stringstream lines(wrapped);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size() + 0u, 30u) << line;
}

TEST(Wrap, KeepsLongWordsWholeAndLineBreaksTheTextHas) {
  EXPECT_EQ(wrap("see /a/very/long/path/that/does/not/fit/anywhere ok", 25, 2),
            "see\n  /a/very/long/path/that/does/not/fit/anywhere\n  ok");
  EXPECT_EQ(wrap("one\ntwo three", 40, 4), "one\n    two three");
  EXPECT_EQ(wrap("unchanged when not a terminal", 0, 5), "unchanged when not a terminal");
}

TEST(Output, MarksFollowTheLocale) {
  std::stringstream out, err;
  Output o(out, err);
  o.unicode = true;
  o.item("", Output::Mark::ok, "a");
  o.unicode = false;
  o.item("", Output::Mark::ok, "b");
  o.item("", Output::Mark::failed, "c");
  EXPECT_EQ(out.str(), "✓ a\n+ b\nx c\n");
}

}  // namespace
}  // namespace devcert
