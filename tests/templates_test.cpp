#include "templates/templates.h"

#include <gtest/gtest.h>

#include "support/helpers.h"

namespace devcert::templates {
namespace {

TEST(Templates, EveryFileUnderTemplatesIsEmbeddedByteForByte) {
  std::filesystem::path dir = std::filesystem::path(DEVCERT_SOURCE_DIR) / "templates";
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string name = std::filesystem::relative(entry.path(), dir).generic_string();
    auto data = find(name);
    ASSERT_TRUE(data.has_value()) << name;
    EXPECT_EQ(std::string(*data), test::read_text(entry.path())) << name;
    ++count;
  }
  EXPECT_EQ(names().size(), count);
  EXPECT_FALSE(find("no-such-template").has_value());
}

}  // namespace
}  // namespace devcert::templates
