// fs::write_key_and_certificate and the cleanup of killed writers' temporary files: the parts
// of the crash-safety fixes (issue 7) that can be shown without killing anything.
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "error.h"
#include "robust/robust_support.h"
#include "util/fs.h"

namespace devcert::test {
namespace {

TEST(WriteKeyAndCertificate, ReplacesBothAndLeavesNoTemporaryFile) {
  TempDir dir;
  fs::write_key_and_certificate(dir / "k.pem", "key 1", dir / "c.pem", "cert 1");
  fs::write_key_and_certificate(dir / "k.pem", "key 2", dir / "c.pem", "cert 2");
  EXPECT_EQ(read_text(dir / "k.pem"), "key 2");
  EXPECT_EQ(read_text(dir / "c.pem"), "cert 2");
  EXPECT_EQ(*fs::file_mode(dir / "k.pem"), 0600u);
  EXPECT_EQ(*fs::file_mode(dir / "c.pem"), 0644u);
  EXPECT_EQ(temp_files(dir.path()), 0);
}

// The key cannot take its name (a directory is in the way): the old certificate, already moved
// aside, comes back, and the error names the key.
TEST(WriteKeyAndCertificate, AFailedKeyLeavesTheOldCertificate) {
  TempDir dir;
  stdfs::create_directories(dir / "k.pem" / "inside");
  write_text(dir / "c.pem", "old cert");
  try {
    fs::write_key_and_certificate(dir / "k.pem", "new key", dir / "c.pem", "new cert");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + (dir / "k.pem").string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_text(dir / "c.pem"), "old cert");
  EXPECT_EQ(temp_files(dir.path()), 0);
}

// Writers of the same pair take turns: whoever is last, key and certificate are from one writer.
TEST(WriteKeyAndCertificate, RacingWritersLeaveOneWritersPair) {
  TempDir dir;
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> writers;
    for (int w = 0; w < 6; ++w)
      writers.emplace_back([&, w] {
        std::string id = std::to_string(round) + "-" + std::to_string(w);
        fs::write_key_and_certificate(dir / "k.pem", "key " + id, dir / "c.pem", "cert " + id);
      });
    for (auto& t : writers) t.join();
    std::string key = read_text(dir / "k.pem"), cert = read_text(dir / "c.pem");
    ASSERT_EQ(key.substr(4), cert.substr(5)) << "round " << round;
  }
  EXPECT_EQ(temp_files(dir.path()), 0);
}

// What a writer killed mid-way leaves is removed by the next write of the same file; a live
// writer's file is not touched.
TEST(WriteFileAtomic, RemovesTheTemporaryFilesOfKilledWriters) {
  TempDir dir;
  pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ASSERT_GT(gone, 0);
  ::waitpid(gone, nullptr, 0);
  std::string orphan = ".a.pem.tmp-" + std::to_string(gone) + "-1f2e";
  std::string live = ".a.pem.tmp-" + std::to_string(::getpid()) + "-3c4d";
  std::string other = ".b.pem.tmp-" + std::to_string(gone) + "-5a6b";
  for (const auto& name : {orphan, live, other}) write_text(dir / name, "-----BEGIN PRIVATE KEY-----");
  fs::write_file_atomic(dir / "a.pem", "new", 0600);
  EXPECT_FALSE(stdfs::exists(dir / orphan));
  EXPECT_TRUE(stdfs::exists(dir / live));
  EXPECT_TRUE(stdfs::exists(dir / other)) << "another file's temporaries are its own business";
  EXPECT_EQ(read_text(dir / "a.pem"), "new");
}

}  // namespace
}  // namespace devcert::test
