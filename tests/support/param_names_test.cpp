#include "support/param_names.h"

#include <gtest/gtest.h>

namespace devcert::test {
namespace {

TEST(ParamName, ReadableAndValidForGtest) {
  EXPECT_EQ(param_name("localhost:8443", 10), "localhost_8443_10");
  EXPECT_EQ(param_name("", 0), "empty_0");
  EXPECT_EQ(param_name("b\xC3\xBC" "cher.test", 3), "bxC3xBCcher_test_3");
  EXPECT_EQ(param_name("a b\n", 1), "ax20bx0A_1");
  EXPECT_EQ(param_name(std::string(64, 'a') + ".test", 7), std::string(40, 'a') + "_7");
}

TEST(ParamText, NoRawByteReachesTheListOfTests) {
  EXPECT_EQ(param_text("b\xC3\xBC" "cher.test"), "b\\xC3\\xBC" "cher.test");
  EXPECT_EQ(param_text("localhost\n"), "localhost\\x0A");
  EXPECT_EQ(param_text("a!\"quoted\"@x.test"), "a!\"quoted\"@x.test");
}

}  // namespace
}  // namespace devcert::test
