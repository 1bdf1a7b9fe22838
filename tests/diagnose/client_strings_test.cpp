// Every "what clients show" string of `devcert verify-server URL` is what the real client prints.
// The gallery's broken servers (as in gallery_test.cpp) are started once; devcert names each one's
// cause, and each client (Node's ws, Python's websockets, curl, headless Chromium and Firefox)
// is run against every server: its output must show the table's words for that cause (the format
// is ClientMessages' in diagnose/causes.h). Every client trusts the same roots, given the way a
// user gives them (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, CURL_CA_BUNDLE, NSS databases in a temp
// HOME): nothing is installed outside the test's temp dir. One browser start per browser. For
// the client-certificate causes every client presents a certificate the way its user would (a
// file for Node, Python and curl; a PKCS#12 import into the browser's NSS database, picked
// automatically). The connect and DNS timeouts are run in a private network where nothing answers
// (in_unreachable_network.sh), where the kernel and glibc give up within seconds: every client
// then prints its own words for them, as it does after minutes on a real network.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "diagnose/causes.h"
#include "pki/ca.h"
#include "pki/certificate.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "support/helpers.h"
#include "wss/fixture.h"

namespace devcert::diagnose::client_strings {
namespace {

using test::run_process;
using test::TempDir;
using wss::test::BackgroundProcess;
using wss::test::in_unreachable_network;
using wss::test::in_ci;  // DEVCERT_REQUIRE_TOOL names it unqualified
namespace stdfs = std::filesystem;

const std::string kSource = std::string(DEVCERT_SOURCE_DIR) + "/tests/";
const std::string kDrivers = kSource + "diagnose/clients/";
const std::string kPython = "/usr/bin/python3";

// One broken server of the gallery, and the cause devcert must name for it.
struct BrokenServer {
  std::string cause;
  std::string host = "localhost";
  std::uint16_t port = 0;
  std::string subprotocol;      // the one the clients ask for ("" none)
  stdfs::path caroot;           // devcert's own CA for this case
  // The client certificate and key every client presents ("" none): Node, Python and curl are
  // given the files, the browsers find it in their NSS database.
  std::pair<std::string, std::string> client_cert;
  bool unreachable = false;  // its host is in in_unreachable_network.sh's network: run in there
  // The WebSocket's own causes: the TLS connection works, the upgrade does not. Browsers show
  // them from a page's script, curl by sending the upgrade.
  bool upgrade_level() const {
    for (const char* c : {"not_websocket", "origin_rejected", "bad_accept", "subprotocol_mismatch", "echo_mismatch",
                          "response_timeout", "bad_response", "bad_frame"})
      if (cause == c) return true;
    return false;
  }
  std::string address(const std::string& scheme) const {
    return scheme + "://" + host + ":" + std::to_string(port) + "/";
  }
};

// The gallery, built once per test process: two devcert CAs (one trusted, one never installed),
// the trust bundle every client is given, and the servers.
class ClientGallery {
 public:
  TempDir tmp;
  stdfs::path caroot = tmp / "caroot";                // trusted: its root is in the bundle
  stdfs::path other_caroot = tmp / "other-caroot";    // never installed anywhere
  stdfs::path bundle = tmp / "trusted-roots.pem";
  stdfs::path home = tmp / "home";
  std::vector<BrokenServer> servers;
  std::string setup_error;  // why the gallery could not be built ("" when it was)
  // Why the unreachable network cannot be made here ("" when it can): its causes go unchecked.
  std::string no_unreachable_network;

  // How many times the devcert serve --client-ca server of `cause` logged `text` so far.
  std::size_t times_logged(const std::string& cause, const std::string& text) const {
    for (std::size_t i = 0; i < mutual_tls_.size(); ++i) {
      if (mutual_tls_causes_[i] != cause) continue;
      std::string log = mutual_tls_[i]->out() + mutual_tls_[i]->err();
      std::size_t n = 0;
      for (std::size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
      return n;
    }
    return 0;
  }

  ClientGallery() {
    try {
      build();
    } catch (const std::exception& e) {
      setup_error = e.what();
    }
  }

 private:
  std::vector<std::unique_ptr<BackgroundProcess>> processes_;
  std::vector<std::unique_ptr<BackgroundProcess>> mutual_tls_;  // devcert serve --client-ca
  std::vector<std::string> mutual_tls_causes_;                   // the cause of each
  std::vector<std::size_t> started_;  // the index in `servers` of each process's server

  void run(const std::vector<std::string>& argv) {
    auto r = run_process(argv, {}, tmp.path());
    if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
  }
  void openssl_leaf(const std::string& stem, const std::string& key_spec, const std::string& extensions) {
    test::write_text(tmp / (stem + ".ext"), extensions);
    std::vector<std::string> req{"openssl", "req", "-new", "-nodes", "-keyout", stem + ".key", "-out", stem + ".csr",
                                 "-subj", "/CN=localhost", "-newkey", key_spec};
    if (key_spec == "ec") req.insert(req.end(), {"-pkeyopt", "ec_paramgen_curve:P-256"});
    run(req);
    run({"openssl", "x509", "-req", "-in", stem + ".csr", "-CA", (caroot / "rootCA.pem").string(), "-CAkey",
         (caroot / "rootCA-key.pem").string(), "-days", "30", "-extfile", stem + ".ext", "-out", stem + ".pem"});
  }
  std::pair<std::string, std::string> files(const std::string& stem, const std::string& key_suffix = ".key") {
    return {(tmp / (stem + ".pem")).string(), (tmp / (stem + key_suffix)).string()};
  }
  std::pair<std::string, std::string> write_pair(const std::string& stem, X509* cert, EVP_PKEY* key) {
    test::write_text(tmp / (stem + ".pem"), pki::certificate_pem(cert));
    test::write_text(tmp / (stem + ".key"), pki::private_key_pem(key));
    return files(stem);
  }
  std::pair<std::string, std::string> leaf(const std::string& stem, const std::vector<std::string>& names,
                                           const pki::CertificateAuthority& issuer, int from_days = 0, int to_days = 0) {
    pki::Leaf l = pki::issue_leaf(issuer, pki::parse_subject_names(names), pki::LeafProfile{});
    if (from_days || to_days) {
      time_t now = std::time(nullptr);
      X509_time_adj_ex(X509_getm_notBefore(l.cert.get()), from_days, 0, &now);
      X509_time_adj_ex(X509_getm_notAfter(l.cert.get()), to_days, 0, &now);
      if (X509_sign(l.cert.get(), issuer.key.get(), EVP_sha256()) <= 0) throw std::runtime_error("re-signing failed");
    }
    return write_pair(stem, l.cert.get(), l.key.get());
  }
  // Starts a server of fake_server.py, or of hostile_server.py for a mode of its own; its port
  // is read once all are started (await_ports), so that their start-ups overlap.
  BrokenServer& serve(const std::string& cause, const std::string& mode,
                      const std::pair<std::string, std::string>& cert = {}, const std::string& script = "fake_server.py") {
    std::vector<std::string> argv{kPython, kSource + "diagnose/" + script, mode};
    if (!cert.first.empty()) argv.insert(argv.end(), {cert.first, cert.second});
    processes_.push_back(std::make_unique<BackgroundProcess>(argv));
    BrokenServer s;
    s.cause = cause;
    s.caroot = caroot;
    servers.push_back(s);
    started_.push_back(servers.size() - 1);
    return servers.back();
  }
  void await_ports() {
    for (std::size_t i = 0; i < processes_.size(); ++i) {
      BrokenServer& s = servers[started_[i]];
      if (!processes_[i]->wait_for_output("\n")) throw std::runtime_error(s.cause + " server: " + processes_[i]->err());
      s.port = static_cast<std::uint16_t>(std::atoi(processes_[i]->out().c_str()));
    }
  }

  void build() {
    if (test::run_devcert({"init"}, caroot).exit_code != 0) throw std::runtime_error("devcert init failed");
    pki::CertificateAuthority ca = pki::CaRoot(caroot).load();
    // Another user's devcert CA: by its own name, or Firefox, finding the trusted root of the
    // same name, reports SEC_ERROR_BAD_SIGNATURE instead.
    pki::RootProfile other_profile;
    other_profile.user_host = "not-installed@devcert";
    pki::CaRoot(other_caroot).init(other_profile);
    pki::CertificateAuthority not_installed = pki::CaRoot(other_caroot).load();
    pki::RootProfile stranger_profile;
    stranger_profile.user_host = "stranger@elsewhere";
    pki::CertificateAuthority stranger;
    stranger.key = pki::generate_key(pki::KeyType::ecdsa_p256);
    stranger.cert = pki::build_root(stranger_profile, stranger.key.get());

    // The seed article's certificate: openssl's self-signed CN=localhost.
    run({"openssl", "req", "-new", "-x509", "-days", "365", "-nodes", "-out", "article.pem", "-keyout", "article.key",
         "-subj", "/CN=localhost"});
    serve("self_signed", "tls", files("article"));
    serve("unknown_issuer", "tls", leaf("stranger", {"localhost"}, stranger));
    serve("ca_not_installed", "tls", leaf("not-installed", {"localhost"}, not_installed)).caroot = other_caroot;
    serve("hostname_mismatch", "tls", leaf("other", {"other.test"}, ca));
    serve("ip_mismatch", "tls", leaf("name-only", {"localhost"}, ca)).host = "127.0.0.1";
    openssl_leaf("cn-only", "ec", "basicConstraints=critical,CA:FALSE\n");
    serve("cn_only", "tls", files("cn-only"));
    serve("expired", "tls", leaf("expired", {"localhost"}, ca, -30, -1));
    serve("not_yet_valid", "tls", leaf("future", {"localhost"}, ca, 5, 30));
    // root -> intermediate -> leaf, the server given the leaf alone; the root is trusted.
    if (std::string failed = test::make_openssl_chain(tmp.path(), "chain"); !failed.empty())
      throw std::runtime_error(failed);
    serve("chain_incomplete", "tls", files("chain-leaf"));
    serve("tls_version_too_old", "tls11", leaf("old", {"localhost"}, ca));
    serve("not_tls", "plain");
    // The devcert CA signs what devcert itself refuses to make.
    openssl_leaf("weak", "rsa:1024",
                 "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
    serve("weak_key", "tls", files("weak"));
    openssl_leaf("client-only", "ec",
                 "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=clientAuth\n");
    serve("missing_server_auth", "tls", files("client-only"));
    ossl::Pkey rogue_key = pki::generate_key(pki::KeyType::ecdsa_p256);
    ossl::X509Ptr rogue = pki::build_leaf(pki::LeafProfile{}, pki::parse_subject_names({"localhost", "example.dev"}),
                                          rogue_key.get(), ca.cert.get(), ca.key.get());
    serve("name_constraint_violation", "tls", write_pair("rogue", rogue.get(), rogue_key.get()));
    serve("not_websocket", "status404", leaf("s404", {"localhost"}, ca));
    serve("origin_rejected", "status403", leaf("s403", {"localhost"}, ca));
    serve("subprotocol_mismatch", "nosubprotocol", leaf("nosub", {"localhost"}, ca)).subprotocol = "chat";
    serve("bad_accept", "badaccept", leaf("badaccept", {"localhost"}, ca));
    serve("echo_mismatch", "wrongecho", leaf("wrongecho", {"localhost"}, ca));
    serve("connection_reset", "reset_hello", leaf("reset", {"localhost"}, ca), "hostile_server.py");
    serve("response_timeout", "silent", leaf("silent", {"localhost"}, ca), "hostile_server.py");
    serve("bad_response", "header_flood", leaf("flood", {"localhost"}, ca), "hostile_server.py");
    serve("bad_frame", "frame_rsv", leaf("rsv", {"localhost"}, ca), "hostile_server.py");
    // A chain over the 100 KiB OpenSSL reads: thousands of names, signed by the trusted CA.
    std::string names = "subjectAltName=DNS:localhost";
    for (int i = 0; i < 6000; ++i) names += ",DNS:host-" + std::to_string(i) + ".a-long-domain-name.test";
    openssl_leaf("huge", "ec", "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n" + names + "\n");
    serve("certificate_too_large", "tls", files("huge"));
    // A server and clients that share no cipher: TLS 1.2 with NULL ciphers only.
    serve("tls_handshake_failed", "nocipher", leaf("nocipher", {"localhost"}, ca));

    // devcert serve requiring a client certificate, one server per client-certificate cause. Each
    // names a different CA in its certificate request, and browsers offer only a certificate
    // whose issuer is named there (and that has clientAuth): so the one certificate meant for a
    // server is the only one a browser could pick for it, from the one database it has.
    // Missing: the CA it names issued no client certificate here.
    mutual_tls("client_cert_missing", tmp / "chain-root.pem", {});
    // Untrusted: a certificate from a CA that bears the devcert CA's very name (so browsers offer
    // it) under another key, which the server does not trust.
    pki::CertificateAuthority twin;
    twin.key = pki::generate_key(pki::KeyType::ecdsa_p256);
    twin.cert = pki::build_root(stranger_profile, twin.key.get());
    X509_set_subject_name(twin.cert.get(), X509_get_subject_name(ca.cert.get()));
    X509_set_issuer_name(twin.cert.get(), X509_get_subject_name(ca.cert.get()));
    if (X509_sign(twin.cert.get(), twin.key.get(), EVP_sha256()) <= 0) throw std::runtime_error("twin signing failed");
    pki::LeafProfile for_clients;
    for_clients.client_auth = true;
    pki::Leaf twin_client = pki::issue_leaf(twin, pki::parse_subject_names({"localhost"}), for_clients);
    mutual_tls("client_cert_untrusted", caroot / "rootCA.pem",
               write_pair("twin-client", twin_client.cert.get(), twin_client.key.get()));
    // Not for client auth: a leaf of the CA the server names, issued without --client.
    mutual_tls("client_cert_not_for_client_auth", other_caroot / "rootCA.pem",
               leaf("server-only", {"localhost"}, not_installed));
    await_ports();
    for (std::size_t i = 0; i < mutual_tls_.size(); ++i) {
      if (!mutual_tls_[i]->wait_for_output("Ctrl-C stops")) throw std::runtime_error("serve: " + mutual_tls_[i]->err());
      servers[servers.size() - mutual_tls_.size() + i].port =
          wss::test::port_after(mutual_tls_[i]->out(), "wss://localhost:");
    }
    servers.push_back(BrokenServer{"connection_refused", "127.0.0.1", closed_port(), "", caroot});
    servers.push_back(BrokenServer{"dns_failed", "no-such-host.invalid", 8443, "", caroot});
    // 10.77.0.2 drops every packet and is the unreachable network's only nameserver.
    servers.push_back(BrokenServer{"connection_timeout", "10.77.0.2", 8443, "", caroot, {}, true});
    servers.push_back(BrokenServer{"dns_timeout", "silent-resolver.test", 8443, "", caroot, {}, true});
    auto probe = run_process(in_unreachable_network({"true"}));
    if (probe.exit_code != 0) no_unreachable_network = "exit " + std::to_string(probe.exit_code) + ": " + probe.err;

    test::write_text(bundle, test::read_text(caroot / "rootCA.pem") + test::read_text(tmp / "chain-root.pem"));
    stdfs::create_directories(tmp / "empty-certs-dir");
  }

  void mutual_tls(const std::string& cause, const stdfs::path& client_ca,
                  const std::pair<std::string, std::string>& client_cert) {
    mutual_tls_.push_back(std::make_unique<BackgroundProcess>(
        std::vector<std::string>{DEVCERT_BIN, "serve", "--client-ca", client_ca.string(), "--port", "0"},
        std::map<std::string, std::string>{{"DEVCERT_CAROOT", caroot.string()}, {"NO_COLOR", "1"}}));
    mutual_tls_causes_.push_back(cause);
    servers.push_back(BrokenServer{cause, "localhost", 0, "", caroot, client_cert});
  }

  static std::uint16_t closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);  // bound, never listened, now closed: nothing answers there
    return ntohs(addr.sin_port);
  }
};

// How a driver's output starts when the client connected (a page loaded, a socket opened).
constexpr std::string_view kConnected = "connected: ";

// `output` shows one excerpt: its pieces between "..." occur in order.
bool shows_excerpt(const std::string& output, const std::string& excerpt) {
  std::size_t at = 0;
  for (std::size_t from = 0; from <= excerpt.size();) {
    std::size_t dots = excerpt.find("...", from);
    std::string piece = excerpt.substr(from, dots == std::string::npos ? std::string::npos : dots - from);
    piece.erase(0, piece.find_first_not_of(' '));
    piece.erase(piece.find_last_not_of(' ') + 1);
    if (!piece.empty()) {
      at = output.find(piece, at);
      if (at == std::string::npos) return false;
      at += piece.size();
    }
    if (dots == std::string::npos) break;
    from = dots + 3;
  }
  return true;
}

// The client printed `claim` (ClientMessages' format): the text outside notes, or one of its
// " | " alternatives, occurs in `output`, "..." standing for any text. A note is parenthesised
// text holding a space; a claim that is all note says what happens where the client prints
// nothing of its own (it connects), and the driver's output must say the client connected.
bool shows(const std::string& output, std::string_view claim) {
  std::string verbatim;
  for (std::size_t i = 0; i < claim.size();) {
    std::size_t close = claim[i] == '(' ? claim.find(')', i) : std::string_view::npos;
    if (close != std::string_view::npos && claim.substr(i, close - i).find(' ') != std::string_view::npos) {
      while (!verbatim.empty() && verbatim.back() == ' ') verbatim.pop_back();
      i = close + 1;
      continue;
    }
    verbatim += claim[i++];
  }
  if (verbatim.find_first_not_of(' ') == std::string::npos) return output.starts_with(kConnected);
  for (std::size_t from = 0;;) {
    std::size_t bar = verbatim.find(" | ", from);
    if (shows_excerpt(output, verbatim.substr(from, bar == std::string::npos ? std::string::npos : bar - from)))
      return true;
    if (bar == std::string::npos) return false;
    from = bar + 3;
  }
}

TEST(ClientStringFormat, NotesAndEllipsesAreReadAsTheirFormatSays) {
  EXPECT_TRUE(shows("curl: (60) SSL certificate problem: x", "curl: (60) SSL certificate problem"));
  EXPECT_FALSE(shows("curl: (35) SSL certificate problem", "curl: (60) SSL certificate problem"));
  EXPECT_TRUE(shows("net::ERR_X at https://a/", "net::ERR_X (after the picker)"));
  EXPECT_FALSE(shows("net::ERR_Y at https://a/", "net::ERR_X (after the picker)"));
  EXPECT_TRUE(shows("a 1 b 2 c", "a ... c"));
  EXPECT_FALSE(shows("c 1 b 2 a", "a ... c"));
  EXPECT_TRUE(shows("net::ERR_B at https://a/", "net::ERR_A | net::ERR_B (which depends on timing)"));
  EXPECT_FALSE(shows("net::ERR_C at https://a/", "net::ERR_A | net::ERR_B (which depends on timing)"));
  EXPECT_TRUE(shows("connected: received \"Echo\"", "(connects; unexpected message)"));
  EXPECT_FALSE(shows("Error: refused", "(connects; unexpected message)"));
}

class ClientStrings : public testing::Test {
 protected:
  static void SetUpTestSuite() { gallery_ = new ClientGallery; }
  static void TearDownTestSuite() {
    delete gallery_;
    gallery_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(gallery_->setup_error, "") << "the gallery could not be built"; }

  static ClientGallery& gallery() { return *gallery_; }

  // The cases as a driver reads them: one URL per server (of the unreachable network, or of this
  // one), and how a browser opens it.
  static stdfs::path cases_file(const std::string& name, bool browser, bool unreachable) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& s : gallery().servers) {
      if (s.unreachable != unreachable) continue;
      bool page = browser && !s.upgrade_level();
      cases.push_back({{"id", s.cause},
                       {"url", s.address(page ? "https" : "wss")},
                       {"kind", page ? "page" : "websocket"},
                       {"subprotocol", s.subprotocol},
                       {"cert", s.client_cert.first},
                       {"key", s.client_cert.second}});
    }
    stdfs::path file = gallery().tmp / (name + "-cases.json");
    test::write_text(file, cases.dump());
    return file;
  }

  // Runs a driver on every server: `driver` is its argv for a cases file, run here after `here`
  // (a wrapper, or nothing) for the servers here, and in the unreachable network for its servers.
  // The outputs by cause.
  static std::map<std::string, std::string> driver_outputs(
      const std::string& name, bool browser, const std::function<std::vector<std::string>(const std::string&)>& driver,
      const std::map<std::string, std::string>& env, std::vector<std::string> here = {}) {
    auto local = driver(cases_file(name, browser, false).string());
    here.insert(here.end(), local.begin(), local.end());
    auto outputs = outputs_of(here, env, false);
    if (gallery().no_unreachable_network.empty()) {
      auto cases = cases_file(name + "-unreachable", browser, true).string();
      outputs.merge(outputs_of(in_unreachable_network(driver(cases)), env, true));
    }
    return outputs;
  }

  // Runs a driver (one JSON line per case on stdout: {"id", "output"}) on the servers of the
  // unreachable network or of this one; the outputs by cause.
  static std::map<std::string, std::string> outputs_of(const std::vector<std::string>& argv,
                                                       const std::map<std::string, std::string>& env,
                                                       bool unreachable) {
    auto r = run_process(argv, env, gallery().tmp.path());
    std::map<std::string, std::string> outputs;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      try {
        auto j = nlohmann::json::parse(line);
        outputs[j.value("id", "")] = j.value("output", "");
      } catch (const std::exception&) {
        outputs[""] += line + "\n";
      }
    }
    auto cases = std::count_if(gallery().servers.begin(), gallery().servers.end(),
                               [&](const BrokenServer& s) { return s.unreachable == unreachable; });
    if (outputs.size() < static_cast<std::size_t>(cases))
      ADD_FAILURE() << "the driver stopped early:\n" << r.out << r.err;
    return outputs;
  }

  // Each server's client output shows that client's string for the server's cause (but for the
  // causes in `unchecked`, which this client could not be made to show here, and those of the
  // unreachable network where it cannot be made).
  static void expect_every_string(const std::map<std::string, std::string>& outputs,
                                  std::string_view ClientMessages::*client,
                                  const std::vector<std::string>& unchecked = {}) {
    for (const auto& s : gallery().servers) {
      if (std::find(unchecked.begin(), unchecked.end(), s.cause) != unchecked.end()) continue;
      if (s.unreachable && !gallery().no_unreachable_network.empty()) {
        std::cout << "[ note ] " << s.cause << " unchecked: " << gallery().no_unreachable_network << "\n";
        continue;
      }
      std::string_view claim = cause_info(s.cause).clients.*client;
      auto found = outputs.find(s.cause);
      std::string output = found == outputs.end() ? "(no output)" : found->second;
      // DEVCERT_CLIENT_OUTPUT=1 prints what every client printed, to write a new string from.
      if (std::getenv("DEVCERT_CLIENT_OUTPUT")) std::cout << s.cause << ":\n" << output << "\n\n";
      EXPECT_TRUE(shows(output, claim))
          << s.cause << " at " << s.address("wss") << "\n  table says: " << claim << "\n  client printed:\n"
          << output;
    }
  }

  // The trust a user has after `devcert install` and `eval "$(devcert env)"`, in a temp HOME.
  static std::map<std::string, std::string> user_env() {
    return {{"HOME", gallery().home.string()},
            {"XDG_CONFIG_HOME", (gallery().home / ".config").string()},
            {"XDG_CACHE_HOME", (gallery().home / ".cache").string()}};
  }

  // An NSS database at `dir` trusting the bundle's roots, as `devcert install` leaves one.
  static void trusting_nss_database(const stdfs::path& dir) {
    stdfs::create_directories(dir);
    std::string db = "sql:" + dir.string();
    ASSERT_EQ(run_process({"certutil", "-N", "-d", db, "--empty-password"}).exit_code, 0);
    const auto& tmp = gallery().tmp;
    for (const auto& [name, pem] : {std::pair{"devcert root", gallery().caroot / "rootCA.pem"},
                                    std::pair{"chain root", tmp / "chain-root.pem"}}) {
      auto added = run_process({"certutil", "-d", db, "-A", "-t", "C,,", "-n", name, "-i", pem.string()});
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    // The client certificates, as a user imports theirs (a PKCS#12 file into the browser).
    for (const auto& s : gallery().servers) {
      if (s.client_cert.first.empty()) continue;
      std::string p12 = (tmp / (s.cause + ".p12")).string();
      auto exported = run_process({"openssl", "pkcs12", "-export", "-in", s.client_cert.first, "-inkey",
                                   s.client_cert.second, "-out", p12, "-passout", "pass:", "-name", s.cause});
      ASSERT_EQ(exported.exit_code, 0) << exported.err;
      auto imported = run_process({"pk12util", "-i", p12, "-d", db, "-W", ""});
      ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
    }
  }

  // The causes whose server wants a client certificate.
  static std::vector<std::string> client_certificate_causes() {
    std::vector<std::string> causes;
    for (const auto& s : gallery().servers)
      if (!s.client_cert.first.empty()) causes.push_back(s.cause);
    return causes;
  }

  // Runs a browser's driver and checks its strings; for the client-certificate causes the
  // servers' logs also show what the browser did: it presented the certificate of another CA,
  // and it offered none lacking clientAuth (the notes of the strings say so).
  static void expect_browser_strings(const std::function<std::map<std::string, std::string>()>& run,
                                     std::string_view ClientMessages::*client,
                                     const std::vector<std::string>& unchecked = {}) {
    const std::string untrusted = "issued by a CA that --client-ca does not name";
    const std::string none = "the client sent no client certificate";
    std::size_t presented = gallery().times_logged("client_cert_untrusted", untrusted);
    std::size_t withheld = gallery().times_logged("client_cert_not_for_client_auth", none);
    expect_every_string(run(), client, unchecked);
    if (!unchecked.empty()) return;
    EXPECT_GT(gallery().times_logged("client_cert_untrusted", untrusted), presented)
        << "the browser did not present the untrusted certificate";
    EXPECT_GT(gallery().times_logged("client_cert_not_for_client_auth", none), withheld)
        << "the browser did not withhold the certificate without clientAuth";
  }

  static bool have_browser_driver(const std::string& module) {
    return test::have_tool("certutil") && test::have_tool("node") &&
           stdfs::exists(kSource + "browser/node_modules/" + module);
  }

 private:
  static ClientGallery* gallery_;
};

ClientGallery* ClientStrings::gallery_ = nullptr;

// Every cause has a server here (one gallery build for both checks).
TEST_F(ClientStrings, EveryCauseHasAServerThatDevcertDiagnosesAsIt) {
  for (std::string_view code : cause_codes())
    EXPECT_TRUE(std::any_of(gallery().servers.begin(), gallery().servers.end(),
                            [&](const BrokenServer& s) { return s.cause == code; }))
        << code << " has no server";
  for (const auto& s : gallery().servers) {
    if (s.unreachable && !gallery().no_unreachable_network.empty()) continue;
    // In the unreachable network, a --timeout past the kernel's and glibc's own: devcert must
    // name what the clients see when those give up.
    std::vector<std::string> argv{DEVCERT_BIN, "verify-server", s.address("wss"), "--json", "--timeout",
                                  s.unreachable ? "20" : "3"};
    if (!s.subprotocol.empty()) argv.insert(argv.end(), {"--subprotocol", s.subprotocol});
    if (!s.client_cert.first.empty())
      argv.insert(argv.end(), {"--client-cert", s.client_cert.first, "--client-key", s.client_cert.second});
    if (s.unreachable) argv = in_unreachable_network(argv);
    auto r = run_process(argv,
                         {{"DEVCERT_CAROOT", s.caroot.string()},
                          {"NO_COLOR", "1"},
                          {"SSL_CERT_FILE", gallery().bundle.string()},
                          {"SSL_CERT_DIR", (gallery().tmp / "empty-certs-dir").string()}},
                         gallery().tmp.path());
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
    EXPECT_EQ(j.value("cause", ""), s.cause) << j.dump(2);
    EXPECT_EQ(j["clients"].value("curl", ""), cause_info(s.cause).clients.curl) << s.cause;
  }
}

TEST_F(ClientStrings, NodeWsPrintsTheNodeString) {
  DEVCERT_REQUIRE_TOOL(::access("/usr/bin/node", X_OK) == 0 && stdfs::exists("/usr/share/nodejs/ws"),
                       "Debian's nodejs and node-ws");
  auto env = user_env();
  env["NODE_PATH"] = "/usr/share/nodejs";
  env["NODE_EXTRA_CA_CERTS"] = gallery().bundle.string();
  auto driver = [](const std::string& cases) {
    return std::vector<std::string>{"/usr/bin/node", kDrivers + "node_ws.js", cases};
  };
  expect_every_string(driver_outputs("node", false, driver, env), &ClientMessages::node);
}

TEST_F(ClientStrings, PythonWebsocketsPrintsThePythonString) {
  DEVCERT_REQUIRE_TOOL(run_process({kPython, "-c", "import websockets"}).exit_code == 0,
                       "Debian's python3-websockets");
  auto env = user_env();
  env["SSL_CERT_FILE"] = gallery().bundle.string();
  auto driver = [](const std::string& cases) {
    return std::vector<std::string>{kPython, kDrivers + "python_websockets.py", cases};
  };
  expect_every_string(driver_outputs("python", false, driver, env), &ClientMessages::python);
}

TEST_F(ClientStrings, CurlPrintsTheCurlString) {
  DEVCERT_REQUIRE_TOOL(test::have_tool("curl"), "curl");
  auto env = user_env();
  env["CURL_CA_BUNDLE"] = gallery().bundle.string();
  std::map<std::string, std::string> outputs;
  for (const auto& s : gallery().servers) {
    if (s.unreachable && !gallery().no_unreachable_network.empty()) continue;
    std::vector<std::string> argv{"curl", "-sS", "--max-time", "5"};
    // Debian's curl speaks no wss://: for the WebSocket's own causes it sends the upgrade request
    // itself, and shows the answer's head.
    if (s.upgrade_level()) {
      argv.insert(argv.end(), {"-i", "--max-time", "2", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H",
                               "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="});
      if (!s.subprotocol.empty()) argv.insert(argv.end(), {"-H", "Sec-WebSocket-Protocol: " + s.subprotocol});
    }
    if (!s.client_cert.first.empty())
      argv.insert(argv.end(), {"--cert", s.client_cert.first, "--key", s.client_cert.second});
    argv.push_back(s.address("https"));
    if (s.unreachable) argv = in_unreachable_network(argv);
    auto r = run_process(argv, env, gallery().tmp.path());
    bool connected = r.exit_code == 0 || r.out.starts_with("HTTP/1.1 101");
    outputs[s.cause] = (connected ? std::string(kConnected) : "") + r.out + r.err;
  }
  expect_every_string(outputs, &ClientMessages::curl);
}

TEST_F(ClientStrings, ChromiumShowsTheChromeString) {
  DEVCERT_REQUIRE_TOOL(::access("/usr/bin/chromium", X_OK) == 0 && have_browser_driver("playwright-core"),
                       "chromium, certutil (libnss3-tools) or playwright-core (npm ci in tests/browser)");
  // Chromium on Linux trusts ~/.pki/nssdb.
  trusting_nss_database(gallery().home / ".pki" / "nssdb");
  auto env = user_env();
  env["NODE_PATH"] = kSource + "browser/node_modules";
  auto driver = [](const std::string& cases) {
    return std::vector<std::string>{"node", kDrivers + "browsers.js", "chromium", cases};
  };
  std::vector<std::string> here;
  // Headless Chromium presents a client certificate only by the AutoSelectCertificateForUrls
  // policy, which it reads from /etc/chromium: a private mount namespace puts the test's own
  // policy directory there (as in BrowserClientCertificate). Without one, the client
  // certificate causes go unchecked for Chromium.
  std::vector<std::string> unchecked = client_certificate_causes();
  if (::geteuid() == 0 && test::have_tool("unshare") && stdfs::is_directory("/etc/chromium")) {
    stdfs::path etc = gallery().tmp / "chromium-etc";
    stdfs::create_directories(etc / "policies" / "managed");
    nlohmann::json patterns = nlohmann::json::array();
    for (const auto& s : gallery().servers)
      if (!s.client_cert.first.empty())
        patterns.push_back(nlohmann::json{{"pattern", "https://" + s.host + ":" + std::to_string(s.port)},
                                          {"filter", nlohmann::json::object()}}
                                .dump());
    test::write_text(etc / "policies" / "managed" / "devcert.json",
                     nlohmann::json{{"AutoSelectCertificateForUrls", patterns}}.dump());
    here = {"unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount --bind \"$1\" /etc/chromium && shift && exec \"$@\"", "sh", etc.string()};
    unchecked.clear();
  }
  expect_browser_strings([&] { return driver_outputs("chromium", true, driver, env, here); }, &ClientMessages::chrome,
                         unchecked);
}

TEST_F(ClientStrings, FirefoxShowsTheFirefoxString) {
  DEVCERT_REQUIRE_TOOL(::access("/usr/bin/firefox-esr", X_OK) == 0 && have_browser_driver("puppeteer-core"),
                       "firefox-esr, certutil (libnss3-tools) or puppeteer-core (npm ci in tests/browser)");
  // Firefox trusts its profile's cert9.db; the driver starts it on this profile directory.
  stdfs::path profile = gallery().tmp / "firefox-profile";
  trusting_nss_database(profile);
  auto env = user_env();
  env["NODE_PATH"] = kSource + "browser/node_modules";
  auto driver = [&](const std::string& cases) {
    return std::vector<std::string>{"node", kDrivers + "browsers.js", "firefox", cases, profile.string()};
  };
  expect_browser_strings([&] { return driver_outputs("firefox", true, driver, env); }, &ClientMessages::firefox);
}

}  // namespace
}  // namespace devcert::diagnose::client_strings
