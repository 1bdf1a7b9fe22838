#include "util/text.h"

#include <gtest/gtest.h>

namespace devcert::text {
namespace {

TEST(Printable, KeepsAsciiAndWellFormedUnicode) {
  EXPECT_EQ(printable("app.test"), "app.test");
  EXPECT_EQ(printable("b\xc3\xbc" "cher.test"), "b\xc3\xbc" "cher.test");       // ü
  EXPECT_EQ(printable("\xe2\x9c\x93"), "\xe2\x9c\x93");                        // ✓
  EXPECT_EQ(printable("\xf0\x9f\x94\x92"), "\xf0\x9f\x94\x92");                // 🔒
  EXPECT_TRUE(is_printable("b\xc3\xbc" "cher"));
}

TEST(Printable, EscapesWhatATerminalActsOn) {
  // ESC ] 0 ; title BEL retitles the window; ESC [ 2 J clears the screen.
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
  EXPECT_EQ(printable("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(printable("line\r\nnext"), "line\\x0d\\x0anext");
  EXPECT_EQ(printable(std::string_view("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
  // U+009B is CSI for terminals that honour C1 controls.
  EXPECT_EQ(printable("\xc2\x9b" "2J"), "\\xc2\\x9b2J");
  EXPECT_FALSE(is_printable("\x1b"));
}

TEST(Printable, EscapesBidirectionalControls) {
  EXPECT_EQ(printable("a\xe2\x80\xae" "b"), "a\\xe2\\x80\\xaeb");  // U+202E RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(printable("\xe2\x81\xa6x"), "\\xe2\\x81\\xa6x");     // U+2066 LEFT-TO-RIGHT ISOLATE
  EXPECT_EQ(printable("\xe2\x80\x8f"), "\\xe2\\x80\\x8f");       // U+200F RIGHT-TO-LEFT MARK
  EXPECT_EQ(printable("\xd8\x9c"), "\\xd8\\x9c");                   // U+061C ARABIC LETTER MARK
  EXPECT_EQ(printable("\xe2\x80\x94"), "\xe2\x80\x94");             // U+2014 EM DASH is kept
  EXPECT_EQ(printable("\xd8\xa7"), "\xd8\xa7");                       // U+0627 ARABIC ALEF is kept
}

TEST(PrintableLines, KeepsLineBreaksAndEscapesTheRest) {
  EXPECT_EQ(printable_lines("one\ntwo\x1b[2J\n"), "one\ntwo\\x1b[2J\n");
  EXPECT_EQ(printable_lines("a\r\nb"), "a\\x0d\nb");
}

TEST(Printable, EscapesMalformedUtf8) {
  EXPECT_EQ(printable("\xff"), "\\xff");
  EXPECT_EQ(printable("\xc3"), "\\xc3");                    // cut short
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_FALSE(is_printable("\xe2\x9c"));
}

TEST(HostPort, BracketsAnIpv6AddressOnly) {
  EXPECT_EQ(host_port("localhost", 8443), "localhost:8443");
  EXPECT_EQ(host_port("127.0.0.1", 443), "127.0.0.1:443");
  EXPECT_EQ(host_port("::1", 8443), "[::1]:8443");
  EXPECT_EQ(host_port("fe80::1%lo", 80), "[fe80::1%lo]:80");
  EXPECT_EQ(url_host("::1"), "[::1]");
  EXPECT_EQ(url_host("app.test"), "app.test");
}

}  // namespace
}  // namespace devcert::text
