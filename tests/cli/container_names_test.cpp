// The names containers reach their host by: issue --for-containers, a [[cert]]'s
// for_containers = true, and serve's minted leaf when it listens beyond loopback.
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"
#include "wss/fixture.h"

namespace devcert::test {
namespace {

class ContainerHostNames : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }
  std::string sans(const stdfs::path& cert) {
    return run_process({"openssl", "x509", "-in", cert.string(), "-noout", "-ext", "subjectAltName"}).out;
  }
};

TEST_F(ContainerHostNames, IssueForContainersAddsBothHostNamesInsideTheDefaultConstraints) {
  auto plain = devcert({"issue", "localhost"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(sans(work / "localhost.pem").find("internal"), std::string::npos);

  auto r = devcert({"issue", "--for-containers", "localhost", "127.0.0.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string names = sans(work / "localhost+3.pem");
  EXPECT_NE(names.find("DNS:host.docker.internal"), std::string::npos) << names;
  EXPECT_NE(names.find("DNS:host.containers.internal"), std::string::npos) << names;
  // The default root vouches for them: a verifying client accepts the leaf for each.
  for (const char* host : {"host.docker.internal", "host.containers.internal"})
    EXPECT_EQ(run_process({"openssl", "verify", "-CAfile", (caroot / "rootCA.pem").string(), "-verify_hostname", host,
                           (work / "localhost+3.pem").string()})
                  .exit_code,
              0)
        << host;
  // Given already, a name is not added twice.
  auto again = devcert({"issue", "--for-containers", "host.docker.internal", "--cert-file", "a.pem", "--key-file",
                        "a-key.pem", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(sans(work / "a.pem"), "X509v3 Subject Alternative Name: \n    DNS:host.docker.internal, "
                                  "DNS:host.containers.internal\n");
}

TEST_F(ContainerHostNames, ProjectFileForContainersFlag) {
  stdfs::create_directories(work / ".git");
  write_text(work / "devcert.toml", "[[cert]]\nnames = [\"app.test\"]\nfor_containers = true\n\n"
                                    "[[cert]]\nnames = [\"other.test\"]\nfor_containers = false\n");
  auto r = devcert({"issue"}, {{"HOME", tmp.path().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string names = sans(work / "app.test+2.pem");
  EXPECT_NE(names.find("DNS:app.test, DNS:host.docker.internal, DNS:host.containers.internal"), std::string::npos)
      << names;
  EXPECT_EQ(sans(work / "other.test.pem").find("internal"), std::string::npos);

  write_text(work / "devcert.toml", "[[cert]]\nnames = [\"app.test\"]\nfor_containers = \"yes\"\n");
  auto bad = devcert({"issue"}, {{"HOME", tmp.path().string()}});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("for_containers must be true or false, not a string"), std::string::npos) << bad.err;
}

// The flag over a devcert.toml names the files as the same names on the command line, or
// for_containers = true in the file, do: by every name the certificate holds.
TEST_F(ContainerHostNames, TheFlagOverAProjectFileNamesTheFilesByEveryName) {
  stdfs::create_directories(work / ".git");
  write_text(work / "devcert.toml", "[[cert]]\nnames = [\"app.test\"]\n\n"
                                    "[[cert]]\nnames = [\"named.test\"]\ncert = \"named.pem\"\n");
  auto r = devcert({"issue", "--for-containers"}, {{"HOME", tmp.path().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(stdfs::exists(work / "app.test.pem"));
  EXPECT_NE(sans(work / "app.test+2.pem").find("DNS:app.test, DNS:host.docker.internal, DNS:host.containers.internal"),
            std::string::npos);
  EXPECT_TRUE(stdfs::exists(work / "app.test+2-key.pem"));
  // A path the file names stays as named; only a default key follows the names.
  EXPECT_NE(sans(work / "named.pem").find("DNS:host.containers.internal"), std::string::npos);
  EXPECT_TRUE(stdfs::exists(work / "named.test+2-key.pem"));

  auto line = devcert({"issue", "--for-containers", "app.test", "--json"});
  ASSERT_EQ(line.exit_code, 0) << line.err;
  EXPECT_NE(line.out.find("app.test+2.pem"), std::string::npos) << line.out;
}

TEST_F(ContainerHostNames, ServeNamesThemOnlyBeyondLoopback) {
  auto leaf_line = [&](const std::string& host) {
    wss::test::BackgroundProcess p({DEVCERT_BIN, "serve", "--host", host, "--port", "0"},
                                   {{"DEVCERT_CAROOT", caroot.string()}});
    EXPECT_TRUE(p.wait_for_output("minted in memory")) << p.err();
    std::string out = p.out();
    return out.substr(0, out.find('\n'));
  };
  EXPECT_EQ(leaf_line("localhost").find("internal"), std::string::npos);
  EXPECT_EQ(leaf_line("127.0.0.1").find("internal"), std::string::npos);
  EXPECT_NE(leaf_line("0.0.0.0").find("localhost, 127.0.0.1, ::1, host.docker.internal, host.containers.internal"),
            std::string::npos);
}

}  // namespace
}  // namespace devcert::test
