// `devcert verify-server URL` against servers that misbehave on purpose (hostile_server.py: real
// TLS on loopback, then resets, stalls, floods, absurd frames and terminal escapes in every field
// devcert prints). Each run must end, in bounded time, with the right stage and cause, exit 1
// (never a signal), valid JSON, and no raw control byte on stdout or stderr.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>

#include "pki/ca.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "pki/names.h"
#include "support/helpers.h"
#include "wss/fixture.h"

namespace devcert::diagnose {
namespace {

using test::ProcessResult;
using test::TempDir;
using wss::test::BackgroundProcess;
using wss::test::in_unreachable_network;

const std::string kHostileServer = std::string(DEVCERT_SOURCE_DIR) + "/tests/diagnose/hostile_server.py";
// What hostile_server.py sends as ESC, as devcert must print it.
const std::string kEscaped = "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m\\x9b\\xc2\\x9b";
// What it sends where WebSocket requires UTF-8 (a close reason), as devcert must print it.
const std::string kEscapedUtf8 = "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m\\xc2\\x9b";
constexpr double kTimeout = 1;  // --timeout, seconds
constexpr int kNetworkStages = 4;  // tcp, tls, websocket, echo: each may use the whole timeout

// Where `s` holds a byte a terminal acts on or that is never UTF-8, or npos. Written apart from
// text::printable so that the check does not trust what it checks.
size_t raw_control_at(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((c < 0x20 && c != '\n') || c == 0x7f || c == 0xc0 || c == 0xc1 || c >= 0xf5) return i;
    if (c == 0xc2 && next >= 0x80 && next <= 0x9f) return i;  // a C1 control as UTF-8
    if (c >= 0x80 && c <= 0xbf && (i == 0 || static_cast<unsigned char>(s[i - 1]) < 0x80)) return i;  // no lead byte
  }
  return std::string::npos;
}

void collect_strings(const nlohmann::json& j, std::string& out) {
  if (j.is_string()) out += j.get<std::string>() + "\n";
  if (j.is_structured())
    for (const auto& v : j) collect_strings(v, out);
}

// What a run of verify-server printed, as a person or a script reads it: stdout and stderr hold
// no raw control byte; with --json, stdout is one JSON object (put in `j`) and what it says is
// its strings; else it is stdout and stderr.
std::string printed_by(const ProcessResult& r, bool json, nlohmann::json& j) {
  EXPECT_EQ(raw_control_at(r.out), std::string::npos) << r.out;
  EXPECT_EQ(raw_control_at(r.err), std::string::npos) << r.err;
  if (!json) return r.out + r.err;
  try {
    j = nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not one JSON object (" << e.what() << "):\n" << r.out << r.err;
    return {};
  }
  std::string printed;
  collect_strings(j, printed);
  return printed;
}

// A leaf made directly with OpenSSL (devcert refuses to issue such names): `cn`, DNS SANs
// `names` as raw bytes, self-signed, so that --ca with it makes it trusted.
std::pair<std::string, std::string> raw_leaf(const TempDir& tmp, const std::string& stem, const std::string& cn,
                                             const std::vector<std::string>& names) {
  ossl::Pkey key = pki::generate_key(pki::KeyType::ecdsa_p256);
  ossl::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30 * 86400);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_NID(subject, NID_commonName, V_ASN1_UTF8STRING,
                             reinterpret_cast<const unsigned char*>(cn.data()), static_cast<int>(cn.size()), -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  X509_set_pubkey(cert.get(), key.get());
  GENERAL_NAMES* sans = sk_GENERAL_NAME_new_null();
  for (const auto& n : names) {
    GENERAL_NAME* g = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, n.data(), static_cast<int>(n.size()));
    GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(sans, g);
  }
  X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans, 0, X509V3_ADD_DEFAULT);
  GENERAL_NAMES_free(sans);
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  std::string c = (tmp / (stem + ".pem")).string(), k = (tmp / (stem + "-key.pem")).string();
  test::write_text(c, pki::certificate_pem(cert.get()));
  test::write_text(k, pki::private_key_pem(key.get()));
  return {c, k};
}

struct Behaviour {
  const char* mode;    // hostile_server.py MODE
  const char* leaf;    // "good": localhost from a devcert CA; "escape": escapes in CN and SANs; "huge": 6,000 names
  const char* stage;   // where the diagnosis must stop ("done" when it passes)
  const char* cause;
  const char* shows;   // what the printed diagnosis must hold ("" = nothing in particular)
};

// How gtest (and so CTest's test name) shows a Behaviour, else as its raw bytes.
void PrintTo(const Behaviour& b, std::ostream* os) {
  *os << b.mode << " with the " << b.leaf << " leaf: stops at " << b.stage << " with " << b.cause;
}

const Behaviour kBehaviours[] = {
    {"reset_hello", "good", "tls", "connection_reset", "during the TLS handshake"},
    {"reset", "good", "websocket", "connection_reset", "reset the connection"},
    {"dribble", "good", "websocket", "response_timeout", "--timeout"},
    {"silent", "good", "websocket", "response_timeout", "no answer to the upgrade request"},
    {"silent_echo", "good", "echo", "response_timeout", "no message back"},
    {"status_404", "good", "websocket", "not_websocket", "HTTP 404"},
    {"wrong_upgrade", "good", "websocket", "not_websocket", "without 'Upgrade: websocket'"},
    {"wrong_accept", "good", "websocket", "bad_accept", "Sec-WebSocket-Accept"},
    {"subprotocol", "good", "websocket", "subprotocol_mismatch", "not requested"},
    // Beast's HTTP parser refuses a head with a control character in it (so do browsers): the
    // bytes the server sent are named from the copy the tap kept, escaped.
    {"escape_status", "good", "websocket", "bad_response", "the status line 'HTTP/1.1 404 Not "},
    {"escape_upgrade", "good", "websocket", "bad_response", "broken header line 'Upgrade: "},
    {"escape_accept", "good", "websocket", "bad_response", "broken header line 'Sec-WebSocket-Accept: "},
    {"escape_subprotocol", "good", "websocket", "bad_response", "broken header line 'Sec-WebSocket-Protocol: "},
    {"escape_echo", "good", "echo", "echo_mismatch", "received"},
    {"bad_utf8", "good", "echo", "bad_frame", "not UTF-8"},
    {"escape_close", "good", "done", "ok", "code 1011"},
    {"fin_echo", "good", "done", "ok", "without a close frame"},
    {"tls", "escape", "hostname", "hostname_mismatch", "does not name localhost"},
    {"tls", "huge", "tls", "certificate_too_large", "100 KiB"},
    // Beast reads the 64-bit length as it is (RFC 6455 wants its top bit clear) and refuses it
    // as over the message limit.
    {"frame_2_63", "good", "echo", "bad_frame", "over the 1 MiB"},
    {"frame_huge", "good", "echo", "bad_frame", "over the"},
    {"frame_rsv", "good", "echo", "bad_frame", "reserved bits"},
    {"header_flood", "good", "websocket", "bad_response", "8 KiB"},
    {"ping_flood", "good", "echo", "bad_frame", "control frames without completing a message"},
    {"data_flood", "good", "echo", "bad_frame", "a message over the 1 MiB"},
};

class HostileServer : public testing::TestWithParam<Behaviour> {
 protected:
  TempDir tmp;
  std::filesystem::path caroot = tmp / "caroot";

  std::pair<std::string, std::string> leaf_files(const std::string& kind, std::string& trust) {
    if (kind == "escape") {
      std::string esc = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b\xc2\x9b";
      // The CN is a UTF8String, which OpenSSL checks on loading: escapes, but no lone \x9b there.
      auto files = raw_leaf(tmp, "escape", "\x1b]0;pwned\x07\x1b[2J\x1b[31m\xc2\x9b" "CN",
                            {esc + ".evil.test", "other" + esc + ".test"});
      trust = files.first;
      return files;
    }
    if (kind == "huge") {
      std::vector<std::string> names;
      for (int i = 0; i < 6000; ++i) names.push_back("host-" + std::to_string(i) + ".a-long-domain-name.test");
      auto files = raw_leaf(tmp, "huge", "localhost", names);
      trust = files.first;
      return files;
    }
    EXPECT_EQ(test::run_devcert({"init"}, caroot).exit_code, 0);
    pki::CertificateAuthority ca = pki::CaRoot(caroot).load();
    pki::Leaf l = pki::issue_leaf(ca, pki::parse_subject_names({"localhost"}), pki::LeafProfile{});
    std::string c = (tmp / "good.pem").string(), k = (tmp / "good-key.pem").string();
    test::write_text(c, pki::certificate_pem(l.cert.get()));
    test::write_text(k, pki::private_key_pem(l.key.get()));
    trust = (caroot / "rootCA.pem").string();
    return {c, k};
  }
};

TEST_P(HostileServer, EndsInBoundedTimeWithItsCauseAndPrintsNoRawControlByte) {
  const Behaviour& b = GetParam();
  std::string trust;
  auto [cert, key] = leaf_files(b.leaf, trust);
  BackgroundProcess server({"python3", kHostileServer, b.mode, cert, key});
  ASSERT_TRUE(server.wait_for_output("\n")) << server.err();
  std::string url = "wss://localhost:" + std::to_string(std::atoi(server.out().c_str())) + "/";
  int expected_exit = std::string(b.cause) == "ok" ? 0 : 1;

  for (bool json : {true, false}) {
    SCOPED_TRACE(json ? "--json" : "text -v");
    std::vector<std::string> args{"verify-server", url, "--ca", trust, "--timeout", "1"};
    args.push_back(json ? "--json" : "-v");
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = test::run_devcert(args, caroot, tmp.path());
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, kTimeout * kNetworkStages + 5) << "a hostile server kept devcert busy";
    EXPECT_EQ(r.exit_code, expected_exit) << "(-1: killed by a signal)\n" << r.out << r.err;
    nlohmann::json j;
    std::string printed = printed_by(r, json, j);
    if (json) {
      EXPECT_EQ(j.value("stage", ""), b.stage) << j.dump(2);
      EXPECT_EQ(j.value("cause", ""), b.cause) << j.dump(2);
      EXPECT_FALSE(j.value("message", "").empty());
    } else if (expected_exit == 1) {
      EXPECT_NE(r.out.find(std::string("cause: ") + b.cause), std::string::npos) << r.out;
    }
    EXPECT_NE(printed.find(b.shows), std::string::npos) << printed;
    const std::string& escaped = std::string(b.mode) == "escape_close" ? kEscapedUtf8 : kEscaped;
    if (std::string(b.mode).starts_with("escape") || std::string(b.leaf) == "escape")
      EXPECT_NE(printed.find(escaped), std::string::npos) << "the server's bytes, escaped:\n" << printed;
    if (std::string(b.leaf) == "escape")
      EXPECT_NE(printed.find("\\x1b[31m\\xc2\\x9bCN"), std::string::npos) << "the CN, escaped:\n" << printed;
  }
}

INSTANTIATE_TEST_SUITE_P(Behaviours, HostileServer, testing::ValuesIn(kBehaviours),
                         [](const testing::TestParamInfo<Behaviour>& info) {
                           return std::string(info.param.mode) + "_" + info.param.leaf;
                         });

// The self test with a leaf of the user's (--cert): its names reach the checklist and the JSON
// escaped, like a server's in URL mode.
TEST(VerifyServerSelfTest, TheLeafsNamesArePrintedEscaped) {
  TempDir tmp;
  ASSERT_EQ(test::run_devcert({"init"}, tmp / "caroot").exit_code, 0);
  auto [cert, key] = raw_leaf(tmp, "esc", "evil\x1b]0;PWNED\x07\x1b[2J\xc2\x9b", {"x\x1b[2J.test", "localhost"});
  for (bool json : {true, false}) {
    SCOPED_TRACE(json ? "--json" : "text -v");
    ProcessResult r = test::run_devcert({"verify-server", "--cert", cert, "--key", key, json ? "--json" : "-v"},
                                        tmp / "caroot", tmp.path());
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // a self-signed leaf: the chain step fails
    nlohmann::json j;
    std::string printed = printed_by(r, json, j);
    EXPECT_NE(printed.find("evil\\x1b]0;PWNED\\x07\\x1b[2J\\xc2\\x9b"), std::string::npos) << printed;
  }
}

// A nameserver that never answers (in_unreachable_network.sh): glibc alone would wait timeout x
// attempts of resolv.conf (here 5 s x 3, per address family) before giving up. The dns stage
// ends at --timeout.
TEST(VerifyServerDns, ASilentResolverIsATimeoutAtTheDnsStage) {
  TempDir tmp;
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = test::run_process(
      in_unreachable_network(
          {DEVCERT_BIN, "verify-server", "wss://silent-resolver.test:9/", "--timeout", "1", "--json"}),
      {{"DEVCERT_CAROOT", (tmp / "caroot").string()}, {"DEVCERT_RESOLVER_OPTIONS", "timeout:5 attempts:3"}});
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, kTimeout + 5) << "the resolver kept devcert waiting";
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out << r.err;
  EXPECT_EQ(j.value("stage", ""), "dns") << j.dump(2);
  EXPECT_EQ(j.value("cause", ""), "dns_timeout") << j.dump(2);
}

// The same resolver, where glibc gives up first (EAI_AGAIN, which clients print as "getaddrinfo
// EAI_AGAIN" or "Temporary failure in name resolution"): no answer is a timeout, not a name that
// does not exist.
TEST(VerifyServerDns, AResolverThatGivesUpIsATimeoutAtTheDnsStage) {
  TempDir tmp;
  ProcessResult r = test::run_process(
      in_unreachable_network(
          {DEVCERT_BIN, "verify-server", "wss://silent-resolver.test:9/", "--timeout", "20", "--json"}),
      {{"DEVCERT_CAROOT", (tmp / "caroot").string()}, {"DEVCERT_RESOLVER_OPTIONS", "timeout:1 attempts:1"}});
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out << r.err;
  EXPECT_EQ(j.value("stage", ""), "dns") << j.dump(2);
  EXPECT_EQ(j.value("cause", ""), "dns_timeout") << j.dump(2);
  EXPECT_TRUE(test::has(j.value("message", ""), "Temporary failure in name resolution")) << j.dump(2);
}

// A port whose SYNs vanish, where the kernel gives up first (after one retry there, ~3 s): its
// ETIMEDOUT is a timeout too, not a refusal.
TEST(VerifyServerConnect, AKernelThatGivesUpIsATimeoutAtTheTcpStage) {
  TempDir tmp;
  ProcessResult r = test::run_process(
      in_unreachable_network({DEVCERT_BIN, "verify-server", "wss://10.77.0.2:9/", "--timeout", "20", "--json"}),
      {{"DEVCERT_CAROOT", (tmp / "caroot").string()}});
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out << r.err;
  EXPECT_EQ(j.value("stage", ""), "tcp") << j.dump(2);
  EXPECT_EQ(j.value("cause", ""), "connection_timeout") << j.dump(2);
  EXPECT_TRUE(test::has(j.value("message", ""), "Connection timed out")) << j.dump(2);
}

// At process start, before any command runs: a reset peer ends a write with EPIPE, never devcert.
TEST(VerifyServerSignals, DevcertIgnoresSigpipe) {
  TempDir tmp;
  ASSERT_EQ(test::run_devcert({"init"}, tmp / "caroot").exit_code, 0);
  BackgroundProcess serve({DEVCERT_BIN, "serve", "--host", "127.0.0.1", "--port", "0"},
                          {{"DEVCERT_CAROOT", (tmp / "caroot").string()}});
  ASSERT_TRUE(serve.wait_for_output("Ctrl-C stops")) << serve.err();
  std::string status = test::read_text("/proc/" + std::to_string(serve.pid()) + "/status");
  size_t at = status.find("SigIgn:");
  ASSERT_NE(at, std::string::npos);
  unsigned long long ignored = std::stoull(status.substr(at + 7), nullptr, 16);
  EXPECT_NE(ignored & (1ull << (SIGPIPE - 1)), 0u) << status.substr(at, 30);
}

// A loopback listener that records whether anyone connected: a usage error sends nothing.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd_); }
  std::string port() const { return std::to_string(port_); }
  bool contacted() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c >= 0) ::close(c);
    return c >= 0;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST(VerifyServerUsage, TimeoutMustBeAFinitePositiveNumberOfSeconds) {
  TempDir tmp;
  Listener server;
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "-1", "0", "1e9", "x"}) {
    ProcessResult r = test::run_devcert(
        {"verify-server", "wss://127.0.0.1:" + server.port() + "/", "--timeout", bad, "--json"}, tmp / "caroot");
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out;
  }
  EXPECT_FALSE(server.contacted());
}

TEST(VerifyServerUsage, ControlCharactersInTheRequestAreRefusedBeforeAnythingIsSent) {
  TempDir tmp;
  Listener server;
  std::string base = "wss://127.0.0.1:" + server.port();
  std::vector<std::vector<std::string>> cases{
      {base + "/a\r\nX-Injected: 1"},
      {base + "/?q=\r\n\r\nGET / HTTP/1.1"},
      {base + "/a\nb"},
      {"wss://local\rhost:" + server.port() + "/"},
      {base + "/\x1b]0;pwned\x07"},
      {base + "/a b"},
      {base + "/", "--origin", "https://a.test\r\nX-Injected: 1"},
      {base + "/", "--origin", "https://a.test\n"},
      {base + "/", "--subprotocol", "chat\r\nX-Injected: 1"},
      {base + "/", "--subprotocol", "chat\x1b[2J"},
  };
  for (auto args : cases) {
    args.insert(args.begin(), "verify-server");
    ProcessResult r = test::run_devcert(args, tmp / "caroot");
    EXPECT_EQ(r.exit_code, 2) << args[1] << "\n" << r.out << r.err;
    EXPECT_EQ(raw_control_at(r.out), std::string::npos) << r.out;
    EXPECT_EQ(raw_control_at(r.err), std::string::npos) << r.err;
    bool has_control = false;
    for (const auto& a : args) has_control = has_control || a.find_first_of("\r\n\x1b") != std::string::npos;
    if (has_control) EXPECT_NE(r.err.find("\\x"), std::string::npos) << "the refused value, escaped: " << r.err;
  }
  EXPECT_FALSE(server.contacted());
}

}  // namespace
}  // namespace devcert::diagnose
