#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

class InspectCommand : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    init_ca();
  }
  std::set<std::string> finding_codes(const std::string& file) {
    auto r = devcert({"inspect", "--json", file});
    auto j = nlohmann::json::parse(r.out);
    std::set<std::string> codes;
    for (const auto& f : j["findings"]) codes.insert(f["code"].get<std::string>());
    return codes;
  }
  // A certificate made by openssl directly, to produce the shapes devcert never issues.
  void openssl_cert(const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> argv{"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                  out + ".key", "-out", out, "-subj", "/CN=localhost"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = run_process(argv, {}, work);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(InspectCommand, SummarisesADevcertLeaf) {
  ASSERT_EQ(devcert({"issue", "localhost", "127.0.0.1"}).exit_code, 0);
  auto r = devcert({"inspect", "localhost+1.pem"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("names:       DNS:localhost, IP:127.0.0.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("days left"), std::string::npos);
  EXPECT_NE(r.out.find("ECDSA P-256"), std::string::npos);
  EXPECT_NE(r.out.find("(your devcert CA)"), std::string::npos);
  EXPECT_NE(r.out.find("findings:    none"), std::string::npos);

  auto j = nlohmann::json::parse(devcert({"inspect", "--json", "localhost+1.pem"}).out);
  EXPECT_EQ(j["issued_by_ca"], true);
  EXPECT_EQ(j["ca"]["file"], (caroot / "rootCA.pem").string());
  EXPECT_EQ(j["names"][1]["type"], "ip");
  EXPECT_EQ(j["names"][1]["value"], "127.0.0.1");
  EXPECT_EQ(j["key_type"], "ECDSA P-256");
  EXPECT_GE(j["days_left"].get<int>(), 822);
  EXPECT_EQ(j["extended_key_usage"][0], "serverAuth");
  EXPECT_TRUE(j["findings"].empty());
}

TEST_F(InspectCommand, ReadsStandardInputAndDer) {
  ASSERT_EQ(devcert({"issue", "localhost"}).exit_code, 0);
  auto der = run_process({"openssl", "x509", "-in", "localhost.pem", "-outform", "DER", "-out", "l.der"}, {}, work);
  ASSERT_EQ(der.exit_code, 0);
  EXPECT_EQ(devcert({"inspect", "l.der"}).exit_code, 0);
  auto r = run_process({DEVCERT_BIN, "inspect", "-"}, {{"DEVCERT_CAROOT", caroot.string()}}, work,
                       read_text(work / "localhost.pem"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("DNS:localhost"), std::string::npos);
}

TEST_F(InspectCommand, FlagsWhatBreaksClients) {
  openssl_cert("seed.pem", {"-days", "365"});  // the seed article's certificate: CN only
  auto seed = finding_codes("seed.pem");
  EXPECT_TRUE(seed.count("cn_only"));
  EXPECT_TRUE(seed.count("self_signed"));
  auto r = devcert({"inspect", "seed.pem"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("(not your devcert CA)"), std::string::npos) << r.out;

  openssl_cert("long.pem", {"-days", "1000", "-addext", "subjectAltName=DNS:localhost", "-addext",
                            "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=clientAuth"});
  auto codes = finding_codes("long.pem");
  EXPECT_TRUE(codes.count("validity_over_825_days"));
  EXPECT_TRUE(codes.count("no_server_auth"));

  auto leafy = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", "n2.key", "-out", "nosan2.pem", "-subj", "/O=nobody", "-days", "5",
                            "-addext", "basicConstraints=critical,CA:FALSE"},
                           {}, work);
  ASSERT_EQ(leafy.exit_code, 0) << leafy.err;
  EXPECT_TRUE(finding_codes("nosan2.pem").count("no_san"));
}

TEST_F(InspectCommand, BadInputIsAClearError) {
  write_text(work / "junk.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n");
  auto r = devcert({"inspect", "junk.pem"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("junk.pem does not hold a certificate"), std::string::npos) << r.err;
  auto missing = devcert({"inspect", "nope.pem"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot read nope.pem"), std::string::npos) << missing.err;
  EXPECT_EQ(devcert({"inspect"}).exit_code, 2);
}

}  // namespace
}  // namespace devcert::test

namespace devcert::test {
namespace {

// prlimit's address-space limit cannot hold a sanitized devcert (ASan reserves terabytes of
// shadow memory up front): there the run is unlimited, and still must stop at the read limit.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

TEST_F(InspectCommand, AnEndlessInputEndsInAClearErrorUnderAMemoryLimit) {
  ASSERT_TRUE(have_tool("prlimit"));
  // 256 MiB of address space: devcert needs a few tens; the old unbounded read grew to 24 GB.
  std::vector<std::string> limit{"prlimit", "--as=268435456", "--"};
  if (kSanitized) limit.clear();
  for (const std::string& file : {"/dev/zero", "-"}) {
    std::vector<std::string> argv = limit;
    for (const std::string& a : {std::string(DEVCERT_BIN), std::string("inspect"), file}) argv.push_back(a);
    stdfs::path out = tmp / "out", err = tmp / "err";
    int pid = spawn(argv, {{"DEVCERT_CAROOT", caroot.string()}}, work, "/dev/zero", out, err);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(wait_exit(pid), 1) << file;
    std::string name = file == "-" ? "standard input" : file;
    EXPECT_NE(read_text(err).find(name + " is larger than 1 MiB, the most devcert reads from one input"),
              std::string::npos) << read_text(err);
    EXPECT_EQ(read_text(out), "");
  }
}

// The subject and issuer are a certificate's own bytes: ESC and the C1 control U+009B (a CSI to
// some terminals) reach neither the terminal nor the JSON raw.
TEST_F(InspectCommand, ControlCharactersInTheSubjectAreEscaped) {
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", "c.key", "-out", "c1.pem", "-utf8", "-subj", "/O=o\x1b[31m\xc2\x9b/CN=c1.test",
                           "-days", "5", "-addext", "subjectAltName=DNS:c1.test"},
                          {}, work);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto raw = run_process({"openssl", "x509", "-in", "c1.pem", "-noout", "-subject", "-nameopt", "utf8,-esc_msb"},
                         {}, work);
  ASSERT_NE(raw.out.find("\xc2\x9b"), std::string::npos) << "the certificate holds no U+009B: " << raw.out;
  auto controls = [](const std::string& s) {
    std::string found;
    for (size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if ((c < 0x20 && c != '\n') || c == 0x7f || (c == 0xc2 && i + 1 < s.size() &&
                                                    static_cast<unsigned char>(s[i + 1]) < 0xa0))
        found += std::to_string(c) + " ";
    }
    return found;
  };
  auto text = devcert({"inspect", "c1.pem"});
  EXPECT_NE(text.out.find("O=o"), std::string::npos) << text.out;
  EXPECT_EQ(controls(text.out), "") << text.out;
  auto json = devcert({"inspect", "--json", "c1.pem"});
  auto j = nlohmann::json::parse(json.out);
  for (const char* field : {"subject", "issuer"}) {
    std::string value = j[field].get<std::string>();
    EXPECT_NE(value.find("O=o"), std::string::npos) << field << ": " << value;
    EXPECT_EQ(controls(value), "") << field << ": " << value;
  }
  EXPECT_EQ(json.out.find("\\u009b"), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find("\\u001b"), std::string::npos) << json.out;
}

}  // namespace
}  // namespace devcert::test
