// Every command's --json output, on success and on failure, validates against its schema in
// man/json (the contract scripts rely on), checked by tests/json/validate.py with Debian's
// python3-jsonschema; and the validator rejects what breaks the vocabulary, so these can fail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"

namespace devcert::test {
namespace {

const stdfs::path kSchemaDir = stdfs::path(DEVCERT_SOURCE_DIR) / "man" / "json";

// What validate.py says about `document` against man/json/SCHEMA.schema.json: "" when it is
// valid, else its exit code and the violations. Debian's python3: the pyenv one on PATH lacks
// the jsonschema module.
std::string schema_violations(const std::string& schema, const std::string& document) {
  auto r = run_process({"/usr/bin/python3", std::string(DEVCERT_SOURCE_DIR) + "/tests/json/validate.py",
                        (kSchemaDir / (schema + ".schema.json")).string()},
                       {}, {}, document);
  return r.exit_code == 0 ? std::string() : "exit " + std::to_string(r.exit_code) + ": " + r.err;
}

class JsonSchema : public CliTest {
 protected:
  TempDir home_dir;
  stdfs::path home = home_dir.path();

  void SetUp() override {
    CliTest::SetUp();
    ASSERT_TRUE(stdfs::exists("/usr/bin/python3")) << "Debian's python3 and python3-jsonschema: scripts/deps.sh --test";
  }

  // A private HOME and only the stores it holds: nothing here reads or writes the machine's trust.
  std::map<std::string, std::string> private_home(const std::string& stores = "nss") {
    return {{"HOME", home.string()}, {"DEVCERT_TRUST_STORES", stores}};
  }

  // Runs `devcert ARGS` (--json among them), expects `exit_code`, and returns its standard
  // output once it validates against `schema`.
  nlohmann::json expect_valid(const std::string& schema, const std::vector<std::string>& args, int exit_code,
                              std::map<std::string, std::string> env = {}) {
    if (env.empty()) env = private_home();
    auto r = devcert(args, env);
    std::string shown = args.front() + (args.size() > 1 ? " " + args[1] : "");
    EXPECT_EQ(r.exit_code, exit_code) << shown << "\n" << r.out << r.err;
    EXPECT_EQ(schema_violations(schema, r.out), "") << shown << "\n" << r.out;
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(doc.is_object()) << shown << "\n" << r.out;
    return doc;
  }

  // A self-signed certificate from openssl itself, the shape devcert never issues.
  void openssl_self_signed(const std::string& file) {
    auto r = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", file + ".key", "-out", file, "-subj", "/CN=localhost", "-days", "30"},
                         {}, work);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(JsonSchema, IssueOfNamesValidates) {
  init_ca();
  auto j = expect_valid("issue", {"issue", "--json", "localhost", "127.0.0.1", "::1", "dev@app.test"}, 0);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["ca"]["file"], (caroot / "rootCA.pem").string());
  EXPECT_EQ(j["config"], nullptr);
  const auto& c = j["certificates"][0];
  EXPECT_EQ(c["names"][3], (nlohmann::json{{"type", "email"}, {"value", "dev@app.test"}, {"input", "dev@app.test"}}));
  EXPECT_EQ(c["p12_file"], nullptr);
  EXPECT_EQ(c["old_key_moved_to"], nullptr);

  auto p12 = expect_valid("issue", {"issue", "--json", "app.test", "--p12-file", "app.p12"}, 0);
  EXPECT_EQ(p12["certificates"][0]["p12_file"], "app.p12");
}

TEST_F(JsonSchema, IssueFromAProjectFileValidates) {
  init_ca();
  write_text(work / "devcert.toml", "[[cert]]\nnames = [\"localhost\"]\n\n[[cert]]\nnames = [\"app.test\"]\n"
                                    "cert = \"certs/app.pem\"\nkey = \"certs/app-key.pem\"\n");
  auto j = expect_valid("issue", {"issue", "--json"}, 0);
  EXPECT_EQ(j["config"], (work / "devcert.toml").string());
  EXPECT_EQ(j["certificates"].size(), 2u);
}

TEST_F(JsonSchema, IssueOfACsrValidatesWithNoKeyFile) {
  init_ca();
  auto csr = run_process({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", "own-key.pem", "-out", "req.csr", "-subj", "/CN=x", "-addext",
                          "subjectAltName=DNS:api.test"},
                         {}, work);
  ASSERT_EQ(csr.exit_code, 0) << csr.err;
  auto j = expect_valid("issue", {"issue", "--json", "--csr", "req.csr", "--cert-file", "api.pem"}, 0);
  EXPECT_EQ(j["certificates"][0]["key_file"], nullptr);
}

TEST_F(JsonSchema, IssueFailuresValidateAsTheErrorObject) {
  // No CA yet.
  auto no_ca = expect_valid("issue", {"issue", "--json", "localhost"}, 1);
  EXPECT_EQ(no_ca["ok"], false);
  init_ca();
  // A name outside the CA's name constraints.
  auto outside = expect_valid("issue", {"issue", "--json", "www.google.com"}, 1);
  EXPECT_EQ(outside["ok"], false);
  EXPECT_NE(outside["error"].get<std::string>().find("www.google.com"), std::string::npos) << outside.dump(2);
  // A usage error.
  auto usage = expect_valid("issue", {"issue", "--json", "localhost", "--days", "0"}, 2);
  EXPECT_EQ(usage["exit_code"], 2);
  EXPECT_FALSE(stdfs::exists(work / "localhost.pem"));
}

TEST_F(JsonSchema, InspectOfADevcertLeafValidates) {
  init_ca();
  ASSERT_EQ(devcert({"issue", "localhost", "::1"}).exit_code, 0);
  auto j = expect_valid("inspect", {"inspect", "--json", "localhost+1.pem"}, 0);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["ca"]["file"], (caroot / "rootCA.pem").string());
  EXPECT_EQ(j["issued_by_ca"], true);
  EXPECT_EQ(j["names"][1], (nlohmann::json{{"type", "ip"}, {"value", "::1"}}));
  EXPECT_EQ(j["key_type"], "ECDSA P-256");
  // The root itself: a CA certificate, no findings.
  auto root = expect_valid("inspect", {"inspect", "--json", (caroot / "rootCA.pem").string()}, 0);
  EXPECT_EQ(root["is_ca"], true);
}

TEST_F(JsonSchema, InspectOfASelfSignedCertificateWithNoCaValidates) {
  openssl_self_signed("self.pem");
  auto j = expect_valid("inspect", {"inspect", "--json", "self.pem"}, 1);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["ca"], nullptr);
  EXPECT_EQ(j["issued_by_ca"], nullptr);
  std::set<std::string> codes;
  for (const auto& f : j["findings"]) codes.insert(f["code"].get<std::string>());
  EXPECT_TRUE(codes.count("self_signed") && codes.count("cn_only")) << j.dump(2);
}

TEST_F(JsonSchema, InspectFailuresValidateAsTheErrorObject) {
  write_text(work / "garbage.pem", "not a certificate\n");
  auto garbage = expect_valid("inspect", {"inspect", "--json", "garbage.pem"}, 1);
  EXPECT_EQ(garbage["ok"], false);
  EXPECT_TRUE(garbage.contains("error")) << garbage.dump(2);
  expect_valid("inspect", {"inspect", "--json", "missing.pem"}, 1);
  expect_valid("inspect", {"inspect", "--json"}, 2);
}

TEST_F(JsonSchema, StatusWithAPrivateHomeValidates) {
  expect_valid("status", {"status", "--json"}, 1);  // no CA yet: the error object
  init_ca();
  auto before = expect_valid("status", {"status", "--json"}, 1);
  EXPECT_EQ(before["ok"], false);
  EXPECT_FALSE(before.contains("trusted_everywhere"));
  ASSERT_EQ(before["stores"].size(), 1u);
  const auto& nss = before["stores"][0];
  EXPECT_EQ(nss["name"], "nss");
  // An unavailable store says why and what fixes it; an available one has nothing to say.
  if (nss["available"] == true) {
    EXPECT_EQ(nss["why"], nullptr) << nss.dump(2);
    EXPECT_EQ(nss["fix"], nullptr) << nss.dump(2);
    ASSERT_EQ(devcert({"install"}, private_home()).exit_code, 0);
    auto after = expect_valid("status", {"status", "--json"}, 0);
    EXPECT_EQ(after["ok"], true);
  }
  // Every store devcert knows, each only read: the system's anchors and Java's cacerts.
  auto all = devcert({"status", "--json"}, private_home("system,nss,java"));
  EXPECT_EQ(schema_violations("status", all.out), "") << all.out;
  auto j = nlohmann::json::parse(all.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << all.out << all.err;
  EXPECT_EQ(j["stores"].size(), 3u);
  EXPECT_EQ(j["ok"] == true, all.exit_code == 0) << all.out;
}

TEST_F(JsonSchema, StatusOfAnUnknownStoreValidatesAsTheErrorObject) {
  init_ca();
  auto j = expect_valid("status", {"status", "--json", "--store", "nowhere"}, 2);
  EXPECT_EQ(j["ok"], false);
}

// The usage error every command prints before it knows which command ran: the common error.
TEST_F(JsonSchema, UsageErrorsOfAnyCommandValidate) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"bogus", "--json"}, {"init", "--json"}})
    expect_valid("error", args, 2);
}

// The schemas are strict: the vocabulary's breaches are refused.
TEST_F(JsonSchema, TheValidatorRejectsWhatBreaksTheVocabulary) {
  EXPECT_EQ(schema_violations("error", R"({"ok": false, "error": "x", "fix": null, "exit_code": 1})"), "");
  EXPECT_NE(schema_violations("error", R"({"ok": false, "error": "x", "fix": "", "exit_code": 1})"), "");
  EXPECT_NE(schema_violations("error", R"({"error": "x", "fix": null, "exit_code": 1})"), "");
  EXPECT_NE(schema_violations("error", "not json"), "");

  init_ca();
  auto r = devcert({"issue", "--json", "localhost"});
  ASSERT_EQ(schema_violations("issue", r.out), "") << r.out;
  auto issued = nlohmann::json::parse(r.out);
  auto broken = [&](auto change) {
    auto doc = issued;
    change(doc);
    return schema_violations("issue", doc.dump());
  };
  EXPECT_NE(broken([](auto& d) { d.erase("ok"); }), "");
  EXPECT_NE(broken([](auto& d) { d["ca"] = d["ca"]["file"]; }), "");                       // a path for the CA
  EXPECT_NE(broken([](auto& d) { d["certificates"][0]["p12_file"] = ""; }), "");           // "" for absent
  EXPECT_NE(broken([](auto& d) { d["certificates"][0]["names"][0]["type"] = "DNS"; }), "");  // another spelling
  EXPECT_NE(broken([](auto& d) { d["certificates"][0]["cert"] = "x.pem"; }), "");          // an unknown field
}

}  // namespace
}  // namespace devcert::test
