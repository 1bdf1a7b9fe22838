#include "trust/container_store.h"

#include <gtest/gtest.h>

#include "error.h"
#include "trust/trust_support.h"

namespace devcert::trust {
namespace {

using test::FakeRunner;
using test::TempDir;
using ContainerArgv = std::vector<std::string>;

// The argv a command ran inside the container: what follows ENGINE exec -i -u 0 -- NAME.
ContainerArgv argv_inside(const process::Command& c) {
  EXPECT_GE(c.argv.size(), 7u);
  return ContainerArgv(c.argv.begin() + 7, c.argv.end());
}

TEST(ContainerLayout, EachDistributionFromItsOsReleaseUsesTheHostTable) {
  struct Case {
    std::string os_release, family, anchors, update, bundle, image_install;
  };
  const std::vector<Case> cases{
      {"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n", "Debian/Ubuntu", "/usr/local/share/ca-certificates",
       "update-ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "apt-get update && apt-get install -y"},
      {"ID=ubuntu\nID_LIKE=debian\n", "Debian/Ubuntu", "/usr/local/share/ca-certificates", "update-ca-certificates",
       "/etc/ssl/certs/ca-certificates.crt", "apt-get"},
      {"NAME=\"Alpine Linux\"\nID=alpine\n", "Alpine", "/usr/local/share/ca-certificates", "update-ca-certificates",
       "/etc/ssl/certs/ca-certificates.crt", "apk add --no-cache ca-certificates"},
      {"ID=fedora\n", "Fedora/RHEL", "/etc/pki/ca-trust/source/anchors", "update-ca-trust",
       "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "dnf install -y ca-certificates"},
      {"ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "Fedora/RHEL", "/etc/pki/ca-trust/source/anchors",
       "update-ca-trust", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "dnf install"},
      {"ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n", "openSUSE", "/etc/pki/trust/anchors",
       "update-ca-certificates", "/var/lib/ca-certificates/ca-bundle.pem", "zypper --non-interactive install"},
      {"ID=arch\n", "Arch", "/etc/ca-certificates/trust-source/anchors", "trust",
       "/etc/ssl/certs/ca-certificates.crt", "pacman -Sy --noconfirm p11-kit ca-certificates"},
      {"ID=mystery\nID_LIKE=\"debian\"\n", "Debian/Ubuntu", "/usr/local/share/ca-certificates",
       "update-ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "apt-get"},
  };
  for (const auto& c : cases) {
    FakeRunner runner;
    runner.handler = [&](const process::Command&) { return test::result(0, c.os_release); };
    ContainerTarget t = find_container("podman", "web", runner);
    EXPECT_EQ(t.layout.family, c.family) << c.os_release;
    EXPECT_EQ(t.layout.anchors_dir, c.anchors) << c.os_release;
    EXPECT_EQ(t.layout.update_argv.front(), c.update) << c.os_release;
    EXPECT_EQ(t.layout.bundle, c.bundle) << c.os_release;
    EXPECT_NE(t.layout.image_install.find(c.image_install), std::string::npos) << t.layout.image_install;
    ASSERT_EQ(runner.commands.size(), 1u);
    EXPECT_EQ(runner.commands[0].argv, (ContainerArgv{"podman", "exec", "-i", "-u", "0", "--", "web", "cat", "/etc/os-release"}));
  }
}

TEST(ContainerLayout, FallsBackToUsrLibOsReleaseAndRefusesAnUnknownDistribution) {
  FakeRunner runner;
  runner.handler = [&](const process::Command& c) {
    return c.argv.back() == "/etc/os-release" ? test::result(1, "", "cat: /etc/os-release: No such file")
                                              : test::result(0, "ID=alpine\n");
  };
  EXPECT_EQ(find_container("docker", "db", runner).layout.family, "Alpine");
  EXPECT_EQ(runner.commands.at(1).argv.back(), "/usr/lib/os-release");

  FakeRunner unknown;
  unknown.handler = [](const process::Command&) { return test::result(0, "ID=plan9\n"); };
  try {
    find_container("podman", "web", unknown);
    FAIL() << "an unknown distribution was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("podman container 'web' runs a distribution devcert does not know"),
              std::string::npos) << e.what();
    EXPECT_EQ(e.fix(), "mount the root at run time instead: devcert snippet compose");
  }
}

TEST(ContainerLayout, AnUnreachableContainerSaysWhatWhyAndTheFix) {
  FakeRunner runner;
  runner.handler = [](const process::Command&) {
    return test::result(125, "", "Error: no container with name or ID \"web\" found: no such container\n");
  };
  try {
    find_container("podman", "web", runner);
    FAIL() << "an unreachable container was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot reach podman container 'web': Error: no container with name or ID "
                                     "\"web\" found: no such container");
    EXPECT_EQ(e.fix(), "start it (podman start web); 'podman ps' lists the running containers");
    EXPECT_EQ(e.exit_code(), kExitFailure);
  }
}

TEST(ContainerLayout, AStoppedContainerIsUnreachableWhicheverWayTheEngineSaysIt) {
  // Podman: 255 for exec in a stopped container; Docker: 1, as cat exits for a missing file.
  for (const auto& [code, message] : std::vector<std::pair<int, std::string>>{
           {255, "Error: can only create exec sessions on running containers: container state improper"},
           {1, "Error response from daemon: container 0f3c is not running"}}) {
    FakeRunner runner;
    runner.handler = [&, code = code, message = message](const process::Command&) {
      return test::result(code, "", message + "\n");
    };
    try {
      find_container("docker", "web", runner);
      FAIL() << code;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "cannot reach docker container 'web': " + message);
      EXPECT_EQ(e.fix(), "start it (docker start web); 'docker ps' lists the running containers");
    }
  }
}

TEST(ContainerNames, HostileNamesAreRefusedBeforeAnyEngineRuns) {
  for (const std::string& name : std::vector<std::string>{"-u", "--privileged", "-", "", "web db", "web\ndb", std::string("web\0x", 5),
                           "web\x1b[31m", "web\t", "../web", "web/x", "web;rm", "$(id)", "web:/etc", "\xc3\xa9t\xc3\xa9",
                           "_web", ".web"}) {
    FakeRunner runner;
    runner.programs = {"podman"};
    EXPECT_THROW(check_container_name(name), UsageError) << name;
    EXPECT_THROW(find_container("podman", name, runner), UsageError) << name;
    EXPECT_THROW(container_exec_argv("podman", name, {"true"}), UsageError) << name;
    EXPECT_TRUE(runner.commands.empty()) << name;
  }
  try {
    check_container_name("web\n-u");
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "a control character reached the message";
  }
  for (std::string name : {"web", "my_app.db-1", "0f3c9a2b", "a"}) EXPECT_NO_THROW(check_container_name(name)) << name;
}

TEST(ContainerNames, TheEngineArgvEndsItsOptionsBeforeTheContainer) {
  EXPECT_EQ(container_exec_argv("docker", "web", {"cat", "/etc/os-release"}),
            (ContainerArgv{"docker", "exec", "-i", "-u", "0", "--", "web", "cat", "/etc/os-release"}));
  EXPECT_EQ(container_copy_argv("podman", "/usr/bin/devcert", "web", "/tmp/devcert.x/devcert"),
            (ContainerArgv{"podman", "cp", "--", "/usr/bin/devcert", "web:/tmp/devcert.x/devcert"}));
}

TEST(ContainerEngine, PodmanFirstThenDockerAndAClearErrorWithNeither) {
  FakeRunner both;
  both.programs = {"podman", "docker"};
  EXPECT_EQ(pick_container_engine("", both), "podman");
  EXPECT_EQ(pick_container_engine("docker", both), "docker");
  FakeRunner docker_only;
  docker_only.programs = {"docker"};
  EXPECT_EQ(pick_container_engine("", docker_only), "docker");
  EXPECT_THROW(pick_container_engine("podman", docker_only), Error);
  EXPECT_THROW(pick_container_engine("lxc", both), UsageError);
  FakeRunner none;
  try {
    pick_container_engine("", none);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("neither podman nor docker"), std::string::npos);
    EXPECT_FALSE(e.fix().empty());
  }
}

class ContainerStoreTest : public ::testing::Test {
 protected:
  TempDir tmp;
  CaCertificate ca = test::make_ca(tmp / "ca");
  FakeRunner runner;
  ContainerTarget debian{"podman", "web", *layout_with_id("debian")};
};

TEST_F(ContainerStoreTest, InstallWritesTheAnchorAndRunsTheUpdateAsTheContainersRoot) {
  ContainerStore store(runner, debian);
  store.install(ca);
  std::string anchor = "/usr/local/share/ca-certificates/" + ca.name + ".crt";
  ASSERT_EQ(runner.commands.size(), 4u);
  EXPECT_EQ(argv_inside(runner.commands[0]), (ContainerArgv{"mkdir", "-p", "/usr/local/share/ca-certificates"}));
  EXPECT_EQ(argv_inside(runner.commands[1]), (ContainerArgv{"tee", anchor}));
  EXPECT_EQ(runner.commands[1].input, ca.pem);
  EXPECT_EQ(argv_inside(runner.commands[2]), (ContainerArgv{"chmod", "0644", anchor}));
  EXPECT_EQ(argv_inside(runner.commands[3]), (ContainerArgv{"update-ca-certificates"}));
  for (const auto& c : runner.commands) {
    EXPECT_EQ(ContainerArgv(c.argv.begin(), c.argv.begin() + 7), (ContainerArgv{"podman", "exec", "-i", "-u", "0", "--", "web"}));
    // Only the root certificate travels: never a key.
    EXPECT_EQ(c.input.find("PRIVATE KEY"), std::string::npos);
  }
  EXPECT_EQ(store.where(), "podman container 'web': /usr/local/share/ca-certificates (Debian/Ubuntu)");
}

TEST_F(ContainerStoreTest, FedoraUsesItsAnchorsDirectoryAndUpdateCaTrustExtract) {
  ContainerStore store(runner, {"docker", "api", *layout_with_id("fedora")});
  store.install(ca);
  EXPECT_EQ(argv_inside(runner.commands[1]), (ContainerArgv{"tee", "/etc/pki/ca-trust/source/anchors/" + ca.name + ".pem"}));
  EXPECT_EQ(argv_inside(runner.commands.back()), (ContainerArgv{"update-ca-trust", "extract"}));
  EXPECT_EQ(runner.commands.back().argv.front(), "docker");
}

TEST_F(ContainerStoreTest, MissingCaToolingNamesThePackageLineAndInstallsNothing) {
  runner.handler = [](const process::Command&) { return test::result(127); };
  ContainerStore store(runner, {"podman", "web", *layout_with_id("alpine")});
  Availability a = store.availability();
  EXPECT_FALSE(a.available);
  EXPECT_EQ(a.why, "update-ca-certificates is not in the image of podman container 'web' (Alpine keeps it in "
                   "ca-certificates)");
  EXPECT_NE(a.fix.find("RUN apk add --no-cache ca-certificates"), std::string::npos) << a.fix;
  ASSERT_EQ(runner.commands.size(), 1u);
  EXPECT_EQ(argv_inside(runner.commands[0]), (ContainerArgv{"sh", "-c", "command -v -- \"$1\" >/dev/null", "sh",
                                              "update-ca-certificates"}));
}

TEST_F(ContainerStoreTest, ContainsReadsTheAnchorAndTheBundle) {
  std::string bundle = "other\n" + ca.pem;
  runner.handler = [&](const process::Command& c) {
    if (c.argv.back().find("/usr/local/share/") == 0) return test::result(0, ca.pem);
    return test::result(0, bundle);
  };
  ContainerStore store(runner, debian);
  EXPECT_TRUE(store.contains(ca));
  bundle = "no root here";
  EXPECT_FALSE(store.contains(ca));
}

TEST_F(ContainerStoreTest, UninstallRemovesTheAnchorItsLinksAndUpdates) {
  ContainerStore store(runner, debian);
  store.uninstall(ca);
  ASSERT_EQ(runner.commands.size(), 4u);
  EXPECT_EQ(argv_inside(runner.commands[0]), (ContainerArgv{"test", "-e", "/usr/local/share/ca-certificates/" + ca.name + ".crt"}));
  EXPECT_EQ(argv_inside(runner.commands[1]), (ContainerArgv{"rm", "-f", "/usr/local/share/ca-certificates/" + ca.name + ".crt"}));
  ContainerArgv links = argv_inside(runner.commands[2]);
  ASSERT_EQ(links.size(), 6u);
  EXPECT_EQ(ContainerArgv(links.begin(), links.begin() + 2), (ContainerArgv{"sh", "-c"}));
  // The script is fixed text: the names are its arguments.
  EXPECT_EQ(links[2].find(ca.name), std::string::npos);
  EXPECT_EQ(ContainerArgv(links.begin() + 3, links.end()), (ContainerArgv{"sh", "/etc/ssl/certs", ca.name + ".pem"}));
  EXPECT_EQ(argv_inside(runner.commands[3]), (ContainerArgv{"update-ca-certificates"}));

  FakeRunner absent;
  absent.handler = [](const process::Command&) { return test::result(1); };
  ContainerStore nothing(absent, debian);
  nothing.uninstall(ca);
  EXPECT_EQ(absent.commands.size(), 1u);
}

TEST_F(ContainerStoreTest, AFailingStepSaysWhichContainerAndHowToSeeWhy) {
  runner.handler = [](const process::Command& c) {
    return c.argv.back() == "update-ca-certificates" ? test::result(1, "", "rehash failed\n") : test::result(0);
  };
  ContainerStore store(runner, debian);
  try {
    store.install(ca);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot update the system store (update-ca-certificates) in podman container 'web': rehash failed");
    EXPECT_EQ(e.fix(), "run it yourself to see why: podman exec -i -u 0 -- web update-ca-certificates");
  }
}

}  // namespace
}  // namespace devcert::trust
