// install, status and uninstall --container in-process, the engine scripted: every command goes
// to the engine (never a host store's tool), and an unreachable container or a mixed selection
// is an error before anything runs inside.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/commands.h"
#include "cli/trust_commands.h"
#include "error.h"
#include "trust/trust_support.h"

namespace devcert::test {
namespace {

class ContainerCommands : public testing::Test {
 protected:
  TempDir tmp;
  std::ostringstream out, err;
  FakeRunner runner;
  Environment::Map vars{{"HOME", (tmp / "home").string()},
                        {"DEVCERT_CAROOT", (tmp / "caroot").string()},
                        {"LC_ALL", "C.UTF-8"}};
  std::string anchor_text;  // what the fake container's anchor holds

  void SetUp() override {
    stdfs::create_directories(tmp / "home");
    auto ctx = context();
    ASSERT_EQ(cli::run_init({}, ctx), 0) << err.str();
    runner.programs = {"podman", "docker", "update-ca-certificates", "certutil", "keytool"};
    runner.commands.clear();
    runner.handler = [this](const process::Command& c) {
      const auto& last = c.argv.back();
      if (last == "/etc/os-release") return result(0, "ID=debian\n");
      if (c.argv.size() > 8 && c.argv[7] == "tee") anchor_text = c.input;
      if (c.argv.size() > 7 && c.argv[7] == "cat") return anchor_text.empty() ? result(1) : result(0, anchor_text);
      if (c.argv.size() > 7 && c.argv[7] == "test") return result(anchor_text.empty() ? 1 : 0);
      if (c.argv.size() > 7 && c.argv[7] == "rm") anchor_text.clear();
      return result(0);
    };
    out.str("");
    err.str("");
  }
  cli::Context context() {
    Environment env(vars);
    return cli::Context{Output(out, err, env), env, runner};
  }
};

TEST_F(ContainerCommands, InstallStatusUninstallGoThroughTheEngineOnly) {
  cli::TrustOptions opts;
  opts.containers = {"web"};
  {
    auto ctx = context();
    EXPECT_EQ(cli::run_install(opts, ctx), 0) << out.str() << err.str();
  }
  EXPECT_NE(out.str().find("✓ container: installed  podman container 'web': /usr/local/share/ca-certificates "
                           "(Debian/Ubuntu)"),
            std::string::npos)
      << out.str();
  for (const auto& argv : runner.argvs()) EXPECT_EQ(argv.front(), "podman") << process::display(argv);

  out.str("");
  opts.json = true;
  {
    auto ctx = context();
    EXPECT_EQ(cli::run_status(opts, ctx), 0) << out.str();
  }
  auto status = nlohmann::json::parse(out.str());
  EXPECT_EQ(status["stores"][0]["name"], "container");
  EXPECT_EQ(status["stores"][0]["installed"], true);

  out.str("");
  opts.json = false;
  {
    auto ctx = context();
    EXPECT_EQ(cli::run_uninstall(opts, ctx), 0) << out.str();
    EXPECT_EQ(cli::run_status(opts, ctx), 1);
  }
  EXPECT_NE(out.str().find("not trusted everywhere: run 'devcert install --container web'"), std::string::npos)
      << out.str();
  for (const auto& argv : runner.argvs()) EXPECT_EQ(argv.front(), "podman") << process::display(argv);
}

TEST_F(ContainerCommands, DockerWhenAskedOrAlone) {
  cli::TrustOptions opts;
  opts.containers = {"web"};
  opts.engine = "docker";
  auto ctx = context();
  EXPECT_EQ(cli::run_install(opts, ctx), 0) << out.str();
  for (const auto& argv : runner.argvs()) EXPECT_EQ(argv.front(), "docker");
}

TEST_F(ContainerCommands, AnUnreachableContainerFailsBeforeAnyChange) {
  runner.handler = [](const process::Command& c) {
    return c.argv[6] == "gone" ? result(125, "", "Error: can only create exec sessions on running containers\n")
                               : result(0, "ID=debian\n");
  };
  cli::TrustOptions opts;
  opts.containers = {"web", "gone"};
  auto ctx = context();
  try {
    cli::run_install(opts, ctx);
    FAIL() << "installed with an unreachable container";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot reach podman container 'gone': Error: can only create exec sessions on "
                                     "running containers");
    EXPECT_EQ(e.fix(), "start it (podman start gone); 'podman ps' lists the running containers");
  }
  for (const auto& argv : runner.argvs()) EXPECT_EQ(argv.back(), "/etc/os-release") << process::display(argv);
}

TEST_F(ContainerCommands, TheHostsStoresDoNotMixWithContainers) {
  cli::TrustOptions opts;
  opts.containers = {"web"};
  opts.stores = {"system"};
  auto ctx = context();
  EXPECT_THROW(cli::run_install(opts, ctx), UsageError);
  EXPECT_THROW(cli::run_status(opts, ctx), UsageError);
  opts.stores.clear();
  opts.containers = {"--privileged"};
  EXPECT_THROW(cli::run_install(opts, ctx), UsageError);
  EXPECT_TRUE(runner.commands.empty());
}

}  // namespace
}  // namespace devcert::test
