// `devcert issue` through the command line: each class of output path it must never write is
// refused with the path and why, and nothing on disk changes.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

class IssueOutputPaths : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }
};

TEST_F(IssueOutputPaths, EachClassIsRefusedAndNothingChanges) {
  ASSERT_EQ(::mkfifo((work / "fifo").c_str(), 0600), 0);
  ASSERT_EQ(::mknod((work / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << "tests run as root";
  stdfs::create_directory(work / "dir");
  stdfs::create_directory_symlink(caroot, work / "calink");
  stdfs::create_hard_link(caroot / "rootCA-key.pem", work / "hard-key.pem");
  std::string ca = caroot.string();
  struct Case {
    std::vector<std::string> args;
    std::string message;
    int code;
  } cases[] = {
      {{"--key-file", ca + "/rootCA-key.pem"}, "--key-file " + ca + "/rootCA-key.pem: is in the CAROOT", 1},
      {{"--cert-file", ca + "/rootCA.pem"}, "--cert-file " + ca + "/rootCA.pem: is in the CAROOT", 1},
      {{"--cert-file", "../caroot/./rootCA.pem"}, "--cert-file ../caroot/./rootCA.pem: is in the CAROOT", 1},
      {{"--key-file", "calink/rootCA-key.pem"}, "--key-file calink/rootCA-key.pem: is in the CAROOT", 1},
      {{"--p12-file", ca + "/x.p12"}, "is in the CAROOT", 1},
      {{"--key-file", "hard-key.pem"}, "--key-file hard-key.pem: is a hard link to a file in the CAROOT", 1},
      {{"--cert-file", "fifo"}, "--cert-file fifo: is a FIFO", 1},
      {{"--cert-file", "null"}, "--cert-file null: is a character device", 1},
      {{"--key-file", "dir"}, "--key-file dir: is a directory", 1},
      {{"--cert-file", "x.pem", "--key-file", "x.pem"}, "--key-file x.pem: is also named by --cert-file", 2},
      {{"--cert-file", "x.pem", "--key-file", "k.pem", "--p12-file", "./k.pem"},
       "--p12-file ./k.pem: is also named by --key-file", 2},
      {{"--key-file", "localhost.pem"}, "--key-file localhost.pem: is also named by the default --cert-file", 2},
  };
  auto before_ca = entries(caroot);
  auto before_work = entries(work);
  for (const Case& c : cases) {
    std::vector<std::string> args{"issue", "localhost"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = devcert(args);
    EXPECT_EQ(r.exit_code, c.code) << c.message << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(entries(caroot), before_ca) << c.message;
    EXPECT_EQ(entries(work), before_work) << c.message;
  }
}

TEST_F(IssueOutputPaths, AnOutputSymlinkIsReplacedNotFollowed) {
  write_text(tmp / "target.pem", "precious");
  stdfs::create_symlink(tmp / "target.pem", work / "c.pem");
  auto r = devcert({"issue", "localhost", "--cert-file", "c.pem", "--key-file", "k.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(stdfs::is_symlink(work / "c.pem"));
  EXPECT_EQ(read_text(tmp / "target.pem"), "precious");
}

TEST_F(IssueOutputPaths, WriteConfigNeverWritesIntoTheCaroot) {
  auto before = snapshot(caroot);
  auto r = run_devcert({"init", "--write-config"}, caroot, caroot);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--write-config " + (caroot / "devcert.toml").string() + ": is in the CAROOT"),
            std::string::npos) << r.err;
  EXPECT_EQ(snapshot(caroot), before);
}

TEST_F(IssueOutputPaths, AnEmptyValueIsAUsageErrorForEveryCommand) {
  auto before = entries(work);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"issue", "localhost", "--days", ""},
           {"issue", "localhost", "--cert-file", ""},
           {"issue", "localhost", "--key-file="},
           {"issue", "localhost", "--p12-password", ""},
           {"issue", "--config", ""},
           {"init", "--permit", ""},
           {"snippet", "node", "--cert", ""},
           {"status", "--store", ""},
           {"env", "--shell", ""},
           {"serve", "--host", ""},
           {"verify-server", "--timeout", ""},
           {"verify-server", "wss://localhost:1/", "--origin="}}) {
    auto r = devcert(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.err;
    // Each says which option: ours ("an empty value is not allowed"), or CLI11's own for `--x=`.
    std::string option = *std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("--"); });
    EXPECT_TRUE(r.err.starts_with("error: " + option.substr(0, option.find('=')) + ": ")) << shown << r.err;
  }
  EXPECT_EQ(entries(work), before);
}

// A flag's missing directories are made, as a project file's are, with the same checks first:
// nothing leads into the CAROOT, through a symlinked directory or a dangling link.
TEST_F(IssueOutputPaths, MissingDirectoriesOfAFlagsPathAreMade) {
  auto r = devcert({"issue", "--cert-file", "nodir/x.pem", "--key-file", "nodir/keys/x-key.pem", "localhost"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text(work / "nodir" / "x.pem").find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(mode_of(work / "nodir" / "keys" / "x-key.pem"), 0600u);
  EXPECT_EQ(mode_of(work / "nodir"), 0755u);
  EXPECT_EQ(mode_of(work / "nodir" / "keys"), 0755u);

  stdfs::create_directory_symlink(caroot, work / "calink");
  stdfs::create_symlink(caroot / "made-through-a-link", work / "dangling");
  auto before_ca = entries(caroot);
  for (const char* path : {"calink/new/x.pem", "dangling/x.pem", "dangling/deeper/x.pem"}) {
    r = devcert({"issue", "--cert-file", path, "--key-file", "elsewhere-key.pem", "localhost"});
    EXPECT_EQ(r.exit_code, 1) << path << "\n" << r.err;
    EXPECT_EQ(entries(caroot), before_ca) << path;
  }
  EXPECT_FALSE(stdfs::exists(caroot / "new"));
  EXPECT_FALSE(stdfs::exists(caroot / "made-through-a-link"));
}

// Every output's directory is looked at before the first job writes: a refusal writes nothing.
TEST_F(IssueOutputPaths, AnUnusableDirectoryIsRefusedBeforeAnyWrite) {
  write_text(work / "app.pem", "OLD");
  write_text(work / "app-key.pem", "OLD");
  write_text(work / "f", "a file");
  auto r = devcert({"issue", "localhost", "--cert-file", "app.pem", "--key-file", "app-key.pem", "--p12-file",
                    "f/sub/app.p12"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--p12-file f/sub/app.p12: cannot be written: f is not a directory"), std::string::npos) << r.err;
  EXPECT_FALSE(stdfs::exists(work / "f" / "sub"));
  EXPECT_EQ(read_text(work / "app.pem"), "OLD");
  EXPECT_EQ(read_text(work / "app-key.pem"), "OLD");

  write_text(work / "devcert.toml", "[[cert]]\nnames = [\"a.test\"]\ncert = \"a.pem\"\nkey = \"a-key.pem\"\n\n"
                                    "[[cert]]\nnames = [\"b.test\"]\ncert = \"f/b.pem\"\n");
  auto before = entries(work);
  r = devcert({"issue"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("devcert.toml:8:8: cert " + (work / "f/b.pem").string() + ": cannot be written: " +
                       (work / "f").string() + " is not a directory"),
            std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("DEVCERT_CAROOT"), std::string::npos) << r.err;
  EXPECT_EQ(entries(work), before);
}

// The files a run reads are never its outputs: the project file, the CSR, the password file.
TEST_F(IssueOutputPaths, AnOutputNeverReplacesThisRunsInputs) {
  write_text(work / "devcert.toml", "[[cert]]\nnames = [\"a.test\"]\ncert = \"devcert.toml\"\n");
  std::string toml = read_text(work / "devcert.toml");
  auto r = devcert({"issue"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("devcert.toml: is the project file, which this run reads"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(work / "devcert.toml"), toml);
  stdfs::remove(work / "devcert.toml");

  auto gen = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", "r-key.pem", "-out", "r.csr", "-subj", "/CN=x", "-addext",
                          "subjectAltName=DNS:r.test"},
                         {}, work);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::string csr = read_text(work / "r.csr");
  r = devcert({"issue", "--csr", "r.csr", "--cert-file", "./r.csr"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--cert-file ./r.csr: is the CSR given with --csr"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(work / "r.csr"), csr);

  write_text(work / "pwfile", "secret\n");
  stdfs::create_hard_link(work / "pwfile", work / "pwlink");
  for (const char* key : {"pwfile", "pwlink"}) {
    r = devcert({"issue", "localhost", "--key-file", key, "--p12-password-file", "pwfile", "--p12-file", "x.p12"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("is the --p12-password-file, which this run reads"), std::string::npos) << r.err;
    EXPECT_EQ(read_text(work / "pwfile"), "secret\n");
  }
}

// A positional is a value too: `verify-server ""` ran the whole self-test and passed.
TEST_F(IssueOutputPaths, AnEmptyPositionalIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"verify-server", ""}, {"inspect", ""}, {"issue", "localhost", ""}}) {
    auto r = devcert(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << "\n" << r.err;
    EXPECT_NE(r.err.find("an empty value is not allowed"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace devcert::test
