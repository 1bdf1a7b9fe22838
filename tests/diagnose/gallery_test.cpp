// The gallery of deliberately broken servers: each diagnosed by `devcert verify-server URL` with
// the right stage and cause. Servers listen on 127.0.0.1, on ephemeral ports, and are stopped by
// the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ctime>
#include <nlohmann/json.hpp>

#include "pki/certificate.h"
#include "pki/ca.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "support/helpers.h"
#include "util/fs.h"
#include "wss/fixture.h"

namespace devcert::diagnose {
namespace {

using test::ProcessResult;
using test::run_process;
using test::TempDir;
using wss::test::BackgroundProcess;
using wss::test::port_after;

const std::string kFakeServer = std::string(DEVCERT_SOURCE_DIR) + "/tests/diagnose/fake_server.py";

// The cause codes of a diagnosis's problems, in order; each must carry its message.
std::vector<std::string> gallery_problem_causes(const nlohmann::json& diagnosis) {
  std::vector<std::string> out;
  for (const auto& p : diagnosis["problems"]) {
    EXPECT_FALSE(p.value("message", "").empty()) << p.dump();
    out.push_back(p.value("cause", ""));
  }
  return out;
}


class Gallery : public testing::Test {
 protected:
  TempDir tmp;
  std::filesystem::path caroot = tmp / "caroot";
  std::filesystem::path system_bundle = tmp / "system.pem";
  std::vector<std::unique_ptr<BackgroundProcess>> servers;

  void SetUp() override {
    ASSERT_EQ(test::run_devcert({"init"}, caroot).exit_code, 0);
    // A stand-in "system store" holding one unrelated root: the machine's real store never
    // decides a test's outcome.
    pki::RootProfile other;
    other.user_host = "system@store";
    ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
    test::write_text(system_bundle, pki::certificate_pem(pki::build_root(other, key.get()).get()));
    std::filesystem::create_directories(tmp / "empty-certs-dir");
  }

  std::string root_pem() const { return (caroot / "rootCA.pem").string(); }

  pki::CertificateAuthority ca() const { return pki::CaRoot(caroot).load(); }

  // Writes a leaf and key made by `ca` for `names`; returns {cert path, key path}.
  std::pair<std::string, std::string> leaf(const std::string& stem, const std::vector<std::string>& names,
                                           const pki::CertificateAuthority& issuer) {
    pki::Leaf l = pki::issue_leaf(issuer, pki::parse_subject_names(names), pki::LeafProfile{});
    return write_pair(stem, l.cert.get(), l.key.get());
  }

  std::pair<std::string, std::string> write_pair(const std::string& stem, X509* cert, EVP_PKEY* key,
                                                 const std::string& extra_chain = "") {
    std::string c = (tmp / (stem + ".pem")).string(), k = (tmp / (stem + "-key.pem")).string();
    test::write_text(c, pki::certificate_pem(cert) + extra_chain);
    test::write_text(k, pki::private_key_pem(key));
    return {c, k};
  }

  std::uint16_t fake(const std::string& mode, const std::pair<std::string, std::string>& files = {}) {
    std::vector<std::string> argv{"python3", kFakeServer, mode};
    if (!files.first.empty()) argv.insert(argv.end(), {files.first, files.second});
    servers.push_back(std::make_unique<BackgroundProcess>(argv));
    EXPECT_TRUE(servers.back()->wait_for_output("\n")) << servers.back()->err();
    return static_cast<std::uint16_t>(std::atoi(servers.back()->out().c_str()));
  }

  nlohmann::json diagnose(const std::string& url, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"verify-server", url, "--json"};
    if (std::find(extra.begin(), extra.end(), "--timeout") == extra.end()) extra.insert(extra.end(), {"--timeout", "2"});
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = test::run_devcert(args, caroot, tmp.path(),
                                        {{"SSL_CERT_FILE", system_bundle.string()},
                                         {"SSL_CERT_DIR", (tmp / "empty-certs-dir").string()}});
    last_exit = r.exit_code;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return nlohmann::json::object();
    }
  }

  void expect_cause(const nlohmann::json& j, const std::string& stage, const std::string& cause) {
    EXPECT_EQ(j.value("ok", true), false) << j.dump(2);
    EXPECT_EQ(j.value("stage", ""), stage) << j.dump(2);
    EXPECT_EQ(j.value("cause", ""), cause) << j.dump(2);
    EXPECT_FALSE(j.value("message", "").empty());
    EXPECT_FALSE(j.value("fix", "").empty());
    for (const char* client : {"chrome", "firefox", "node", "python", "curl"})
      EXPECT_FALSE(j["clients"].value(client, "").empty()) << client;
    EXPECT_EQ(last_exit, 1);
  }

  std::string url(std::uint16_t port, const std::string& host = "localhost", const std::string& scheme = "wss") {
    return scheme + "://" + host + ":" + std::to_string(port) + "/";
  }

  int last_exit = -1;
};

TEST_F(Gallery, HealthyDevcertServeIsOk) {
  auto [cert, key] = leaf("healthy", {"localhost", "127.0.0.1"}, ca());
  servers.push_back(std::make_unique<BackgroundProcess>(
      std::vector<std::string>{DEVCERT_BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--cert", cert, "--key", key}));
  ASSERT_TRUE(servers.back()->wait_for_output("Ctrl-C stops")) << servers.back()->out() << servers.back()->err();
  std::uint16_t port = port_after(servers.back()->out(), "wss://127.0.0.1:");
  if (port == 0) port = port_after(servers.back()->out(), "wss://localhost:");
  ASSERT_NE(port, 0) << servers.back()->out();
  auto j = diagnose(url(port, "127.0.0.1"), {"--ca", root_pem()});
  EXPECT_EQ(j["ok"], true) << j.dump(2);
  EXPECT_EQ(j["stage"], "done");
  EXPECT_EQ(j["cause"], "ok");
  EXPECT_EQ(last_exit, 0);
  ASSERT_EQ(j["walks"].size(), 1u) << j.dump(2);
  ASSERT_EQ(j["walks"][0]["stages"].size(), 9u);
  for (const auto& s : j["walks"][0]["stages"]) EXPECT_EQ(s["status"], "ok") << s.dump();
  // With the root in the (stand-in) system store, no --ca is needed.
  test::write_text(system_bundle, test::read_text(root_pem()));
  auto sys = diagnose(url(port, "127.0.0.1"));
  EXPECT_EQ(sys["ok"], true) << sys.dump(2);
  EXPECT_NE(sys["walks"][0]["stages"][5]["detail"].get<std::string>().find("devcert CA"), std::string::npos);
}

TEST_F(Gallery, SeedArticlesSelfSignedCertificate) {
  // The exact command from the article.
  auto gen = run_process({"openssl", "req", "-new", "-x509", "-days", "365", "-nodes", "-out", "cert.pem", "-keyout",
                          "key.pem", "-subj", "/CN=localhost"},
                         {}, tmp.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::uint16_t port = fake("tls", {(tmp / "cert.pem").string(), (tmp / "key.pem").string()});
  auto j = diagnose(url(port));
  expect_cause(j, "trust", "self_signed");
  EXPECT_EQ(j["clients"]["node"], "DEPTH_ZERO_SELF_SIGNED_CERT");
  EXPECT_EQ(j["clients"]["chrome"], "net::ERR_CERT_AUTHORITY_INVALID");
  // And the human output names the cause, the clients' words and the fix.
  auto text = test::run_devcert({"verify-server", url(port), "--timeout", "2"}, caroot, tmp.path(),
                                {{"SSL_CERT_FILE", system_bundle.string()}});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("cause: self_signed"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("DEPTH_ZERO_SELF_SIGNED_CERT"), std::string::npos);
  EXPECT_NE(text.out.find("CERTIFICATE_VERIFY_FAILED"), std::string::npos);
  EXPECT_NE(text.out.find("  curl:    curl: (60) SSL certificate problem: self-signed certificate"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("fix: replace it with one from your devcert CA"), std::string::npos);
  // The name is only in the CN, which the walk would have named next: one fix covers both.
  EXPECT_EQ(gallery_problem_causes(j), (std::vector<std::string>{"self_signed", "cn_only"})) << j.dump(2);
  EXPECT_EQ(j["fix"], "replace it with one from your devcert CA: devcert install && devcert issue localhost");
  // -q keeps the cause and the fix, and drops the checklist.
  auto quiet = test::run_devcert({"-q", "verify-server", url(port), "--timeout", "2"}, caroot, tmp.path(),
                                 {{"SSL_CERT_FILE", system_bundle.string()}});
  EXPECT_EQ(quiet.exit_code, 1);
  EXPECT_NE(quiet.out.find("cause: self_signed: "), std::string::npos) << quiet.out;
  EXPECT_NE(quiet.out.find("fix: replace it with one from your devcert CA: devcert install && devcert issue localhost"),
            std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("✓"), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("Chrome:"), std::string::npos) << quiet.out;
}

TEST_F(Gallery, LeafFromAnUntrustedCa) {
  pki::RootProfile p;
  p.user_host = "stranger@elsewhere";
  pki::CertificateAuthority stranger;
  stranger.key = pki::generate_key(pki::KeyType::ecdsa_p256);
  stranger.cert = pki::build_root(p, stranger.key.get());
  std::uint16_t port = fake("tls", leaf("stranger", {"localhost"}, stranger));
  expect_cause(diagnose(url(port)), "trust", "unknown_issuer");
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "trust", "unknown_issuer");
}

TEST_F(Gallery, DevcertLeafWhoseCaIsNotInstalled) {
  std::uint16_t port = fake("tls", leaf("notinstalled", {"localhost"}, ca()));
  auto j = diagnose(url(port));
  expect_cause(j, "trust", "ca_not_installed");
  EXPECT_NE(j["fix"].get<std::string>().find("devcert install"), std::string::npos);
}

TEST_F(Gallery, LeafWithoutTheRequestedName) {
  std::uint16_t port = fake("tls", leaf("other", {"other.test"}, ca()));
  auto j = diagnose(url(port), {"--ca", root_pem()});
  expect_cause(j, "hostname", "hostname_mismatch");
  // The new leaf keeps the name the old one served, and adds the one asked for.
  EXPECT_EQ(j["fix"], "devcert issue other.test localhost");
}

TEST_F(Gallery, IpNotInTheSan) {
  std::uint16_t port = fake("tls", leaf("nameonly", {"localhost"}, ca()));
  expect_cause(diagnose(url(port, "127.0.0.1"), {"--ca", root_pem()}), "hostname", "ip_mismatch");
}

TEST_F(Gallery, CnOnlyCertificate) {
  // A CN=localhost leaf with no SAN, signed by the devcert CA with openssl (devcert never makes one).
  auto req = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", "cn-key.pem", "-out", "cn.csr", "-subj", "/CN=localhost"},
                         {}, tmp.path());
  ASSERT_EQ(req.exit_code, 0) << req.err;
  auto sign = run_process({"openssl", "x509", "-req", "-in", "cn.csr", "-CA", root_pem(), "-CAkey",
                           (caroot / "rootCA-key.pem").string(), "-days", "30", "-out", "cn.pem"},
                          {}, tmp.path());
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  std::uint16_t port = fake("tls", {(tmp / "cn.pem").string(), (tmp / "cn-key.pem").string()});
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "hostname", "cn_only");
}

class DatedGallery : public Gallery {
 protected:
  std::pair<std::string, std::string> dated_leaf(const std::string& stem, int from_days, int to_days,
                                                 const std::vector<std::string>& names = {"localhost"}) {
    auto issuer = ca();
    pki::Leaf l = pki::issue_leaf(issuer, pki::parse_subject_names(names), pki::LeafProfile{});
    time_t now = std::time(nullptr);
    X509_time_adj_ex(X509_getm_notBefore(l.cert.get()), from_days, 0, &now);
    X509_time_adj_ex(X509_getm_notAfter(l.cert.get()), to_days, 0, &now);
    EXPECT_GT(X509_sign(l.cert.get(), issuer.key.get(), EVP_sha256()), 0);
    return write_pair(stem, l.cert.get(), l.key.get());
  }
};

TEST_F(DatedGallery, ExpiredLeaf) {
  std::uint16_t port = fake("tls", dated_leaf("expired", -30, -1));
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "certificate", "expired");
}

// OpenSSL checks the name before the dates and, left alone, stops at the first error: a leaf
// that is expired and for another name looked merely misnamed (and the self test's old client
// called it verified). Both modes judge from every error and name the expiry.
TEST_F(DatedGallery, ExpiredLeafForAnotherNameIsExpiredInBothModes) {
  auto files = dated_leaf("expired-elsewhere", -30, -1, {"elsewhere.test"});
  std::uint16_t port = fake("tls", files);
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "certificate", "expired");
  ProcessResult self = test::run_devcert({"verify-server", "--cert", files.first, "--key", files.second, "--json"}, caroot,
                                         tmp.path(), {{"HOME", (tmp / "home").string()}});
  EXPECT_EQ(self.exit_code, 1) << self.out << self.err;
  nlohmann::json j = nlohmann::json::parse(self.out);
  ASSERT_GE(j["walks"].size(), 3u) << j.dump(2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(j["walks"][i]["stage"], "certificate") << j["walks"][i].dump(2);
    EXPECT_EQ(j["walks"][i]["cause"], "expired") << j["walks"][i].dump(2);
  }
}

// A devcert leaf for app.test, expired, from a CA that is not installed, probed as localhost:
// one run names all three broken links (the walk still stops at the first) and one fix for
// them, with the names read from the certificate.
TEST_F(DatedGallery, EveryBrokenLinkOfTheCertificateInOneRunWithOneFix) {
  auto files = dated_leaf("app", -30, -1, {"app.test"});
  std::uint16_t port = fake("tls", files);
  auto j = diagnose(url(port));
  expect_cause(j, "certificate", "expired");
  const std::string both = "devcert install && devcert issue app.test localhost";
  EXPECT_EQ(gallery_problem_causes(j), (std::vector<std::string>{"expired", "ca_not_installed", "hostname_mismatch"})) << j.dump(2);
  EXPECT_EQ(j["fix"], both) << j.dump(2);
  ASSERT_EQ(j["walks"].size(), 1u) << j.dump(2);
  EXPECT_EQ(gallery_problem_causes(j["walks"][0]), gallery_problem_causes(j));
  EXPECT_EQ(j["walks"][0]["fix"], both);
  EXPECT_NE(j["problems"][2]["message"].get<std::string>().find("does not name localhost"), std::string::npos)
      << j.dump(2);

  ProcessResult text = test::run_devcert({"verify-server", url(port), "--timeout", "2"}, caroot, tmp.path(),
                                         {{"SSL_CERT_FILE", system_bundle.string()}});
  EXPECT_EQ(text.exit_code, 1);
  for (const char* line : {"cause: expired", "every problem seen:", "  expired: the certificate expired on",
                           "  ca_not_installed: issued by your devcert CA", "  hostname_mismatch: the certificate does not name localhost",
                           "fix: devcert install && devcert issue app.test localhost"})
    EXPECT_NE(text.out.find(line), std::string::npos) << line << "\n" << text.out;

  // The self test on the same files: the walks trusting the root see no trust problem, the
  // system store walk sees all three.
  ProcessResult self = test::run_devcert({"verify-server", "--cert", files.first, "--key", files.second, "--json"}, caroot,
                                         tmp.path(), {{"HOME", (tmp / "home").string()},
                                                      {"SSL_CERT_FILE", system_bundle.string()},
                                                      {"SSL_CERT_DIR", (tmp / "empty-certs-dir").string()}});
  EXPECT_EQ(self.exit_code, 1) << self.out << self.err;
  nlohmann::json st = nlohmann::json::parse(self.out);
  EXPECT_EQ(st["mode"], "self_test");
  EXPECT_EQ(st["stage"], "certificate") << st.dump(2);
  EXPECT_EQ(st["cause"], "expired") << st.dump(2);
  EXPECT_EQ(st["fix"], "devcert issue app.test localhost") << st.dump(2);
  EXPECT_EQ(gallery_problem_causes(st), (std::vector<std::string>{"expired", "hostname_mismatch"}));
  std::map<std::string, nlohmann::json> walks;
  for (const auto& w : st["walks"]) walks[w["name"]] = w;
  ASSERT_TRUE(walks.count("localhost") && walks.count("127.0.0.1") && walks.count("system trust store")) << st.dump(2);
  EXPECT_EQ(gallery_problem_causes(walks["localhost"]), (std::vector<std::string>{"expired", "hostname_mismatch"}));
  EXPECT_EQ(walks["localhost"]["fix"], "devcert issue app.test localhost");
  EXPECT_EQ(gallery_problem_causes(walks["127.0.0.1"]), (std::vector<std::string>{"expired", "ip_mismatch"}));
  EXPECT_EQ(walks["127.0.0.1"]["fix"], "devcert issue app.test 127.0.0.1");
  EXPECT_EQ(gallery_problem_causes(walks["system trust store"]),
            (std::vector<std::string>{"expired", "ca_not_installed", "hostname_mismatch"}));
  EXPECT_EQ(walks["system trust store"]["fix"], both);
  EXPECT_EQ(st["machine_trust"]["ok"], false);
  EXPECT_EQ(st["machine_trust"]["fix"], both);
}

// Alone, an expired leaf's fix names what the leaf was for, not a placeholder.
TEST_F(DatedGallery, ExpiredLeafFixNamesItsNames) {
  std::uint16_t port = fake("tls", dated_leaf("expired-names", -30, -1, {"localhost", "*.app.test", "127.0.0.1"}));
  auto j = diagnose(url(port), {"--ca", root_pem()});
  expect_cause(j, "certificate", "expired");
  EXPECT_EQ(gallery_problem_causes(j), std::vector<std::string>{"expired"});
  EXPECT_EQ(j["fix"], "devcert issue localhost '*.app.test' 127.0.0.1") << j.dump(2);
}

TEST_F(DatedGallery, NotYetValidLeaf) {
  std::uint16_t port = fake("tls", dated_leaf("future", 5, 30));
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "certificate", "not_yet_valid");
}

TEST_F(Gallery, ServerThatDoesNotSendItsIntermediate) {
  // The server is given the leaf alone.
  ASSERT_EQ(test::make_openssl_chain(tmp.path(), "gallery"), "");
  std::uint16_t port = fake("tls", {(tmp / "gallery-leaf.pem").string(), (tmp / "gallery-leaf.key").string()});
  auto j = diagnose(url(port), {"--ca", (tmp / "gallery-root.pem").string()});
  expect_cause(j, "trust", "chain_incomplete");
  // Served with the intermediate, the same leaf is fine.
  test::write_text(tmp / "full.pem",
                   test::read_text(tmp / "gallery-leaf.pem") + test::read_text(tmp / "gallery-intermediate.pem"));
  std::uint16_t full = fake("tls", {(tmp / "full.pem").string(), (tmp / "gallery-leaf.key").string()});
  auto ok = diagnose(url(full), {"--ca", (tmp / "gallery-root.pem").string()});
  EXPECT_EQ(ok["ok"], true) << ok.dump(2);
}

TEST_F(Gallery, Tls11OnlyServer) {
  std::uint16_t port = fake("tls11", leaf("old", {"localhost"}, ca()));
  auto j = diagnose(url(port), {"--ca", root_pem()});
  expect_cause(j, "tls", "tls_version_too_old");
}

TEST_F(Gallery, PlainHttpOnTheTlsPort) {
  std::uint16_t port = fake("plain");
  expect_cause(diagnose(url(port)), "tls", "not_tls");
}

TEST_F(Gallery, HttpsServerAnswering404ToTheUpgrade) {
  std::uint16_t port = fake("status404", leaf("s404", {"localhost"}, ca()));
  auto j = diagnose(url(port, "localhost", "https"), {"--ca", root_pem()});
  expect_cause(j, "websocket", "not_websocket");
  EXPECT_NE(j["message"].get<std::string>().find("HTTP 404"), std::string::npos) << j.dump(2);
}

TEST_F(Gallery, ServerAnswering403ToTheUpgrade) {
  std::uint16_t port = fake("status403", leaf("s403", {"localhost"}, ca()));
  expect_cause(diagnose(url(port), {"--ca", root_pem(), "--origin", "https://evil.example"}), "websocket",
               "origin_rejected");
}

TEST_F(Gallery, ServerThatDropsTheSubprotocol) {
  std::uint16_t port = fake("nosubprotocol", leaf("nosub", {"localhost"}, ca()));
  expect_cause(diagnose(url(port), {"--ca", root_pem(), "--subprotocol", "chat"}), "websocket",
               "subprotocol_mismatch");
  // A correct server echoes it back.
  std::uint16_t good = fake("tls", leaf("sub", {"localhost"}, ca()));
  EXPECT_EQ(diagnose(url(good), {"--ca", root_pem(), "--subprotocol", "chat"})["ok"], true);
}

TEST_F(Gallery, WrongSecWebSocketAccept) {
  std::uint16_t port = fake("badaccept", leaf("bad", {"localhost"}, ca()));
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "websocket", "bad_accept");
}

TEST_F(Gallery, SeedArticlesEchoServerThatAnswersSomethingElse) {
  std::uint16_t port = fake("wrongecho", leaf("wrong", {"localhost"}, ca()));
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "echo", "echo_mismatch");
  auto skipped = diagnose(url(port), {"--ca", root_pem(), "--no-echo"});
  EXPECT_EQ(skipped["ok"], true) << skipped.dump(2);
  EXPECT_EQ(skipped["walks"][0]["stages"][8]["status"], "skipped");
}

TEST_F(Gallery, ClosedPort) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::uint16_t port = ntohs(addr.sin_port);
  ::close(fd);  // bound, never listened, now closed: nothing answers there
  expect_cause(diagnose(url(port, "127.0.0.1")), "tcp", "connection_refused");
}

TEST_F(Gallery, PortThatNeverAnswers) {
  std::uint16_t port = fake("blackhole");
  expect_cause(diagnose(url(port, "127.0.0.1"), {"--timeout", "1"}), "tcp", "connection_timeout");
}

TEST_F(Gallery, ServerThatAcceptsButNeverAnswersTheTlsHello) {
  std::uint16_t port = fake("silent");
  expect_cause(diagnose(url(port, "127.0.0.1"), {"--timeout", "1"}), "tls", "connection_timeout");
}

TEST_F(Gallery, WeakKey) {
  auto gen = run_process({"openssl", "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", "weak.key", "-out",
                          "weak.pem", "-subj", "/CN=localhost", "-days", "30", "-addext",
                          "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:FALSE"},
                         {}, tmp.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::uint16_t port = fake("tls", {(tmp / "weak.pem").string(), (tmp / "weak.key").string()});
  expect_cause(diagnose(url(port), {"--ca", (tmp / "weak.pem").string()}), "certificate", "weak_key");
}

TEST_F(Gallery, ClientOnlyCertificate) {
  auto gen = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", "c.key", "-out", "c.pem", "-subj", "/CN=localhost", "-days", "30", "-addext",
                          "subjectAltName=DNS:localhost", "-addext", "extendedKeyUsage=clientAuth"},
                         {}, tmp.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::uint16_t port = fake("tls", {(tmp / "c.pem").string(), (tmp / "c.key").string()});
  expect_cause(diagnose(url(port), {"--ca", (tmp / "c.pem").string()}), "certificate", "missing_server_auth");
}

TEST_F(Gallery, NameOutsideTheRootsConstraints) {
  auto issuer = ca();
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  // Signed directly, bypassing devcert's own refusal: the verifier must catch it.
  ossl::X509Ptr rogue = pki::build_leaf(pki::LeafProfile{}, pki::parse_subject_names({"localhost", "example.dev"}),
                                        key.get(), issuer.cert.get(), issuer.key.get());
  std::uint16_t port = fake("tls", write_pair("rogue", rogue.get(), key.get()));
  expect_cause(diagnose(url(port), {"--ca", root_pem()}), "trust", "name_constraint_violation");
}

TEST_F(Gallery, PlainWsUrlSkipsTlsAndWarns) {
  std::uint16_t port = fake("plain");
  auto j = diagnose(url(port, "localhost", "ws"));
  // The plain server answers 400 to the upgrade.
  expect_cause(j, "websocket", "not_websocket");
  EXPECT_EQ(j["walks"][0]["stages"][3]["status"], "skipped");
  ASSERT_FALSE(j["walks"][0]["warnings"].empty());
  EXPECT_NE(j["walks"][0]["warnings"][0].get<std::string>().find("mixed"), std::string::npos);
}

TEST_F(Gallery, DnsFailure) {
  expect_cause(diagnose("wss://no-such-host.invalid:8443/"), "dns", "dns_failed");
}

TEST_F(Gallery, MalformedUrlIsAUsageError) {
  auto r = test::run_devcert({"verify-server", "ftp://localhost/"}, caroot, tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unsupported scheme"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace devcert::diagnose
