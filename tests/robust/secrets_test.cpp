// Private keys never reach a terminal or a log: every output of a representative suite of
// devcert runs (init, issue with --p12-file and --csr, inspect, install/status/uninstall on a
// temp HOME, env, serve, verify-server, --verbose and --json variants, and error paths around
// broken key files) is searched for PEM private key blocks and for the actual keys' bytes. And
// external tools only ever start from an argv vector: no shell anywhere in src/.
#include <openssl/core_names.h>

#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "ossl/handles.h"
#include "robust/robust_support.h"

namespace devcert::test {
namespace {

using namespace std::chrono_literals;

std::string to_hex(const unsigned char* data, std::size_t n, bool upper, const char* sep = "") {
  static const char* lower_digits = "0123456789abcdef";
  static const char* upper_digits = "0123456789ABCDEF";
  const char* digits = upper ? upper_digits : lower_digits;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += sep;
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

// What would give a key away: each base64 line of its PEM body, its DER in hex, its private
// number (EC scalar or RSA d) in hex, plain and as `openssl -text` prints it (colon pairs).
std::vector<std::string> fingerprints_of_key(const stdfs::path& key_file) {
  std::string pem = read_text(key_file);
  std::vector<std::string> needles;
  std::istringstream lines(pem);
  for (std::string line; std::getline(lines, line);)
    if (line.size() >= 40 && !line.starts_with("-----")) needles.push_back(line);
  auto key = pki::load_private_key(pem, key_file.string());
  unsigned char* der = nullptr;
  int len = i2d_PrivateKey(key.get(), &der);
  needles.push_back(to_hex(der, static_cast<std::size_t>(len), false));
  needles.push_back(to_hex(der, static_cast<std::size_t>(len), true));
  OPENSSL_free(der);
  BIGNUM* secret = nullptr;
  if (!EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &secret))
    EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_D, &secret);
  ossl::Bignum bn(secret);
  if (bn) {
    std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())));
    BN_bn2bin(bn.get(), bytes.data());
    needles.push_back(to_hex(bytes.data(), bytes.size(), false));
    needles.push_back(to_hex(bytes.data(), bytes.size(), true));
    needles.push_back(to_hex(bytes.data(), std::min<std::size_t>(bytes.size(), 12), false, ":"));
  }
  return needles;
}

class Secrets : public RobustTest {
 protected:
  std::vector<std::pair<std::string, std::string>> outputs;  // what was run, what it printed

  std::map<std::string, std::string> env(const stdfs::path& ca) const {
    auto e = devcert_env(ca, home);
    e["DEVCERT_TRUST_STORES"] = "nss";  // NSS under the temp HOME only: never a real store
    return e;
  }

  ProcessResult devcert(const std::vector<std::string>& args, const stdfs::path& ca = {},
                        const std::string& input = {}) {
    auto r = run_process(devcert_argv(args), env(ca.empty() ? caroot : ca), work, input);
    std::string label;
    for (const auto& a : args) label += a + " ";
    outputs.emplace_back(label, r.out + r.err);
    return r;
  }

  // A CAROOT holding this CA's certificate and `key_text` as its key, mode `mode`.
  stdfs::path broken_caroot(const std::string& name, const std::string& key_text, stdfs::perms mode) {
    stdfs::path dir = tmp / name;
    stdfs::create_directories(dir);
    stdfs::permissions(dir, stdfs::perms::owner_all);
    stdfs::copy_file(caroot / "rootCA.pem", dir / "rootCA.pem");
    write_text(dir / "rootCA-key.pem", key_text);
    stdfs::permissions(dir / "rootCA-key.pem", mode);
    return dir;
  }
};

TEST_F(Secrets, NoOutputOfAnyRunHoldsPrivateKeyMaterial) {
  const auto owner_rw = stdfs::perms::owner_read | stdfs::perms::owner_write;
  ASSERT_EQ(devcert({"init", "--verbose"}).exit_code, 0);
  devcert({"init"});
  devcert({"caroot"});
  ASSERT_EQ(devcert({"issue", "localhost", "127.0.0.1", "::1", "--verbose"}).exit_code, 0);
  ASSERT_EQ(devcert({"issue", "app.test", "--p12-file", "app.p12", "--json"}).exit_code, 0);
  ASSERT_EQ(devcert({"-v", "issue", "client.test", "--client", "--fullchain", "--key-type", "rsa-2048",
                     "--cert-file", "client.pem", "--key-file", "client-key.pem"}).exit_code, 0);
  auto csr = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", (work / "csr-key.pem").string(), "-subj", "/CN=csr.test",
                          "-addext", "subjectAltName=DNS:csr.test", "-out", (work / "csr.pem").string()});
  ASSERT_EQ(csr.exit_code, 0) << csr.err;
  ASSERT_EQ(devcert({"issue", "--csr", "csr.pem", "-v"}).exit_code, 0);
  devcert({"inspect", "localhost+2.pem", "-v"});
  devcert({"inspect", (caroot / "rootCA.pem").string(), "--json"});
  devcert({"inspect", "app.p12"});
  // Keys where certificates belong: the errors must not quote what they read.
  devcert({"inspect", "localhost+2-key.pem", "-v"});
  devcert({"inspect", "-"}, {}, read_text(caroot / "rootCA-key.pem"));
  devcert({"issue", "--csr", "localhost+2-key.pem", "-v"});
  devcert({"issue", "--csr", (caroot / "rootCA-key.pem").string()});
  // Broken CA keys: half a key, someone else's key, a key others can read.
  std::string ca_key = read_text(caroot / "rootCA-key.pem");
  devcert({"issue", "x.test", "-v"}, broken_caroot("half", ca_key.substr(0, ca_key.size() / 2), owner_rw));
  devcert({"issue", "x.test", "-v"}, broken_caroot("other", read_text(work / "app.test-key.pem"), owner_rw));
  devcert({"issue", "x.test", "-v"}, broken_caroot("open", ca_key, stdfs::perms::owner_read | stdfs::perms::others_read));
  devcert({"serve", "--cert", "localhost+2.pem", "--key", "app.test-key.pem", "--port", "0", "-v"});
  devcert({"verify-server", "--cert", "localhost+2.pem", "--key", "client-key.pem", "-v"});
  // Trust commands on the temp HOME's NSS databases, and env.
  devcert({"install", "-v"});
  devcert({"status", "-v"});
  devcert({"status", "--json"});
  devcert({"env"});
  devcert({"uninstall", "-v"});
  devcert({"verify-server", "-v"});
  devcert({"verify-server", "--json"});
  // A running server's log while a verbose client diagnoses it.
  stdfs::path log = tmp / "serve.out", log_err = tmp / "serve.err";
  pid_t server = spawn_quiet({DEVCERT_BIN, "serve", "--port", "0", "-v"}, env(caroot), work, log, log_err);
  ASSERT_GT(server, 0);
  ChildGuard guard(server);
  std::string url;
  for (int i = 0; i < 200 && url.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    std::string out = read_text(log);
    if (auto at = out.find("wss://"); at != std::string::npos && out.find("listening") != std::string::npos)
      url = out.substr(at, out.find('\n', at) - at);
  }
  EXPECT_FALSE(url.empty()) << read_text(log) << read_text(log_err);
  if (!url.empty()) devcert({"verify-server", url, "--ca", (caroot / "rootCA.pem").string(), "-v"});
  guard.stop();
  outputs.emplace_back("serve -v (its log)", read_text(log) + read_text(log_err));

  std::vector<stdfs::path> keys = {caroot / "rootCA-key.pem", work / "localhost+2-key.pem",
                                   work / "app.test-key.pem", work / "client-key.pem", work / "csr-key.pem"};
  std::string all;
  for (const auto& [label, text] : outputs) all += text;
  ASSERT_GT(all.size(), 2000u) << "the runs printed almost nothing: the search would prove nothing";
  for (const auto& key : keys) {
    auto needles = fingerprints_of_key(key);
    // The search finds a key where there is one: in its own file.
    std::string own = read_text(key);
    EXPECT_NE(own.find(needles.front()), std::string::npos);
    for (const auto& [label, text] : outputs) {
      EXPECT_EQ(text.find("PRIVATE KEY-----"), std::string::npos) << "devcert " << label << "printed:\n" << text;
      for (const auto& needle : needles)
        EXPECT_EQ(text.find(needle), std::string::npos)
            << "devcert " << label << "printed part of " << key << ":\n" << text;
    }
  }
}

// Every file under src/ that runs a program does it with an argv vector (util/process.h):
// no C library call that hands a string to a shell, no "sh -c" with a script made at run time.
// One form is allowed: "sh", "-c", kSomeScript, "sh", args... inside a container, whose image
// may lack every tool but its shell (`command -v` is a builtin). The script is then a fixed
// constant and every name reaches it as a positional parameter, never as script text.
TEST(ExternalTools, RunOnlyFromArgvVectors) {
  // A call, not a declaration or prose: `std::system(`, `= popen(`, `(system(`, a statement.
  const std::regex shell_call(R"((std::|[^\w:.>]::|[=(!,;{]\s*|^\s*|return\s+)(system|popen|wordexp)\()");
  const std::regex shell_argv(R"("(/bin/|/usr/bin/)?(ba|da|z)?sh"\s*,\s*"-c")");
  const std::regex fixed_script(R"("sh"\s*,\s*"-c"\s*,\s*k[A-Z]\w*\s*,\s*"sh"\s*[,}])");
  const std::regex exec_family(R"(\bexecl[pe]?\s*\()");
  int files = 0;
  for (const auto& e : stdfs::recursive_directory_iterator(stdfs::path(DEVCERT_SOURCE_DIR) / "src")) {
    if (!e.is_regular_file()) continue;
    ++files;
    std::string text = read_text(e.path());
    std::istringstream lines(text);
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
      ++n;
      std::string where = e.path().string() + ":" + std::to_string(n) + ": " + line;
      EXPECT_FALSE(std::regex_search(line, shell_call)) << where;
      EXPECT_FALSE(std::regex_search(line, shell_argv) && !std::regex_search(line, fixed_script)) << where;
      EXPECT_FALSE(std::regex_search(line, exec_family)) << where;
      EXPECT_EQ(line.find("/bin/sh"), std::string::npos) << where;
    }
  }
  EXPECT_GT(files, 50);
  // The patterns catch what they are for.
  EXPECT_TRUE(std::regex_search("  int rc = std::system(cmd.c_str());", shell_call));
  EXPECT_TRUE(std::regex_search("FILE* p = popen(\"certutil -L\", \"r\");", shell_call));
  EXPECT_TRUE(std::regex_search("run({\"sh\", \"-c\", script});", shell_argv));
  EXPECT_FALSE(std::regex_search("  static Trust system() { return {}; }", shell_call));
  EXPECT_FALSE(std::regex_search("  client.trust = Trust::system();", shell_call));
  EXPECT_FALSE(std::regex_search("  ossl::X509Store system(X509_STORE_new());", shell_call));
  EXPECT_TRUE(std::regex_search("  system(command);", shell_call));
}

}  // namespace
}  // namespace devcert::test
