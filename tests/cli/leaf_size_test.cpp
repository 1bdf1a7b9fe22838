// The largest leaf devcert issues is one real TLS clients accept, even sent with its root as a
// full chain; a leaf a few bytes past the limit is refused with the reason, and nothing written.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli_fixture.h"
#include "pki/profiles.h"

namespace devcert::test {
namespace {

class LeafSize : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }

  static std::vector<std::string> fixed_names(size_t count) {  // 11 characters each
    std::vector<std::string> names;
    char buf[16];
    for (size_t i = 0; i < count; ++i) {
      std::snprintf(buf, sizeof buf, "h%05zu.test", i);
      names.push_back(buf);
    }
    return names;
  }

  // Names whose leaf comes within a few bytes of `target` DER bytes: the fixed names, then
  // one of a length that takes up the rest (a SAN entry is its length plus 2).
  std::vector<std::string> names_for(size_t target) {
    auto names = fixed_names(7000);
    size_t base = der_size_of(names);
    size_t more = (target - base - 40) / 13;
    names = fixed_names(7000 + more);
    size_t rest = target - base - 13 * more;  // 40..52 bytes
    names.push_back(std::string(rest - 2 - 5, 'z') + ".test");
    return names;
  }

  // The DER size of a leaf for `names` (issued into a scratch file).
  size_t der_size_of(std::vector<std::string> names) {
    names.insert(names.begin(), {"issue", "--cert-file", "probe.pem", "--key-file", "probe-key.pem"});
    auto r = devcert(names);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return der_size(work / "probe.pem");
  }

  static size_t der_size(const stdfs::path& pem) {
    auto der = run_process({"openssl", "x509", "-in", pem.string(), "-outform", "DER"});
    EXPECT_EQ(der.exit_code, 0) << der.err;
    return der.out.size();
  }

  // openssl s_server with `cert` and the root as its chain; openssl s_client and Python verify
  // it against the root. Returns what each said, "ok" on success.
  std::vector<std::string> handshakes(const stdfs::path& cert, const stdfs::path& key) {
    stdfs::path log = tmp / "s_server.out";
    int pid = spawn({"openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "2", "-cert", cert.string(),
                     "-key", key.string(), "-cert_chain", (caroot / "rootCA.pem").string(), "-www"},
                    {}, work, "/dev/null", log);
    std::string port;
    for (int i = 0; i < 200 && port.empty(); ++i) {  // at most 20 s
      std::string out = stdfs::exists(log) ? read_text(log) : "";
      if (auto at = out.find("ACCEPT 127.0.0.1:"); at != std::string::npos && out.find('\n', at) != std::string::npos)
        port = out.substr(at + 17, out.find('\n', at) - at - 17);
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::vector<std::string> said;
    if (!port.empty()) {
      std::string root = (caroot / "rootCA.pem").string();
      auto s = run_process({"timeout", "30", "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-CAfile",
                            root, "-verify_return_error", "-verify_hostname", "h00000.test", "-servername",
                            "h00000.test", "-brief"});
      said.push_back(s.exit_code == 0 && (s.out + s.err).find("Verification: OK") != std::string::npos
                         ? "ok" : s.out + s.err);
      auto py = run_process({"timeout", "30", "python3", "-c",
                             "import socket, ssl, sys\n"
                             "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
                             "with socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20) as s:\n"
                             "    with ctx.wrap_socket(s, server_hostname='h00000.test'): print('ok')\n",
                             port, root});
      said.push_back(py.out == "ok\n" ? "ok" : py.out + py.err);
    }
    ::kill(pid, SIGTERM);
    wait_exit(pid);
    EXPECT_FALSE(port.empty()) << "openssl s_server did not start: " << read_text(log);
    return said;
  }
};

TEST_F(LeafSize, TheLargestLeafIsAcceptedByRealClientsOnePastItIsRefused) {
  const size_t limit = pki::kMaxLeafDerBytes;
  // At the limit (ECDSA signatures vary by a byte or two: aim a little under it).
  auto names = names_for(limit - 8);
  auto args = names;
  args.insert(args.begin(), "issue");
  args.insert(args.end(), {"--cert-file", "big.pem", "--key-file", "big-key.pem"});
  auto r = devcert(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t size = der_size(work / "big.pem");
  EXPECT_LE(size, limit);
  EXPECT_GE(size, limit - 16);
  EXPECT_EQ(handshakes(work / "big.pem", work / "big-key.pem"), (std::vector<std::string>{"ok", "ok"}));

  // Just past it: refused, saying why, and nothing written.
  names = names_for(limit + 8);
  args = names;
  args.insert(args.begin(), "issue");
  auto before = snapshot(tmp.path());
  r = devcert(args);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("bytes, over the " + std::to_string(limit) + " that clients accept"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("excessive message size"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("split the names over several certificates"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(tmp.path()), before);
}

}  // namespace
}  // namespace devcert::test
