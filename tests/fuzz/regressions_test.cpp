// One test per bug that fuzzing found (scripts/fuzz.sh), with the input it found; the input is
// also in the target's corpus (tests/fuzz/TARGET/crash-*), run by corpus_test.cpp.
#include <gtest/gtest.h>

#include "cli/commands.h"
#include "config/config.h"
#include "diagnose/raw_reply.h"
#include "diagnose/url.h"
#include "error.h"
#include "pki/inspect.h"
#include "pki/keys.h"
#include "pki/names.h"
#include "support/helpers.h"

namespace devcert::fuzz {
namespace {

std::string corpus_file(const std::string& target, const std::string& name) {
  return devcert::test::read_text(std::filesystem::path(DEVCERT_SOURCE_DIR) / "tests" / "fuzz" / target / name);
}

// DEL (0x7f) is a control character too: it was let through into an email SAN.
TEST(FuzzRegression, DelIsAControlCharacter) {
  std::string input = corpus_file("names", "crash-del-in-email");
  ASSERT_NE(input.find('\x7f'), std::string::npos);
  EXPECT_THROW(pki::classify_name(input), NameError);
  EXPECT_THROW(pki::classify_name("a\x7f@app.test"), NameError);
  EXPECT_THROW(pki::classify_name("app\x7f.test"), NameError);
}

// A host with ':' outside brackets was split at its last colon: wss://::1/ meant host ":" port 1,
// and the URL printed for "wss://a.:1]://a3/" did not parse back.
TEST(FuzzRegression, UrlHostWithColonsNeedsBrackets) {
  EXPECT_THROW(diagnose::parse_url(corpus_file("url", "crash-unbracketed-colon-host")), UsageError);
  EXPECT_THROW(diagnose::parse_url("wss://::1/"), UsageError);
  EXPECT_THROW(diagnose::parse_url("wss://::1:8443/"), UsageError);
  EXPECT_THROW(diagnose::parse_url("wss://[app.test]:8443/"), UsageError);
  diagnose::Endpoint ep = diagnose::parse_url("wss://[::1]:8443/");
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, 8443);
  EXPECT_EQ(ep.url(), "wss://[::1]:8443/");
}

// A SAN holding bytes that are not ASCII made `inspect --json` fail (nlohmann::json refuses
// invalid UTF-8) and would have printed raw control bytes to the terminal.
TEST(FuzzRegression, InspectShowsNonAsciiSanBytesEscaped) {
  ossl::X509Ptr cert = pki::load_certificate(corpus_file("certificate", "crash-san-not-utf8"), "crash");
  pki::CertificateReport report = pki::inspect_certificate(cert.get(), nullptr);
  std::string json;
  EXPECT_NO_THROW(json = cli::inspect_json(report, std::nullopt).dump(2));
  bool escaped = false;
  for (const auto& [type, value] : report.sans) escaped |= value.find("\\x") != std::string::npos;
  EXPECT_TRUE(escaped);
  EXPECT_EQ(report.sans.front(), std::make_pair(std::string("DNS"), std::string("localhost")));
}

// The hand-written response parser these inputs once crashed is gone (Beast parses the upgrade's
// answer now); they stay in the corpus, and the raw-bytes description of a refused head must
// still name each of them without throwing.
TEST(FuzzRegression, OldParserCrashesAreDescribed) {
  for (const char* name : {"crash-repeated-empty-header", "crash-folded-header-line", "crash-header-name-only-cr"})
    EXPECT_FALSE(diagnose::describe_refused_reply(corpus_file("http_response", name)).empty()) << name;
}

// config::parse's error for `text` as /p/devcert.toml, or "" when it parses.
std::string toml_error(std::string_view text) {
  try {
    config::parse(text, "/p/devcert.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// toml++ 3.3.0 reached __builtin_unreachable (UBSan: "execution reached an unreachable program
// point") on a character in U+00A1..U+0499 outside a string, and after a line-ending backslash
// in a """ string; config::parse refuses those with their position before toml++ reads them.
TEST(FuzzRegression, TomlNonAsciiOutsideStringsIsRefusedBeforeTomlxx) {
  EXPECT_EQ(toml_error(corpus_file("config", "crash-toml-non-ascii-after-key")),
            "/p/devcert.toml:1:28: a non-ASCII character outside a string or comment, or a NUL byte");
  EXPECT_EQ(toml_error(corpus_file("config", "crash-toml-continuation-before-non-ascii")),
            "/p/devcert.toml:2:1: a non-ASCII character outside a string or comment, or a NUL byte");
  EXPECT_EQ(toml_error(corpus_file("config", "crash-toml-backslash-before-non-ascii")),
            "/p/devcert.toml:1:9: a non-ASCII character outside a string or comment, or a NUL byte");
  EXPECT_EQ(toml_error("\xcc\xaa"), "/p/devcert.toml:1:1: a non-ASCII character outside a string or comment, or a NUL byte");
  // Non-ASCII where TOML allows it still parses: strings, comments, a byte order mark.
  const char* valid = "\xEF\xBB\xBF# caf\xC3\xA9\n[[cert]] # \xC2\xA7\nnames = [\"b\xC3\xBC" "cher.test\", 'x.test']\n"
                      "cert = \"\"\"c\xC3\xA9.pem\"\"\"\nkey = '''k\xC3\xA9.pem'''\n";
  EXPECT_EQ(toml_error(valid), "");
  EXPECT_EQ(config::parse(valid, "/p/devcert.toml").certs.at(0).names.at(0).input, "b\xC3\xBC" "cher.test");
}

// The same unreachable point, reached inside a string: toml++'s parse_value scans a malformed value
// ahead (up to 127 characters, over quotes) asking of each character whether it ends the value,
// i.e. whether it is whitespace. config::parse lets toml++ see an all-ASCII stand-in first, so such
// a file fails with toml++'s own error, at the same position, and never reaches the real text.
TEST(FuzzRegression, TomlMalformedValueRunningIntoANonAsciiStringIsAnErrorNotUb) {
  // U+00FC, in U+00A1..U+0499, after "[ca]\nkey_type =-...": found by fuzz_config (a later byte
  // that was not UTF-8 is made ASCII in the committed input: such bytes are now refused first).
  std::string found = toml_error(corpus_file("config", "crash-toml-value-scan-into-string"));
  EXPECT_TRUE(found.starts_with("/p/devcert.toml:2:")) << found;
  // U+FB40, in U+FB26..U+FEFE, the block's other unreachable range.
  std::string second = toml_error(corpus_file("config", "crash-toml-value-scan-into-string-2"));
  EXPECT_TRUE(second.starts_with("/p/devcert.toml:1:")) << second;
  EXPECT_EQ(toml_error("days = 1\"\xC3\xBC\"\n"), toml_error("days = 1\"?\"\n"));
  // Bytes that are not UTF-8 are refused with their position (toml++ would refuse them too, but
  // only once it reads them, and the stand-in no longer holds them).
  EXPECT_EQ(toml_error("names = [\"a\xC3\"]\n"), "/p/devcert.toml:1:12: not valid UTF-8");
  EXPECT_EQ(toml_error("# \xED\xA0\x80\n"), "/p/devcert.toml:1:3: not valid UTF-8");  // a surrogate
  EXPECT_EQ(toml_error("# \xC0\xAF\n"), "/p/devcert.toml:1:3: not valid UTF-8");      // overlong '/'
  // Valid files with non-ASCII strings still read as they are, with their errors in place.
  EXPECT_EQ(config::parse("# \xEF\xAD\x80\n[[cert]]\nnames = [\"b\xC3\xBC" "cher.test\"]\n", "/p/devcert.toml")
                .certs.at(0).names.at(0).input, "b\xC3\xBC" "cher.test");
  EXPECT_EQ(toml_error("\xEF\xBB\xBF[[cert]]\nnames = [\"\xC3\xA9.test\"]\nkeys = 1\n"),
            "/p/devcert.toml:3:1: unknown key 'keys' in [[cert]]");
}

// toml++ 3.3 asserts, and with NDEBUG under clang assumes, states of its parser that hostile
// text reaches: `[."` (a table header's key starting with '.') and `nez= [}` (an array closed by
// a brace). An assertion build aborted on both. config.cpp makes those checks no-ops, so every
// build refuses them as a g++ release build does: with toml++'s own error and its position.
TEST(FuzzRegression, TomlxxAssertionsAreParseErrors) {
  EXPECT_EQ(toml_error(corpus_file("config", "crash-toml-table-header-dot")).rfind("/p/devcert.toml:1:2: ", 0), 0u);
  EXPECT_EQ(toml_error(corpus_file("config", "crash-toml-array-closed-by-brace")).rfind("/p/devcert.toml:2:", 0), 0u);
  for (const char* text : {"[.x]\n", "[[ =]]\n", "[\n", "[#]\n", "a = [}\n", "a = [1,}\n", "a = {b=[}}\n"})
    EXPECT_NE(toml_error(text), "") << text;
}


}  // namespace
}  // namespace devcert::fuzz
