// Mutual TLS, proven by devcert's one client: `verify-server URL --client-cert/--client-key`
// against Node and Python servers that require a client certificate, and `devcert serve
// --client-ca` against curl, Python and Node clients. Every refusal names its cause on both sides.
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "wss/fixture.h"

namespace devcert::wss::test {
namespace {

using devcert::test::has;
using devcert::test::run_devcert;
using devcert::test::run_process;


// Two devcert CAs (ours and another), each with a client leaf; ours also has a server leaf and a
// leaf without clientAuth.
class Mtls : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* ca : {"ours", "other"}) ASSERT_EQ(run_devcert({"init"}, dir / ca).exit_code, 0);
    issue("ours", {"localhost", "127.0.0.1", "::1"}, "server");
    issue("ours", {"--client", "localhost"}, "client");
    issue("ours", {"localhost"}, "server-only");  // serverAuth only: no clientAuth
    issue("other", {"--client", "localhost"}, "stranger");
  }
  void issue(const std::string& ca, std::vector<std::string> args, const std::string& stem) {
    args.insert(args.begin(), "issue");
    args.insert(args.end(), {"--cert-file", pem(stem), "--key-file", key(stem)});
    auto r = run_devcert(args, dir / ca);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::string pem(const std::string& stem) const { return (dir / (stem + ".pem")).string(); }
  std::string key(const std::string& stem) const { return (dir / (stem + "-key.pem")).string(); }
  std::string root() const { return (dir / "ours" / "rootCA.pem").string(); }

  // verify-server URL --json, presenting `client` ("" = no certificate).
  nlohmann::json verify(const std::string& url, const std::string& client) {
    std::vector<std::string> args{"verify-server", url, "--ca", root(), "--timeout", "5", "--json"};
    if (!client.empty())
      args.insert(args.end(), {"--client-cert", pem(client), "--client-key", key(client)});
    auto r = run_devcert(args, dir / "ours");
    EXPECT_EQ(r.exit_code, client == "client" ? 0 : 1) << r.out << r.err;
    return nlohmann::json::parse(r.out);
  }

  // A peer server requiring a client certificate from our CA: accepted with our client leaf,
  // refused without one, with another CA's, and with a leaf not made for clients.
  void check_peer(std::vector<std::string> argv, const std::map<std::string, std::string>& env) {
    argv.insert(argv.end(), {pem("server"), key("server"), root()});
    BackgroundProcess peer(argv, env);
    ASSERT_TRUE(peer.wait_for_output("listening ")) << peer.out() << peer.err();
    std::string url = url_for("localhost", port_after(peer.out(), "listening "));
    nlohmann::json ok = verify(url, "client");
    EXPECT_TRUE(ok["ok"].get<bool>()) << ok.dump(2);
    EXPECT_TRUE(has(ok["walks"][0]["stages"][3]["detail"], "client certificate sent")) << ok.dump(2);
    nlohmann::json none = verify(url, "");
    EXPECT_EQ(none["cause"], "client_cert_missing") << none.dump(2);
    EXPECT_TRUE(has(none["clients"]["node"], "CERTIFICATE_REQUIRED")) << none.dump(2);
    nlohmann::json stranger = verify(url, "stranger");
    EXPECT_EQ(stranger["cause"], "client_cert_untrusted") << stranger.dump(2);
    nlohmann::json server_only = verify(url, "server-only");
    EXPECT_EQ(server_only["cause"], "client_cert_not_for_client_auth") << server_only.dump(2);
  }

  TempDir dir;
};

TEST_F(Mtls, PythonServerRequiringAClientCertificate) {
  DEVCERT_REQUIRE_TOOL(run_process({"/usr/bin/python3", "-c", "import websockets"}).exit_code == 0,
                       "Debian's python3-websockets");
  check_peer({"/usr/bin/python3", kPeers + "python_server.py"}, {});
}

TEST_F(Mtls, NodeServerRequiringAClientCertificate) {
  DEVCERT_REQUIRE_TOOL(devcert::test::have_tool("node") && run_process({"node", "-e", "require('ws')"}, kNodeEnv).exit_code == 0,
                       "Debian's node-ws");
  check_peer({"node", kPeers + "node_server.js"}, kNodeEnv);
}

// `devcert serve --client-ca` (the devcert root): each client is accepted with our client leaf and
// refused without a certificate or with another CA's, the cause named by the client and in
// serve's log.
class ServeClientCa : public Mtls {
 protected:
  void SetUp() override {
    Mtls::SetUp();
    serve = std::make_unique<BackgroundProcess>(std::vector<std::string>{DEVCERT_BIN, "serve", "--client-ca", "--port", "0"},
                                                std::map<std::string, std::string>{{"DEVCERT_CAROOT", (dir / "ours").string()},
                                                                                   {"NO_COLOR", "1"}});
    ASSERT_TRUE(serve->wait_for_output("Ctrl-C stops")) << serve->out() << serve->err();
    EXPECT_TRUE(has(serve->out(), "clients must present a certificate issued by the devcert CA")) << serve->out();
    port = std::to_string(port_after(serve->out(), "wss://localhost:"));
  }
  void TearDown() override {
    if (serve) EXPECT_EQ(serve->stop(SIGTERM), 0) << serve->err();
  }
  // The log line of the next refused connection holds `words`.
  void expect_logged(const std::string& words) {
    EXPECT_TRUE(serve->wait_for_output(words)) << serve->out();
  }
  // `client` run with our client leaf is accepted (its output shows `ok_shows`); run with no
  // certificate, and with another CA's, it is refused, the cause named in its error output and
  // in serve's log.
  void check_client(const std::function<devcert::test::ProcessResult(const std::string&)>& client,
                    const std::string& ok_shows, const std::string& missing_shows, const std::string& untrusted_shows) {
    auto ok = client("client");
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_TRUE(has(ok.out, ok_shows)) << ok.out.substr(0, 200);
    auto none = client("");
    EXPECT_NE(none.exit_code, 0);
    EXPECT_TRUE(has(none.err, missing_shows)) << none.err;
    expect_logged("the client sent no client certificate");
    auto stranger = client("stranger");
    EXPECT_NE(stranger.exit_code, 0);
    EXPECT_TRUE(has(stranger.err, untrusted_shows)) << stranger.err;
    expect_logged("issued by a CA that --client-ca does not name");
  }
  std::unique_ptr<BackgroundProcess> serve;
  std::string port;
};

TEST_F(ServeClientCa, DevcertVerifyServer) {
  std::string url = "wss://localhost:" + port + "/";
  EXPECT_TRUE(verify(url, "client")["ok"].get<bool>());
  EXPECT_EQ(verify(url, "")["cause"], "client_cert_missing");
  expect_logged("the client sent no client certificate");
  EXPECT_EQ(verify(url, "stranger")["cause"], "client_cert_untrusted");
  expect_logged("issued by a CA that --client-ca does not name");
  EXPECT_EQ(verify(url, "server-only")["cause"], "client_cert_not_for_client_auth");
  expect_logged("its extendedKeyUsage lacks clientAuth");
}

TEST_F(ServeClientCa, Curl) {
  DEVCERT_REQUIRE_TOOL(devcert::test::have_tool("curl"), "curl");
  auto curl = [&](const std::string& client) {
    std::vector<std::string> argv{"curl", "-sS", "--max-time", "10", "--cacert", root(), "https://localhost:" + port + "/"};
    if (!client.empty())
      argv.insert(argv.end(), {"--cert", pem(client), "--key", key(client)});
    return run_process(argv);
  };
  check_client(curl, "new WebSocket(", "certificate required", "unknown ca");
}

TEST_F(ServeClientCa, Python) {
  const std::string script =
      "import socket, ssl, sys\n"
      "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
      "if len(sys.argv) > 3: ctx.load_cert_chain(sys.argv[3], sys.argv[4])\n"
      "with socket.create_connection(('localhost', int(sys.argv[1]))) as raw:\n"
      "    with ctx.wrap_socket(raw, server_hostname='localhost') as s:\n"
      "        s.sendall(b'GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n')\n"
      "        print(s.recv(64).split(b'\\r\\n')[0].decode())\n";
  auto python = [&](const std::string& client) {
    std::vector<std::string> argv{"/usr/bin/python3", "-c", script, port, root()};
    if (!client.empty()) argv.insert(argv.end(), {pem(client), key(client)});
    return run_process(argv);
  };
  check_client(python, "HTTP/1.1 200 OK", "TLSV13_ALERT_CERTIFICATE_REQUIRED", "TLSV1_ALERT_UNKNOWN_CA");
}

TEST_F(ServeClientCa, Node) {
  DEVCERT_REQUIRE_TOOL(devcert::test::have_tool("node"), "node");
  const std::string script =
      "const https = require('https'), fs = require('fs');\n"
      "const [port, ca, cert, key] = process.argv.slice(1);\n"
      "const o = { host: 'localhost', port, path: '/', ca: fs.readFileSync(ca) };\n"
      "if (cert) { o.cert = fs.readFileSync(cert); o.key = fs.readFileSync(key); }\n"
      "https.get(o, (r) => { console.log('status ' + r.statusCode); r.resume(); })\n"
      "  .on('error', (e) => { console.error('error ' + e.code); process.exit(1); });\n";
  auto node = [&](const std::string& client) {
    std::vector<std::string> argv{"node", "-e", script, port, root()};
    if (!client.empty()) argv.insert(argv.end(), {pem(client), key(client)});
    return run_process(argv, kNodeEnv);
  };
  check_client(node, "status 200", "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA");
}

}  // namespace
}  // namespace devcert::wss::test
