// A cloned repository is untrusted input: its devcert.toml aims `devcert issue` at files outside
// the repository, at the CAROOT, at a FIFO and a device node, through a symlinked directory, and
// at one path twice. Every attempt fails at its devcert.toml:LINE:COLUMN and changes nothing.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace devcert::test {
namespace {

class HostileRepository : public CliTest {
 protected:
  stdfs::path repo = tmp / "repo";
  stdfs::path outside = tmp / "outside";
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
    stdfs::create_directories(outside);
    write_text(outside / "victim.txt", "precious\n");
    stdfs::create_directories(repo);
    auto git = run_process({"git", "init", "-q", repo.string()});
    ASSERT_EQ(git.exit_code, 0) << git.err;
    ASSERT_EQ(::mkfifo((repo / "fifo").c_str(), 0600), 0);
    ASSERT_EQ(::mknod((repo / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << "tests run as root";
    stdfs::create_directory_symlink(outside, repo / "escape");
    stdfs::create_directory_symlink(caroot, repo / "ca");
  }
  ProcessResult issue() { return run_devcert({"issue"}, caroot, repo, {{"HOME", tmp.path().string()}}); }
  std::string at(int line, int column) {
    return (repo / "devcert.toml").string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  }
};

// One [[cert]] whose `key` (line 3, column 7) or `cert` (column 8) is the attack.
std::string entry(const std::string& key, const std::string& value) {
  return "[[cert]]\nnames = [\"localhost\"]\n" + key + " = \"" + value + "\"\n";
}

TEST_F(HostileRepository, EveryTargetSurvivesAndTheRunFails) {
  std::string ca = caroot.string();
  struct Attack {
    std::string toml, message;
  } attacks[] = {
      {entry("cert", (outside / "victim.txt").string()), at(3, 8) + "cert '" + (outside / "victim.txt").string() +
                                                             "' is absolute; a project file writes only inside its project"},
      {entry("key", "../outside/victim.txt"), at(3, 7) + "key '../outside/victim.txt' leads out of the project directory"},
      {entry("cert", ca + "/rootCA.pem"), at(3, 8) + "cert '" + ca + "/rootCA.pem' is absolute"},
      {entry("key", "../caroot/rootCA-key.pem"), at(3, 7) + "key '../caroot/rootCA-key.pem' leads out"},
      {entry("key", "sub/../../caroot/rootCA-key.pem"), at(3, 7) + "key 'sub/../../caroot/rootCA-key.pem' leads out"},
      {entry("cert", "fifo"), at(3, 8) + "cert " + (repo / "fifo").string() + ": is a FIFO"},
      {entry("key", "null"), at(3, 7) + "key " + (repo / "null").string() + ": is a character device"},
      {entry("cert", "escape/victim.txt"), at(3, 8) + "cert " + (repo / "escape/victim.txt").string() +
                                               ": resolves to " + (outside / "victim.txt").string() +
                                               ", outside the project directory"},
      {entry("key", "ca/rootCA-key.pem"), at(3, 7) + "key " + (repo / "ca/rootCA-key.pem").string() + ": is in the CAROOT"},
      {entry("cert", "shared.pem") + entry("key", "shared.pem"),
       at(6, 7) + "key " + (repo / "shared.pem").string() + ": is also named by " + at(3, 8) + "cert"},
  };
  std::string all;
  for (const Attack& a : attacks) all += a.toml;
  for (const Attack& a : attacks) {
    write_text(repo / "devcert.toml", a.toml);
    auto before = entries(tmp.path());
    auto r = issue();
    EXPECT_EQ(r.exit_code, 1) << a.toml << r.err;
    EXPECT_NE(r.err.find(a.message), std::string::npos) << a.toml << "\n  got:  " << r.err << "\n  want: " << a.message;
    EXPECT_EQ(entries(tmp.path()), before) << a.toml;
  }
  // All of them in one file: the run stops at the first, and still nothing changed.
  write_text(repo / "devcert.toml", all);
  auto before = entries(tmp.path());
  auto r = issue();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(entries(tmp.path()), before);
  EXPECT_EQ(read_text(outside / "victim.txt"), "precious\n");
  // The same repository's honest entry still issues inside it.
  write_text(repo / "devcert.toml", entry("cert", "certs/dev.pem"));
  auto ok = issue();
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(stdfs::is_regular_file(repo / "certs" / "dev.pem"));
}

}  // namespace
}  // namespace devcert::test
