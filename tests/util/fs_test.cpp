#include "util/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
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

TEST(ReadFile, StopsAtTheLimitWhateverTheFileClaims) {
  TempDir tmp;
  test::write_text(tmp / "exact", std::string(1000, 'a'));
  EXPECT_EQ(read_file(tmp / "exact", 1000).size(), 1000u);
  try {
    read_file(tmp / "exact", 999);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), ((tmp / "exact").string() + " is larger than 999 bytes, the most devcert reads from one "
                            "input").c_str());
  }
  // st_size is 0 and the file never ends.
  try {
    read_file("/dev/zero");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/dev/zero is larger than 1 MiB, the most devcert reads from one input");
  }
}

// A FIFO nobody writes to (made where a PEM or profiles.ini was expected) reads as empty instead
// of holding open() forever.
TEST(ReadFile, AFifoWithNoWriterDoesNotHang) {
  TempDir tmp;
  ASSERT_EQ(::mkfifo((tmp / "fifo").c_str(), 0600), 0);
  auto read = std::async(std::launch::async, [&] { return read_file(tmp / "fifo"); });
  if (read.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ::close(::open((tmp / "fifo").c_str(), O_WRONLY | O_NONBLOCK));  // lets the stuck open() end
    ADD_FAILURE() << "read_file blocked in open() on a FIFO with no writer";
  }
  EXPECT_EQ(read.get(), "");
}

TEST(WriteCertificateRetiringKey, MovesTheOldKeyAsideNeverOverAnother) {
  TempDir tmp;
  test::write_text(tmp / "c.pem", "old cert");
  test::write_text(tmp / "k.pem", "old key");
  test::write_text(tmp / "k.pem.replaced", "an older key");
  auto moved = write_certificate_retiring_key(tmp / "c.pem", "new cert", tmp / "k.pem");
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, tmp / "k.pem.replaced-2");
  EXPECT_EQ(test::read_text(*moved), "old key");
  EXPECT_EQ(test::read_text(tmp / "k.pem.replaced"), "an older key");
  EXPECT_FALSE(stdfs::exists(tmp / "k.pem"));
  EXPECT_EQ(test::read_text(tmp / "c.pem"), "new cert");
  EXPECT_FALSE(write_certificate_retiring_key(tmp / "c.pem", "newer cert", tmp / "k.pem"));
  EXPECT_EQ(test::read_text(tmp / "c.pem"), "newer cert");
}

}  // namespace
}  // namespace devcert::fs
