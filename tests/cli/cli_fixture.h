// A temporary CAROOT and working directory for tests that run the real devcert binary.
#pragma once

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/helpers.h"

namespace devcert::test {

class CliTest : public testing::Test {
 protected:
  TempDir tmp;
  stdfs::path caroot = tmp / "caroot";
  stdfs::path work = tmp / "work";

  void SetUp() override { stdfs::create_directories(work); }

  ProcessResult devcert(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    return run_devcert(args, caroot, work, std::move(env));
  }

  void init_ca() {
    auto r = devcert({"init"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static mode_t mode_of(const stdfs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }

  // Every file below `dir`, with its bytes: to prove nothing changed.
  static std::map<std::string, std::string> snapshot(const stdfs::path& dir) {
    std::map<std::string, std::string> files;
    if (!stdfs::exists(dir)) return files;
    for (const auto& e : stdfs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) files[stdfs::relative(e.path(), dir).string()] = read_text(e.path());
    return files;
  }

  // Every entry below `dir` (symlinks not followed): its kind, device number, and a regular
  // file's bytes. Equal before and after: nothing was replaced, FIFOs and devices included.
  static std::map<std::string, std::string> entries(const stdfs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : stdfs::recursive_directory_iterator(dir)) {
      struct stat st {};
      ::lstat(e.path().c_str(), &st);
      std::string what = std::to_string(st.st_mode & S_IFMT) + ":" + std::to_string(st.st_rdev);
      if (S_ISREG(st.st_mode)) what += ":" + read_text(e.path());
      if (S_ISLNK(st.st_mode)) what += ":" + stdfs::read_symlink(e.path()).string();
      out[stdfs::relative(e.path(), dir).string()] = what;
    }
    return out;
  }
};

// Runs with a permissive umask so file modes are proven to come from devcert, not the umask.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t m) : old_(::umask(m)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

}  // namespace devcert::test
