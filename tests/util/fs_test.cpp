#include "util/fs.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "error.h"
#include "support/helpers.h"

namespace devcert::fs {
namespace {

using test::TempDir;

mode_t mode(const stdfs::path& p) { return *file_mode(p); }

TEST(WriteFileAtomic, ExactModeWhateverTheUmask) {
  TempDir tmp;
  mode_t old = ::umask(0);
  write_file_atomic(tmp / "key", "secret", 0600);
  write_file_atomic(tmp / "cert", "public", 0644);
  ::umask(077);
  write_file_atomic(tmp / "cert2", "public", 0644);
  ::umask(old);
  EXPECT_EQ(mode(tmp / "key"), 0600u);
  EXPECT_EQ(mode(tmp / "cert"), 0644u);
  EXPECT_EQ(mode(tmp / "cert2"), 0644u);
  EXPECT_EQ(test::read_text(tmp / "key"), "secret");
}

TEST(WriteFileAtomic, ReplacesWholeAndTightensAnExistingLooseFile) {
  TempDir tmp;
  test::write_text(tmp / "f", std::string(10000, 'a'));
  ::chmod((tmp / "f").c_str(), 0666);
  write_file_atomic(tmp / "f", "short", 0600);
  EXPECT_EQ(test::read_text(tmp / "f"), "short");
  EXPECT_EQ(mode(tmp / "f"), 0600u);
}

TEST(WriteFileAtomic, FailureLeavesNoTemporaryAndKeepsTheOriginal) {
  TempDir tmp;
  test::write_text(tmp / "f", "original");
  stdfs::create_directory(tmp / "dir");
  EXPECT_THROW(write_file_atomic(tmp / "dir", "x", 0644), Error);  // rename over a directory fails
  EXPECT_THROW(write_file_atomic(tmp / "missing" / "f", "x", 0644), Error);
  size_t entries = 0;
  for (const auto& e : stdfs::directory_iterator(tmp.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
  }
  EXPECT_EQ(entries, 2u);
  EXPECT_EQ(test::read_text(tmp / "f"), "original");
}

TEST(WriteFileNew, WritesOnceAndNeverReplaces) {
  TempDir tmp;
  mode_t old = ::umask(0);
  EXPECT_TRUE(write_file_new(tmp / "key", "first", 0600));
  ::umask(old);
  EXPECT_EQ(mode(tmp / "key"), 0600u);
  EXPECT_FALSE(write_file_new(tmp / "key", "second", 0644));
  EXPECT_EQ(test::read_text(tmp / "key"), "first");
  EXPECT_EQ(mode(tmp / "key"), 0600u);
  // A dangling symlink is a name too: nothing is created through it.
  stdfs::create_symlink(tmp / "target", tmp / "link");
  EXPECT_FALSE(write_file_new(tmp / "link", "x", 0644));
  EXPECT_FALSE(stdfs::exists(tmp / "target"));
  size_t entries = 0;
  for (const auto& e : stdfs::directory_iterator(tmp.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  EXPECT_EQ(entries, 2u);
}

TEST(WriteFileNew, ExactlyOneOfManyRacingWritersWins) {
  TempDir tmp;
  std::vector<std::thread> writers;
  std::atomic<int> won = 0;
  for (int i = 0; i < 8; ++i)
    writers.emplace_back([&, i] {
      if (write_file_new(tmp / "f", "writer " + std::to_string(i), 0644)) ++won;
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_TRUE(test::read_text(tmp / "f").starts_with("writer "));
}

TEST(EnsureDirectory, CreatesWithModeAndRefusesAFile) {
  TempDir tmp;
  mode_t old = ::umask(0);
  ensure_directory(tmp / "a" / "b", 0700);
  ::umask(old);
  EXPECT_EQ(mode(tmp / "a" / "b"), 0700u);
  test::write_text(tmp / "file", "x");
  EXPECT_THROW(ensure_directory(tmp / "file", 0700), Error);
}

TEST(ReadFile, NamesTheFileOnError) {
  try {
    read_file("/nonexistent/devcert/x.pem");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/devcert/x.pem"), std::string::npos);
  }
}

}  // namespace
}  // namespace devcert::fs
