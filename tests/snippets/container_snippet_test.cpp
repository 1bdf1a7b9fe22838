// `devcert snippet dockerfile` and `compose`: the host store table's paths and commands, the
// root alone (never the CA key). tests/containers/containers_test.sh builds and runs them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"

namespace devcert::test {
namespace {

class ContainerSnippet : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }
  std::string root_name() {
    auto r = devcert({"status", "--json", "--store", "nss"}, {{"HOME", tmp.path().string()}});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_discarded() ? "" : j["ca"].value("name", "");
  }
};

TEST_F(ContainerSnippet, DockerfilePerBaseFamily) {
  std::string name = root_name();
  ASSERT_EQ(name.size(), 24u);
  struct Case {
    const char* base;
    std::string anchor, update, install;
  };
  for (const Case& c : std::vector<Case>{
           {"debian", "/usr/local/share/ca-certificates/" + name + ".crt", "RUN update-ca-certificates", "apt-get install -y"},
           {"ubuntu", "/usr/local/share/ca-certificates/" + name + ".crt", "RUN update-ca-certificates", "apt-get"},
           {"alpine", "/usr/local/share/ca-certificates/" + name + ".crt", "RUN update-ca-certificates", "apk add --no-cache"},
           {"fedora", "/etc/pki/ca-trust/source/anchors/" + name + ".pem", "RUN update-ca-trust extract", "dnf install -y"},
           {"opensuse", "/etc/pki/trust/anchors/" + name + ".pem", "RUN update-ca-certificates", "zypper"},
           {"arch", "/etc/ca-certificates/trust-source/anchors/" + name + ".crt", "RUN trust extract-compat", "pacman"},
       }) {
    auto r = devcert({"snippet", "dockerfile", "--base", c.base});
    ASSERT_EQ(r.exit_code, 0) << c.base << r.err;
    EXPECT_NE(r.out.find("COPY devcert-rootCA.pem " + c.anchor + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n" + c.update + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(c.install), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ENV NODE_EXTRA_CA_CERTS=" + c.anchor), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("rootCA-key"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("{{"), std::string::npos) << r.out;
  }
  auto unknown = devcert({"snippet", "dockerfile", "--base", "gentoo"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown --base 'gentoo': valid base images are debian, ubuntu"), std::string::npos)
      << unknown.err;
  EXPECT_EQ(devcert({"snippet", "dockerfile", "--cert", "x.pem"}).exit_code, 2);
}

TEST_F(ContainerSnippet, ComposeMountsTheRootReadOnlyAndSetsTheVariables) {
  auto r = devcert({"snippet", "compose"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string root = (caroot / "rootCA.pem").string();
  EXPECT_NE(r.out.find("source: \"" + root + "\"\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("read_only: true"), std::string::npos);
  for (const char* var : {"NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"})
    EXPECT_NE(r.out.find(std::string(var) + ": /run/devcert/rootCA.pem"), std::string::npos) << var;
  EXPECT_EQ(r.out.find("rootCA-key"), std::string::npos);
}

TEST_F(ContainerSnippet, WithoutACaSaysHowToMakeOne) {
  stdfs::remove_all(caroot);
  auto r = devcert({"snippet", "compose"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("devcert init"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace devcert::test
