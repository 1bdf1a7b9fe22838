// `devcert snippet`: each rendered snippet checked by its real tool (nginx -t, caddy validate,
// node --check, py_compile, gofmt + go vet), then each actually started on loopback and proven
// with `devcert verify-server wss://` (nginx and Caddy in front of a ws:// app) or curl (Go).
// The certificate lives in a directory whose name holds spaces, quotes, a backslash and braces,
// so every tool also proves the quoting.
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "support/helpers.h"
#include "wss/fixture.h"

namespace devcert::test {
namespace {

using wss::test::BackgroundProcess;
using wss::test::in_ci;  // DEVCERT_REQUIRE_TOOL: a missing tool fails in CI, skips elsewhere
using wss::test::port_after;

// Debian's node modules live here; a Node.js not built by Debian does not look there itself.
const std::map<std::string, std::string> kNodeEnv = {{"NODE_PATH", "/usr/share/nodejs"}};
const char* const kAwkwardDir = "certs dir \"double\" 'single' ;{x} back\\slash";

// nginx is in /usr/sbin, which a non-root PATH often lacks.
std::string find_tool(const std::string& name) {
  if (have_tool(name)) return name;
  for (const char* dir : {"/usr/sbin/", "/usr/local/sbin/"})
    if (::access((std::string(dir) + name).c_str(), X_OK) == 0) return dir + name;
  return "";
}

// A port free on 127.0.0.1 right now, for the tools that cannot listen on port 0 and say
// which port they got (nginx).
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Polls `done` for up to 20 s (a guard against a hang, not a timing assertion).
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 400; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

bool have_python_websockets() {
  return run_process({"/usr/bin/python3", "-c", "import websockets"}).exit_code == 0;
}

// The app behind nginx and Caddy: a plain ws:// echo server on 127.0.0.1, printing "app PORT".
std::vector<std::string> plain_ws_app() {
  return {"/usr/bin/python3", "-c",
          "import asyncio, websockets\n"
          "async def echo(ws, path=None):\n"
          "    async for m in ws: await ws.send(m)\n"
          "async def main():\n"
          "    s = await websockets.serve(echo, '127.0.0.1', 0)\n"
          "    print('app %d' % s.sockets[0].getsockname()[1], flush=True)\n"
          "    await asyncio.Future()\n"
          "asyncio.run(main())\n"};
}

class Snippet : public testing::Test {
 protected:
  TempDir tmp;
  stdfs::path caroot = tmp / "caroot";
  stdfs::path certs = tmp / kAwkwardDir;
  stdfs::path cert = certs / "localhost.pem";
  stdfs::path key = certs / "localhost-key.pem";

  void SetUp() override {
    stdfs::create_directories(certs);
    ASSERT_EQ(run_devcert({"init"}, caroot).exit_code, 0);
    auto r = run_devcert({"issue", "localhost", "127.0.0.1", "::1", "--cert-file", cert.string(),
                          "--key-file", key.string()}, caroot);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // The snippet for `target` written to tmp/`file`.
  stdfs::path render(const std::string& target, const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"snippet", target, "--cert", cert.string(), "--key", key.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_devcert(args, caroot);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    write_text(tmp / file, r.out);
    return tmp / file;
  }

  // `devcert verify-server URL` trusting only this CA: every stage up to the echo passed.
  void expect_verified(const std::string& url) {
    auto r = run_devcert({"verify-server", url, "--ca", (caroot / "rootCA.pem").string(), "--json"}, caroot);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
    EXPECT_EQ(r.exit_code, 0) << j.dump(2);
    EXPECT_TRUE(j.value("ok", false)) << j.dump(2);
  }

  // The snippet's TLS floor: TLS 1.2 completes, TLS 1.1 does not (offered for real: an OpenSSL
  // client at security level 0 still speaks it).
  void expect_tls12_but_not_tls11(std::uint16_t port) {
    auto hello = [&](const std::string& version) {
      return run_process({"openssl", "s_client", "-connect", "localhost:" + std::to_string(port),
                          "-servername", "localhost", version, "-cipher", "DEFAULT@SECLEVEL=0"});
    };
    auto tls12 = hello("-tls1_2");
    EXPECT_EQ(tls12.exit_code, 0) << tls12.err;
    EXPECT_NE(tls12.out.find("New, TLSv1.2, Cipher is "), std::string::npos) << tls12.out;
    auto tls11 = hello("-tls1_1");
    EXPECT_NE(tls11.exit_code, 0) << tls11.out;
    EXPECT_NE(tls11.out.find("New, (NONE), Cipher is (NONE)"), std::string::npos) << tls11.out;
  }

  // The program's https:// page, fetched by curl trusting only this CA.
  void expect_https_answer(std::uint16_t port) {
    DEVCERT_REQUIRE_TOOL(have_tool("curl"), "curl");
    auto r = run_process({"curl", "-sS", "--cacert", (caroot / "rootCA.pem").string(),
                          "https://localhost:" + std::to_string(port) + "/"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello over TLS\n");
  }

  // Caddy keeps its state under $HOME and the XDG directories: all in the test's directory.
  std::map<std::string, std::string> caddy_env() const {
    return {{"HOME", (tmp / "home").string()},
            {"XDG_DATA_HOME", (tmp / "data").string()},
            {"XDG_CONFIG_HOME", (tmp / "config").string()}};
  }

  // Starts a rendered program with --port 0 and returns the port it prints.
  std::uint16_t start(BackgroundProcess& p, const std::string& marker) {
    EXPECT_TRUE(p.started());
    if (!p.wait_for_output(marker)) return 0;
    return port_after(p.out(), marker);
  }
};

TEST_F(Snippet, ListsTargetsAndRejectsUnknownOnes) {
  auto list = run_devcert({"snippet", "--list"}, caroot);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const char* target : {"nginx", "caddy", "node", "python", "go", "dockerfile", "compose"})
    EXPECT_NE(list.out.find(std::string(target) + " "), std::string::npos) << target << "\n" << list.out;

  auto unknown = run_devcert({"snippet", "apache"}, caroot);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown snippet target 'apache': valid targets are nginx, caddy, node, python, go, dockerfile, compose"),
            std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.out, "");
  EXPECT_EQ(run_devcert({"snippet"}, caroot).exit_code, 2);
  EXPECT_EQ(run_devcert({"snippet", "node", "--key", key.string()}, caroot).exit_code, 2);
  auto help = run_devcert({"snippet", "--help"}, caroot);
  EXPECT_NE(help.out.find("nginx, caddy, node, python, go"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("./localhost+2.pem"), std::string::npos) << help.out;
}

TEST_F(Snippet, DefaultsToWhatIssueWroteAndWritesAbsolutePaths) {
  stdfs::path work = tmp / "work";
  stdfs::create_directories(work);
  auto none = run_devcert({"snippet", "python"}, caroot, work);
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.err.find("warning: no certificate here yet: devcert issue localhost 127.0.0.1 ::1"),
            std::string::npos) << none.err;

  ASSERT_EQ(run_devcert({"issue", "localhost"}, caroot, work).exit_code, 0);
  auto single = run_devcert({"snippet", "python"}, caroot, work);
  EXPECT_NE(single.out.find("CERT_FILE = \"" + (work / "localhost.pem").string() + "\"\n"), std::string::npos)
      << single.out;
  EXPECT_NE(single.out.find("KEY_FILE = \"" + (work / "localhost-key.pem").string() + "\"\n"), std::string::npos);
  EXPECT_EQ(single.err, "");

  ASSERT_EQ(run_devcert({"issue", "localhost", "127.0.0.1", "::1"}, caroot, work).exit_code, 0);
  auto quick_start = run_devcert({"snippet", "python", "--port", "9000"}, caroot, work);
  EXPECT_NE(quick_start.out.find("CERT_FILE = \"" + (work / "localhost+2.pem").string() + "\"\n"),
            std::string::npos) << quick_start.out;
  EXPECT_NE(quick_start.out.find("KEY_FILE = \"" + (work / "localhost+2-key.pem").string() + "\"\n"),
            std::string::npos);
  EXPECT_NE(quick_start.out.find("PORT = 9000\n"), std::string::npos);

  // A relative --cert becomes absolute; its key is found beside it.
  auto relative = run_devcert({"snippet", "go", "--cert", "./localhost.pem"}, caroot, work);
  EXPECT_NE(relative.out.find("certFile = \"" + (work / "localhost.pem").string() + "\"\n"), std::string::npos)
      << relative.out;
  EXPECT_NE(relative.out.find("keyFile  = \"" + (work / "localhost-key.pem").string() + "\"\n"), std::string::npos);
  // A certificate clients would refuse on localhost is loaded as asked, with the reason.
  ASSERT_EQ(run_devcert({"issue", "app.test"}, caroot, work).exit_code, 0);
  auto elsewhere = run_devcert({"snippet", "node", "--cert", "app.test.pem"}, caroot, work);
  EXPECT_EQ(elsewhere.exit_code, 0);
  EXPECT_NE(elsewhere.err.find("warning: clients will refuse " + (work / "app.test.pem").string() +
                               ": it does not name localhost"), std::string::npos) << elsewhere.err;
  auto missing = run_devcert({"snippet", "go", "--cert", "nope.pem"}, caroot, work);
  EXPECT_EQ(missing.exit_code, 0);
  EXPECT_NE(missing.err.find((work / "nope.pem").string() + " does not exist"), std::string::npos) << missing.err;
}

TEST_F(Snippet, RefusesWhatATargetCannotExpress) {
  stdfs::path dollar = tmp / "a$HOME";
  auto nginx = run_devcert({"snippet", "nginx", "--cert", (dollar / "c.pem").string()}, caroot);
  EXPECT_EQ(nginx.exit_code, 1);
  EXPECT_NE(nginx.err.find("nginx reads every '$' as a variable"), std::string::npos) << nginx.err;
  EXPECT_EQ(nginx.out, "");
  // The programs take it as it is.
  auto node = run_devcert({"snippet", "node", "--cert", (dollar / "c.pem").string()}, caroot);
  EXPECT_EQ(node.exit_code, 0) << node.err;
  EXPECT_NE(node.out.find("a$HOME/c.pem"), std::string::npos);

  auto caddy = run_devcert({"snippet", "caddy", "--cert", (tmp / "{$HOME}.pem").string()}, caroot);
  EXPECT_EQ(caddy.exit_code, 1);
  EXPECT_NE(caddy.err.find("environment variable"), std::string::npos) << caddy.err;
  auto newline = run_devcert({"snippet", "python", "--cert", (tmp / "a\nb.pem").string()}, caroot);
  EXPECT_EQ(newline.exit_code, 1);
  EXPECT_NE(newline.err.find("control character"), std::string::npos) << newline.err;

  EXPECT_EQ(run_devcert({"snippet", "nginx", "--port", "0"}, caroot).exit_code, 2);
  EXPECT_EQ(run_devcert({"snippet", "nginx", "--port", "70000"}, caroot).exit_code, 2);
  auto upstream = run_devcert({"snippet", "caddy", "--upstream", "http://app:3000; evil"}, caroot);
  EXPECT_EQ(upstream.exit_code, 2);
  EXPECT_NE(upstream.err.find("--upstream must be HOST:PORT"), std::string::npos) << upstream.err;
}

TEST_F(Snippet, NginxConfigPassesNginxT) {
  std::string nginx = find_tool("nginx");
  DEVCERT_REQUIRE_TOOL(!nginx.empty(), "nginx");
  stdfs::path conf = render("nginx", "nginx.conf");
  stdfs::path prefix = tmp / "nginx-prefix";
  stdfs::create_directories(prefix);
  auto r = run_process({nginx, "-t", "-p", prefix.string() + "/", "-c", conf.string(), "-e", "stderr"});
  EXPECT_EQ(r.exit_code, 0) << read_text(conf) << r.out << r.err;
  EXPECT_NE(r.err.find("test is successful"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[warn]"), std::string::npos) << r.err;
}

TEST_F(Snippet, NginxServesWssThroughToTheApp) {
  std::string nginx = find_tool("nginx");
  DEVCERT_REQUIRE_TOOL(!nginx.empty(), "nginx");
  DEVCERT_REQUIRE_TOOL(have_python_websockets(), "Debian's python3-websockets");
  BackgroundProcess app(plain_ws_app());
  std::uint16_t app_port = start(app, "app ");
  ASSERT_NE(app_port, 0) << app.err();

  std::uint16_t port = free_port();
  stdfs::path conf = render("nginx", "nginx.conf",
                            {"--port", std::to_string(port), "--upstream", "127.0.0.1:" + std::to_string(app_port)});
  stdfs::path prefix = tmp / "nginx-prefix";
  stdfs::create_directories(prefix);
  BackgroundProcess server({nginx, "-p", prefix.string() + "/", "-c", conf.string(), "-e", "stderr"});
  ASSERT_TRUE(server.started());
  // nginx prints nothing when it is up: its pid file says so.
  ASSERT_TRUE(eventually([&] { return stdfs::exists(prefix / "nginx.pid"); })) << server.err();
  expect_verified("wss://localhost:" + std::to_string(port) + "/");
  expect_tls12_but_not_tls11(port);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.err();
}

TEST_F(Snippet, CaddyfileValidatesAndLoadsTheFiles) {
  DEVCERT_REQUIRE_TOOL(have_tool("caddy"), "caddy");
  stdfs::path file = render("caddy", "Caddyfile");
  auto env = caddy_env();
  auto r = run_process({"caddy", "validate", "--config", file.string(), "--adapter", "caddyfile"}, env);
  EXPECT_EQ(r.exit_code, 0) << read_text(file) << r.out << r.err;
  EXPECT_NE(r.out.find("Valid configuration"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.err.find("not formatted"), std::string::npos) << r.err;

  auto adapted = run_process({"caddy", "adapt", "--config", file.string(), "--adapter", "caddyfile"}, env);
  ASSERT_EQ(adapted.exit_code, 0) << adapted.err;
  auto config = nlohmann::json::parse(adapted.out);
  auto loaded = config["apps"]["tls"]["certificates"]["load_files"][0];
  EXPECT_EQ(loaded["certificate"], cert.string());
  EXPECT_EQ(loaded["key"], key.string());
  auto server = config["apps"]["http"]["servers"]["srv0"];
  EXPECT_EQ(server["listen"], nlohmann::json::array({"127.0.0.1:8443", "[::1]:8443"}));
  EXPECT_EQ(server["tls_connection_policies"][0]["protocol_min"], "tls1.2");
}

TEST_F(Snippet, CaddyServesWssThroughToTheApp) {
  DEVCERT_REQUIRE_TOOL(have_tool("caddy"), "caddy");
  DEVCERT_REQUIRE_TOOL(have_python_websockets(), "Debian's python3-websockets");
  BackgroundProcess app(plain_ws_app());
  std::uint16_t app_port = start(app, "app ");
  ASSERT_NE(app_port, 0) << app.err();

  std::uint16_t port = free_port();
  stdfs::path file = render("caddy", "Caddyfile",
                            {"--port", std::to_string(port), "--upstream", "127.0.0.1:" + std::to_string(app_port)});
  BackgroundProcess server({"caddy", "run", "--config", file.string(), "--adapter", "caddyfile"}, caddy_env());
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(eventually([&] { return server.err().find("serving initial configuration") != std::string::npos; }))
      << server.err();
  expect_verified("wss://localhost:" + std::to_string(port) + "/");
  expect_tls12_but_not_tls11(port);
  server.stop(SIGTERM);
}

TEST_F(Snippet, NodeServerChecksAndEchoesOverWss) {
  DEVCERT_REQUIRE_TOOL(have_tool("node") && run_process({"node", "-e", "require('ws')"}, kNodeEnv).exit_code == 0,
               "node and Debian's node-ws");
  stdfs::path program = render("node", "server.js", {"--port", "0"});
  auto check = run_process({"node", "--check", program.string()});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  BackgroundProcess server({"node", program.string()}, kNodeEnv);
  std::uint16_t port = start(server, "wss://localhost:");
  ASSERT_NE(port, 0) << server.out() << server.err();
  expect_verified("wss://localhost:" + std::to_string(port) + "/");
  expect_https_answer(port);
  expect_tls12_but_not_tls11(port);
}

TEST_F(Snippet, PythonServerCompilesAndEchoesOverWss) {
  DEVCERT_REQUIRE_TOOL(have_python_websockets(), "Debian's python3-websockets");
  stdfs::path program = render("python", "server.py", {"--port", "0"});
  auto check = run_process({"/usr/bin/python3", "-m", "py_compile", program.string()},
                           {{"PYTHONPYCACHEPREFIX", (tmp / "pycache").string()}});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  BackgroundProcess server({"/usr/bin/python3", program.string()});
  std::uint16_t port = start(server, "wss://localhost:");
  ASSERT_NE(port, 0) << server.out() << server.err();
  expect_verified("wss://localhost:" + std::to_string(port) + "/");
  expect_tls12_but_not_tls11(port);
}

TEST_F(Snippet, GoServerIsFormattedVetsBuildsAndServesHttps) {
  DEVCERT_REQUIRE_TOOL(have_tool("go") && have_tool("gofmt"), "go (golang-go)");
  stdfs::path module = tmp / "gomod";
  stdfs::create_directories(module);
  stdfs::path program = render("go", "gomod/main.go", {"--port", "0"});
  write_text(module / "go.mod", "module snippet\n\ngo 1.19\n");
  // Everything Go caches or downloads stays in the test's directory; net/http needs no network.
  std::map<std::string, std::string> env{{"GOCACHE", (tmp / "gocache").string()},
                                         {"GOPATH", (tmp / "gopath").string()},
                                         {"GOPROXY", "off"},
                                         {"GOTOOLCHAIN", "local"},
                                         {"HOME", (tmp / "home").string()}};
  auto fmt = run_process({"gofmt", "-l", "-e", program.string()});
  EXPECT_EQ(fmt.exit_code, 0) << fmt.err;
  EXPECT_EQ(fmt.out, "") << "gofmt would change it:\n" << read_text(program);
  auto vet = run_process({"go", "vet", "."}, env, module);
  EXPECT_EQ(vet.exit_code, 0) << vet.out << vet.err;
  auto build = run_process({"go", "build", "-o", (tmp / "server").string(), "."}, env, module);
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  BackgroundProcess server({(tmp / "server").string()});
  std::uint16_t port = start(server, "https://localhost:");
  ASSERT_NE(port, 0) << server.out() << server.err();
  expect_https_answer(port);
  expect_tls12_but_not_tls11(port);
}

}  // namespace
}  // namespace devcert::test
