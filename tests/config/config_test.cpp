// devcert.toml parsing: every key, every error with its line and column, and discovery.
#include "config/config.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "error.h"
#include "support/helpers.h"
#include "templates/templates.h"

namespace devcert::config {
namespace {

namespace stdfs = std::filesystem;

// The names of an entry as they were written (each SubjectName keeps its input).
std::vector<std::string> inputs_of(const CertEntry& entry) {
  std::vector<std::string> inputs;
  for (const pki::SubjectName& name : entry.names) inputs.push_back(name.input);
  return inputs;
}

// The message of the devcert::Error that parse() throws, or "" when it parses.
std::string parse_error(const std::string& text) {
  try {
    parse(text, "/proj/devcert.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigParse, ReadsEveryKeyAndResolvesPathsAgainstTheFilesDirectory) {
  ProjectFile f = parse(R"(
[ca]
key_type = "ecdsa-p384"
days = 365
permit = ["corp.example", "100.64.0.0/10"]

[[cert]]
names = ["localhost", "127.0.0.1", "::1"]

[[cert]]
names = ["*.app.test", "app.test"]
key_type = "rsa-2048"
days = 30
client = true
cert = "certs/app.pem"
key = "keys/../app-key.pem"
p12 = "./app.p12"
)",
                        "/proj/devcert.toml");
  EXPECT_EQ(f.path, "/proj/devcert.toml");
  EXPECT_EQ(f.ca.key_type, "ecdsa-p384");
  EXPECT_EQ(f.ca.days, 365);
  EXPECT_EQ(f.ca.permit, (std::vector<std::string>{"corp.example", "100.64.0.0/10"}));
  ASSERT_EQ(f.certs.size(), 2u);
  const CertEntry& a = f.certs[0];
  EXPECT_EQ(inputs_of(a), (std::vector<std::string>{"localhost", "127.0.0.1", "::1"}));
  EXPECT_EQ(a.cert, "/proj/localhost+2.pem");
  EXPECT_EQ(a.key, "/proj/localhost+2-key.pem");
  EXPECT_TRUE(a.p12.empty());
  EXPECT_FALSE(a.key_type || a.days || a.client);
  EXPECT_EQ(a.where, "/proj/devcert.toml:7:1");
  const CertEntry& b = f.certs[1];
  EXPECT_EQ(b.key_type, "rsa-2048");
  EXPECT_EQ(b.days, 30);
  EXPECT_EQ(b.client, true);
  EXPECT_EQ(b.cert, "/proj/certs/app.pem");
  EXPECT_EQ(b.key, "/proj/keys/../app-key.pem");
  EXPECT_EQ(b.p12, "/proj/./app.p12");
  EXPECT_EQ(b.cert_named_by, "/proj/devcert.toml:15:8: cert");
  EXPECT_EQ(b.p12_named_by, "/proj/devcert.toml:17:7: p12");
  EXPECT_EQ(a.key_named_by, "/proj/devcert.toml:7:1: key");  // a default: the entry's position
}

TEST(ConfigParse, AnEmptyFileHasNoCertificates) {
  ProjectFile f = parse("# nothing yet\n", "devcert.toml");
  EXPECT_TRUE(f.certs.empty());
  EXPECT_FALSE(f.ca.key_type);
}

// A root permits at most 256 names and ranges (the 18 defaults included): the 239th added is
// refused where it is written, and duplicates cost nothing, so the check stays linear.
TEST(ConfigParse, PermitIsCappedAtItsEntryAndDuplicatesAreFree) {
  std::string text = "[ca]\npermit = [\n";
  for (int i = 0; i < 300; ++i) text += "  \"h" + std::to_string(i) + ".test\",\n";
  text += "]\n";
  EXPECT_EQ(parse_error(text).rfind("/proj/devcert.toml:241:3: h238.test: a root permits at most 256", 0), 0u)
      << parse_error(text);
  std::string same = "[ca]\npermit = [";
  for (int i = 0; i < 60000; ++i) same += "\"a.test\", \"10.9.0.0/16\", ";
  same += "]\n";
  EXPECT_EQ(parse_error(same), "");
}

// Names are parsed once, here, as the command line parses them: duplicates are dropped before
// the default file names count them (app.test.pem, as `devcert issue app.test app.test` names it).
TEST(ConfigParse, DuplicateNamesAreDroppedBeforeTheDefaultFilesAreNamed) {
  ProjectFile f = parse("[[cert]]\nnames = [\"app.test\", \"app.test\", \"APP.test\", \"::1\", \"0::1\"]\n",
                        "/proj/devcert.toml");
  ASSERT_EQ(f.certs.size(), 1u);
  EXPECT_EQ(inputs_of(f.certs[0]), (std::vector<std::string>{"app.test", "::1"}));
  EXPECT_EQ(f.certs[0].names[1].value, "::1");
  EXPECT_EQ(f.certs[0].cert, "/proj/app.test+1.pem");
  EXPECT_EQ(f.certs[0].key, "/proj/app.test+1-key.pem");
  ProjectFile same = parse("[[cert]]\nnames = [\"app.test\", \"app.test\"]\n", "/proj/devcert.toml");
  EXPECT_EQ(same.certs[0].cert, "/proj/app.test.pem");
  EXPECT_EQ(same.certs[0].key, "/proj/app.test-key.pem");
}

// A bad name is placed at its own element, counted over what was written (duplicates included).
TEST(ConfigParse, ABadNameIsPlacedAtItsElementAfterDuplicates) {
  EXPECT_EQ(parse_error("[[cert]]\nnames = [\"a.test\", \"a.test\",\n  \"a.test:1\"]\n").rfind(
                "/proj/devcert.toml:3:3: invalid name 'a.test:1': ports are not part of certificate names", 0),
            0u)
      << parse_error("[[cert]]\nnames = [\"a.test\", \"a.test\",\n  \"a.test:1\"]\n");
}

TEST(ConfigParse, EachErrorNamesFileLineAndColumn) {
  struct Case {
    std::string text, message;
  } cases[] = {
      {"[[cert]]\nnames = [\"localhost\"]\nkeytype = \"rsa-2048\"\n",
       "/proj/devcert.toml:3:1: unknown key 'keytype' in [[cert]]"},
      {"[ca]\nkey_type = \"ecdsa-p256\"\n  permits = []\n", "/proj/devcert.toml:3:3: unknown key 'permits' in [ca]"},
      {"[certs]\nnames = []\n", "/proj/devcert.toml:1:2: unknown key 'certs' in the top level"},
      {"[[cert]]\nnames = [\"localhost\"]\ndays = \"30\"\n",
       "/proj/devcert.toml:3:8: days must be an integer, not a string"},
      {"[[cert]]\nnames = \"localhost\"\n", "/proj/devcert.toml:2:9: names must be an array of strings, not a string"},
      {"[[cert]]\nnames = [\"localhost\", 8443]\n",
       "/proj/devcert.toml:2:23: names entries must be a string, not an integer"},
      {"[[cert]]\nnames = [\"localhost\"]\nclient = \"yes\"\n",
       "/proj/devcert.toml:3:10: client must be true or false, not a string"},
      {"cert = \"x.pem\"\n", "/proj/devcert.toml:1:8: cert must be an array of tables, written [[cert]], not a string"},
      {"ca = [1]\n", "/proj/devcert.toml:1:6: ca must be a table ([ca]), not an array"},
      {"[[cert]]\nnames = [\"localhost\"]\nkey_type = \"rsa-1024\"\n",
       "/proj/devcert.toml:3:12: unknown key type 'rsa-1024'"},
      {"[ca]\nkey_type = \"dsa\"\n", "/proj/devcert.toml:2:12: unknown key type 'dsa'"},
      {"[[cert]]\nnames = [\"localhost\", \"localhost:8443\"]\n",
       "/proj/devcert.toml:2:23: invalid name 'localhost:8443': ports are not part of certificate names"},
      {"[[cert]]\nnames = [\"*.test\"]\n", "/proj/devcert.toml:2:10: invalid name '*.test'"},
      {"[[cert]]\nnames = []\n", "/proj/devcert.toml:2:9: names is empty"},
      {"[[cert]]\ncert = \"a.pem\"\n", "/proj/devcert.toml:1:1: this [[cert]] has no names"},
      {"[[cert]]\nnames = [\"localhost\"]\ndays = 900\n",
       "/proj/devcert.toml:3:8: days must be between 1 and 825 (Apple rejects longer TLS certificates), not 900"},
      {"[[cert]]\nnames = [\"localhost\"]\ndays = 0\n", "/proj/devcert.toml:3:8: days must be between 1 and 825"},
      {"[ca]\ndays = 36500\n", "/proj/devcert.toml:2:8: days must be between 1 and 3650"},
      {"[ca]\npermit = [\"*.corp.example\"]\n", "/proj/devcert.toml:2:11: *.corp.example: a root permits a domain"},
      {"[[cert]]\nnames = [\"localhost\"]\np12 = \"\"\n", "/proj/devcert.toml:3:7: p12 must name a file, not ''"},
      {"[[cert]]\nnames = [\"localhost\"]\np12 = \"out/\"\n", "/proj/devcert.toml:3:7: p12 must name a file, not 'out/'"},
      {"[[cert]]\nnames = [\"localhost\"]\ncert = \"/etc/passwd\"\n",
       "/proj/devcert.toml:3:8: cert '/etc/passwd' is absolute; a project file writes only inside its project"},
      {"[[cert]]\nnames = [\"localhost\"]\nkey = \"../.profile\"\n",
       "/proj/devcert.toml:3:7: key '../.profile' leads out of the project directory"},
      {"[[cert]]\nnames = [\"localhost\"]\np12 = \"a/b/../../../x.p12\"\n",
       "/proj/devcert.toml:3:7: p12 'a/b/../../../x.p12' leads out of the project directory"},
      {"[[cert]]\nnames = [\"localhost\"]\ncert = \"\\u001b]0;x\\u0007.pem/\"\n",
       "/proj/devcert.toml:3:8: cert must name a file, not '\\x1b]0;x\\x07.pem/'"},
      {"[[cert]]\nnames = [\"localhost\"\n", "/proj/devcert.toml:2:22: Error while parsing array: encountered end-of-file"},
      {"[ca]\ndays = 1\ndays = 2\n", "/proj/devcert.toml:3:"},
  };
  for (const auto& c : cases) {
    std::string message = parse_error(c.text);
    EXPECT_TRUE(message.starts_with(c.message)) << c.text << "\n  got:  " << message << "\n  want: " << c.message;
  }
}

TEST(ConfigParse, UnknownKeyErrorListsTheValidKeys) {
  try {
    parse("[[cert]]\nnames = [\"localhost\"]\nclients = true\n", "devcert.toml");
    FAIL() << "parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.fix(), "the keys there are: names, key_type, days, client, for_containers, cert, key, p12");
  }
}

TEST(ConfigSample, TheShippedSampleParsesAndEveryCommentedKeyIsReal) {
  auto sample = templates::find("devcert.toml");
  ASSERT_TRUE(sample);
  ProjectFile f = parse(*sample, "/proj/devcert.toml");
  ASSERT_EQ(f.certs.size(), 1u);
  EXPECT_EQ(inputs_of(f.certs[0]), (std::vector<std::string>{"localhost", "127.0.0.1", "::1"}));
  EXPECT_EQ(f.certs[0].cert, "/proj/localhost.pem");
  EXPECT_TRUE(f.ca.permit.empty());
  // Uncommented, the sample's commented settings (a second [[cert]] included) parse too.
  std::string all;
  std::istringstream lines{std::string(*sample)};
  std::regex setting(R"(^# ([a-z_0-9]+ = .*|\[\[cert\]\].*)$)");
  for (std::string line; std::getline(lines, line);) all += std::regex_replace(line, setting, "$1") + "\n";
  ProjectFile g = parse(all, "/proj/devcert.toml");
  ASSERT_EQ(g.certs.size(), 2u);
  EXPECT_EQ(g.ca.key_type, "ecdsa-p256");
  EXPECT_EQ(g.ca.days, 3650);
  EXPECT_EQ(g.certs[0].p12, "/proj/localhost.p12");
  EXPECT_EQ(g.certs[0].days, 824);
  EXPECT_EQ(g.certs[0].client, false);
  EXPECT_EQ(g.certs[1].key, "/proj/certs/app-key.pem");
}

TEST(ConfigSample, TheReadmeExampleParses) {
  std::string readme = test::read_text(stdfs::path(DEVCERT_SOURCE_DIR) / "README.md");
  size_t begin = readme.find("```toml\n");
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  ProjectFile f = parse(readme.substr(begin, readme.find("```", begin) - begin), "/proj/devcert.toml");
  EXPECT_EQ(f.ca.permit, (std::vector<std::string>{"corp.example"}));
  ASSERT_EQ(f.certs.size(), 2u);
  EXPECT_EQ(f.certs[0].cert, "/proj/localhost+2.pem");
  EXPECT_EQ(f.certs[1].key, "/proj/certs/app-key.pem");
  EXPECT_EQ(f.certs[1].days, 30);
}

class ConfigDiscovery : public testing::Test {
 protected:
  test::TempDir tmp;
  stdfs::path home = tmp / "home";
  stdfs::path repo = home / "repo";
  stdfs::path deep = repo / "a" / "b";
  void SetUp() override { stdfs::create_directories(deep); }
};

TEST_F(ConfigDiscovery, FindsTheFileInTheStartDirectoryOrTheNearestParent) {
  EXPECT_EQ(find_project_file(deep, home), std::nullopt);
  test::write_text(repo / "devcert.toml", "");
  EXPECT_EQ(find_project_file(deep, home), repo / "devcert.toml");
  test::write_text(repo / "a" / "devcert.toml", "");
  EXPECT_EQ(find_project_file(deep, home), repo / "a" / "devcert.toml");
  test::write_text(deep / "devcert.toml", "");
  EXPECT_EQ(find_project_file(deep, home), deep / "devcert.toml");
}

TEST_F(ConfigDiscovery, StopsAtTheRepositoryRoot) {
  test::write_text(home / "devcert.toml", "");
  EXPECT_EQ(find_project_file(deep, home), home / "devcert.toml");
  stdfs::create_directory(repo / ".git");
  EXPECT_EQ(find_project_file(deep, home), std::nullopt);
  stdfs::remove(repo / ".git");
  test::write_text(repo / ".git", "gitdir: ../elsewhere\n");  // a worktree's .git is a file
  EXPECT_EQ(find_project_file(deep, home), std::nullopt);
}

TEST_F(ConfigDiscovery, StopsAtHome) {
  test::write_text(tmp / "devcert.toml", "");
  EXPECT_EQ(find_project_file(deep, home), std::nullopt);
  EXPECT_EQ(find_project_file(deep, std::nullopt), tmp / "devcert.toml");
}

}  // namespace
}  // namespace devcert::config
