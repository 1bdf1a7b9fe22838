// The real output of `devcert verify-server --json`, in both modes, on success and on failure,
// validated against man/json/verify-server.schema.json by tests/json/validate.py (Debian's
// python3-jsonschema). The schema and the binary cannot drift apart unnoticed.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "diagnose/causes.h"
#include "support/helpers.h"
#include "wss/fixture.h"

namespace devcert::test {
namespace {

const std::string kVerifyServerSchema = std::string(DEVCERT_SOURCE_DIR) + "/man/json/verify-server.schema.json";
const std::string kVerifyServerSchemaValidator = std::string(DEVCERT_SOURCE_DIR) + "/tests/json/validate.py";

class VerifyServerSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "/usr/bin/python3 is missing";
    ASSERT_EQ(run_devcert({"init"}, caroot_).exit_code, 0);
    stdfs::create_directories(tmp_ / "home");
    stdfs::create_directories(tmp_ / "empty");
    write_text(tmp_ / "none.pem", "");
  }
  // A HOME and a system store of the test's own.
  std::map<std::string, std::string> env() const {
    return {{"HOME", (tmp_ / "home").string()},
            {"SSL_CERT_FILE", (tmp_ / "none.pem").string()},
            {"SSL_CERT_DIR", (tmp_ / "empty").string()}};
  }
  // Runs devcert ARGS (which hold --json) and returns its stdout, after checking the exit code.
  std::string json_of(const std::vector<std::string>& args, int exit_code, const stdfs::path& caroot = {}) {
    ProcessResult r = run_devcert(args, caroot.empty() ? caroot_ : caroot, tmp_.path(), env());
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    return r.out;
  }
  // validate.py's verdict on `output`: 0 valid, 1 invalid (what is wrong goes to the failure
  // message), 2 not JSON.
  int validate(const std::string& output) {
    ProcessResult v = run_process({"/usr/bin/python3", kVerifyServerSchemaValidator, kVerifyServerSchema}, {}, {}, output);
    if (v.exit_code != 0) last_errors_ = v.err;
    return v.exit_code;
  }
  void expect_valid(const std::string& output) { EXPECT_EQ(validate(output), 0) << last_errors_ << "\n" << output; }

  TempDir tmp_;
  stdfs::path caroot_ = tmp_ / "caroot";
  std::string last_errors_;
};

TEST_F(VerifyServerSchema, SelfTestThatPasses) {
  std::string out = json_of({"verify-server", "--json"}, 0);
  expect_valid(out);
  EXPECT_EQ(nlohmann::json::parse(out)["mode"], "self_test");
}

TEST_F(VerifyServerSchema, SelfTestThatFails) {
  // The setup fails (no CA), and a walk fails (a self-signed leaf).
  expect_valid(json_of({"verify-server", "--json"}, 1, tmp_ / "no-ca-here"));
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", (tmp_ / "k.pem").string(), "-out", (tmp_ / "c.pem").string(), "-days", "30",
                           "-subj", "/CN=localhost"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string out = json_of({"verify-server", "--cert", (tmp_ / "c.pem").string(), "--key", (tmp_ / "k.pem").string(),
                             "--json", "--require-trust"},
                            1);
  expect_valid(out);
  EXPECT_EQ(nlohmann::json::parse(out)["cause"], "self_signed") << out;
}

TEST_F(VerifyServerSchema, UrlThatPasses) {
  wss::test::BackgroundProcess serve({DEVCERT_BIN, "serve", "--host", "127.0.0.1", "--port", "0"},
                                     {{"DEVCERT_CAROOT", caroot_.string()}, {"NO_COLOR", "1"}});
  ASSERT_TRUE(serve.wait_for_output("Ctrl-C stops")) << serve.out() << serve.err();
  std::uint16_t port = wss::test::port_after(serve.out(), "wss://127.0.0.1:");
  ASSERT_NE(port, 0) << serve.out();
  std::string out = json_of({"verify-server", "wss://127.0.0.1:" + std::to_string(port) + "/", "--ca",
                             (caroot_ / "rootCA.pem").string(), "--json"},
                            0);
  expect_valid(out);
  EXPECT_EQ(nlohmann::json::parse(out)["mode"], "url");
}

TEST_F(VerifyServerSchema, UrlThatFailsAndAUsageError) {
  // Port 1 on loopback: nothing listens there.
  std::string refused = json_of({"verify-server", "wss://127.0.0.1:1/", "--json", "--timeout", "2"}, 1);
  expect_valid(refused);
  EXPECT_EQ(nlohmann::json::parse(refused)["cause"], "connection_refused") << refused;
  std::string usage = json_of({"verify-server", "ftp://localhost/", "--json"}, 2);
  expect_valid(usage);
  EXPECT_EQ(nlohmann::json::parse(usage)["exit_code"], 2) << usage;
}

// The schema is strict: the shape of the old flat diagnosis, an empty string for an absent
// value, or an unknown key fails it. (So the tests above can fail.)
TEST_F(VerifyServerSchema, RefusesWhatTheContractForbids) {
  std::string refused = json_of({"verify-server", "wss://127.0.0.1:1/", "--json", "--timeout", "2"}, 1);
  auto j = nlohmann::json::parse(refused);
  ASSERT_EQ(validate(j.dump()), 0) << last_errors_;
  auto flat = j["walks"][0];
  EXPECT_EQ(validate(flat.dump()), 1) << "the old flat shape passed";
  auto empty_fix = j;
  empty_fix["fix"] = "";
  EXPECT_EQ(validate(empty_fix.dump()), 1) << "an empty fix passed";
  auto extra = j;
  extra["setup_fix"] = nullptr;
  EXPECT_EQ(validate(extra.dump()), 1) << "an unknown key passed";
  auto two_walks = j;
  two_walks["walks"].push_back(j["walks"][0]);
  EXPECT_EQ(validate(two_walks.dump()), 1) << "a URL with two walks passed";
  auto with_curl = j;
  with_curl["clients"]["curl"] = "curl: (60) SSL certificate problem";
  EXPECT_EQ(validate(with_curl.dump()), 0) << "a curl entry among the clients is allowed: " << last_errors_;
}

// Every cause code devcert knows is in the schema's list, and nothing else.
TEST_F(VerifyServerSchema, CauseCodesAreTheBinarys) {
  auto schema = nlohmann::json::parse(read_text(kVerifyServerSchema));
  std::set<std::string> in_schema;
  for (const auto& c : schema["$defs"]["failure_cause"]["enum"]) in_schema.insert(c.get<std::string>());
  std::set<std::string> known{"setup_failed"};
  for (auto code : diagnose::cause_codes()) known.insert(std::string(code));
  EXPECT_EQ(in_schema, known);
}

}  // namespace
}  // namespace devcert::test
