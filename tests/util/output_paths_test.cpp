// fs::check_output_paths: every class of path devcert must never write, refused before a byte.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "error.h"
#include "support/helpers.h"
#include "util/output_paths.h"

namespace devcert::test {
namespace {

class OutputPaths : public testing::Test {
 protected:
  TempDir tmp;
  stdfs::path caroot = tmp / "caroot";
  stdfs::path work = tmp / "work";
  void SetUp() override {
    stdfs::create_directories(caroot);
    stdfs::create_directories(work);
    write_text(caroot / "rootCA.pem", "cert");
    write_text(caroot / "rootCA-key.pem", "key");
  }
  // The refusal's message and exit code, or "" when the paths pass.
  std::pair<std::string, int> check(std::vector<fs::OutputPath> outputs) {
    try {
      fs::check_output_paths(outputs, caroot);
      return {"", 0};
    } catch (const Error& e) {
      return {e.what(), e.exit_code()};
    }
  }
  std::pair<std::string, int> one(const stdfs::path& path) { return check({{path, "--cert-file", true, {}}}); }
};

TEST_F(OutputPaths, OrdinaryFilesSymlinksAndNewNamesPass) {
  write_text(work / "old.pem", "x");
  stdfs::create_symlink(caroot / "rootCA-key.pem", work / "link.pem");  // replaced, never followed
  EXPECT_EQ(one(work / "old.pem").first, "");
  EXPECT_EQ(one(work / "link.pem").first, "");
  EXPECT_EQ(one(work / "new.pem").first, "");
  // Missing directories are made, for a project's paths and a flag's alike; a file on the way
  // is refused for both.
  EXPECT_EQ(check({{work / "not-yet" / "made.pem", "devcert.toml:3:8: cert", false, work}}).first, "");
  EXPECT_EQ(one(work / "not-yet" / "made.pem").first, "");
  write_text(work / "file", "x");
  EXPECT_NE(check({{work / "file" / "sub" / "a.pem", "devcert.toml:3:8: cert", false, work}}).first.find(
                (work / "file").string() + " is not a directory"),
            std::string::npos);
  EXPECT_NE(one(work / "file" / "sub" / "a.pem").first.find((work / "file").string() + " is not a directory"),
            std::string::npos);
}

TEST_F(OutputPaths, NothingInTheCarootHoweverItIsSpelled) {
  stdfs::create_directory_symlink(caroot, work / "calink");
  stdfs::create_hard_link(caroot / "rootCA-key.pem", work / "hard.pem");
  for (const stdfs::path& p : {caroot / "rootCA-key.pem", caroot / "rootCA.pem", work / ".." / "caroot" / "." / "rootCA.pem",
                               work / "calink" / "rootCA-key.pem", caroot / "new.pem", caroot / "sub" / "x.pem"}) {
    auto [message, code] = one(p);
    EXPECT_NE(message.find("is in the CAROOT"), std::string::npos) << p << ": " << message;
    EXPECT_NE(message.find(p.string()), std::string::npos) << message;
    EXPECT_EQ(code, 1);
  }
  auto [message, code] = one(work / "hard.pem");
  EXPECT_NE(message.find("is a hard link to a file in the CAROOT"), std::string::npos) << message;
  EXPECT_EQ(code, 1);
}

TEST_F(OutputPaths, SpecialFilesAreRefusedByKind) {
  ASSERT_EQ(::mkfifo((work / "fifo").c_str(), 0600), 0);
  ASSERT_EQ(::mknod((work / "null").c_str(), S_IFCHR | 0600, makedev(1, 3)), 0) << "tests run as root";
  stdfs::create_directory(work / "dir");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = (work / "sock").string();
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  sock.copy(addr.sun_path, sock.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
  for (auto [name, kind] : std::vector<std::pair<std::string, std::string>>{
           {"fifo", "is a FIFO"}, {"null", "is a character device"}, {"dir", "is a directory"}, {"sock", "is a socket"}}) {
    auto [message, code] = one(work / name);
    EXPECT_NE(message.find(kind + "; devcert replaces only regular files and symlinks"), std::string::npos) << message;
    EXPECT_EQ(code, 1);
  }
  EXPECT_NE(one(work / ".").first.find("does not name a file"), std::string::npos);
}

TEST_F(OutputPaths, OneFileNamedTwiceIsRefusedUsageWhenTyped) {
  auto [typed, typed_code] = check({{work / "x.pem", "--cert-file", true, {}}, {work / "." / "x.pem", "--key-file", true, {}}});
  EXPECT_NE(typed.find("--key-file " + (work / "." / "x.pem").string() + ": is also named by --cert-file"),
            std::string::npos) << typed;
  EXPECT_EQ(typed_code, 2);
  auto [file, file_code] = check({{work / "a" / "x.pem", "devcert.toml:3:8: cert", false, work},
                                  {work / "x.pem", "devcert.toml:4:7: key", false, work},
                                  {work / "b" / ".." / "a" / "x.pem", "devcert.toml:9:7: p12", false, work}});
  EXPECT_NE(file.find("devcert.toml:9:7: p12"), std::string::npos) << file;
  EXPECT_NE(file.find("is also named by devcert.toml:3:8: cert"), std::string::npos) << file;
  EXPECT_EQ(file_code, 1);
}

TEST_F(OutputPaths, AProjectPathStaysInsideItsProjectThroughSymlinks) {
  stdfs::create_directories(work / "inner");
  stdfs::create_directory_symlink(tmp.path(), work / "out");
  stdfs::create_directory_symlink(work / "inner", work / "in");
  EXPECT_EQ(check({{work / "in" / "a.pem", "devcert.toml:2:8: cert", false, work}}).first, "");
  auto [message, code] = check({{work / "out" / "a.pem", "devcert.toml:2:8: cert", false, work}});
  EXPECT_TRUE(message.starts_with("devcert.toml:2:8: cert " + (work / "out" / "a.pem").string() + ": resolves to " +
                                  (tmp / "a.pem").string() + ", outside the project directory"))
      << message;
  EXPECT_EQ(code, 1);
}

TEST_F(OutputPaths, LinearInTheNumberOfOutputs) {
  // 120,000 outputs (40,000 entries' cert, key and p12) in one directory: a pairwise check
  // took minutes; this one resolves each directory once.
  std::vector<fs::OutputPath> outputs;
  for (int i = 0; i < 120000; ++i) outputs.push_back({work / (std::to_string(i) + ".pem"), "cert", false, work});
  EXPECT_EQ(check(outputs).first, "");
}

}  // namespace
}  // namespace devcert::test
