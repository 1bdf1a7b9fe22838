#include "pki/names.h"

#include <gtest/gtest.h>

#include "error.h"
#include "support/param_names.h"

namespace devcert::pki {
namespace {

struct Accepted {
  std::string input;
  NameKind kind;
  std::string value;
};

// What a failing case prints for its parameter (gtest would print the struct's bytes).
void PrintTo(const Accepted& c, std::ostream* os) {
  *os << '"' << test::param_text(c.input) << "\" -> " << test::param_text(c.value);
}

class AcceptedName : public testing::TestWithParam<Accepted> {};

TEST_P(AcceptedName, ClassifiesAndNormalises) {
  const Accepted& c = GetParam();
  SubjectName n = classify_name(c.input);
  EXPECT_EQ(n.kind, c.kind) << c.input;
  EXPECT_EQ(n.value, c.value) << c.input;
  EXPECT_EQ(n.input, c.input);
}

INSTANTIATE_TEST_SUITE_P(
    Table, AcceptedName,
    testing::Values(
        Accepted{"localhost", NameKind::dns, "localhost"},
        Accepted{"LocalHost", NameKind::dns, "localhost"},
        Accepted{"app.localhost.", NameKind::dns, "app.localhost"},
        Accepted{"my-app.test", NameKind::dns, "my-app.test"},
        Accepted{"*.app.test", NameKind::dns, "*.app.test"},
        Accepted{"127.0.0.1", NameKind::ip, "127.0.0.1"},
        Accepted{"::1", NameKind::ip, "::1"},
        Accepted{"[::1]", NameKind::ip, "::1"},
        Accepted{"0:0:0:0:0:0:0:1", NameKind::ip, "::1"},
        Accepted{"FE80::AB", NameKind::ip, "fe80::ab"},
        Accepted{"192.168.1.20", NameKind::ip, "192.168.1.20"},
        Accepted{"dev@example.test", NameKind::email, "dev@example.test"},
        Accepted{"bücher.test", NameKind::dns, "xn--bcher-kva.test"},
        Accepted{"*.bücher.test", NameKind::dns, "*.xn--bcher-kva.test"},
        Accepted{"münchen.localhost", NameKind::dns, "xn--mnchen-3ya.localhost"},
        Accepted{"x@bücher.test", NameKind::email,
                 "x@xn--bcher-kva.test"},
        // IDNA2008 non-transitional: ß stays a letter (UTS 46 transitional would give "ss").
        Accepted{"straße.test", NameKind::dns, "xn--strae-oqa.test"},
        // A-labels typed as such: valid punycode of a valid name, case folded.
        Accepted{"xn--bcher-kva.test", NameKind::dns, "xn--bcher-kva.test"},
        Accepted{"XN--BCHER-KVA.test", NameKind::dns, "xn--bcher-kva.test"},
        // RFC 5321 dot-atom: every atext symbol, single inner dots.
        Accepted{"first.last+tag@example.test", NameKind::email, "first.last+tag@example.test"},
        Accepted{"a!#$%&'*-/=?^_`{|}~z@example.test", NameKind::email, "a!#$%&'*-/=?^_`{|}~z@example.test"}),
    [](const testing::TestParamInfo<Accepted>& info) { return test::param_name(info.param.input, info.index); });

struct Rejected {
  std::string input;
  std::string message_part;  // the specific reason
  std::string fix_part;      // what the user is told to type instead ("" when none)
};

void PrintTo(const Rejected& c, std::ostream* os) {
  *os << '"' << test::param_text(c.input) << "\" refused: " << test::param_text(c.message_part);
}

class RejectedName : public testing::TestWithParam<Rejected> {};

TEST_P(RejectedName, RejectsWithSpecificMessage) {
  const Rejected& c = GetParam();
  try {
    classify_name(c.input);
    FAIL() << "accepted '" << c.input << "'";
  } catch (const NameError& e) {
    EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos)
        << c.input << " -> " << e.what();
    EXPECT_NE(e.fix().find(c.fix_part), std::string::npos) << c.input << " fix: " << e.fix();
    EXPECT_EQ(e.exit_code(), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, RejectedName,
    testing::Values(
        Rejected{"", "empty", ""},
        Rejected{"my host", "spaces", ""},
        Rejected{"localhost\n", "white space", ""},
        Rejected{"*", "bare '*'", "*.example.test"},
        Rejected{"*.*.test", "whole leftmost label", ""},
        Rejected{"a.*.test", "whole leftmost label", ""},
        Rejected{"foo*.test", "whole leftmost label", ""},
        Rejected{"*.test", "top-level domain", "*.app.test"},
        Rejected{"*.com", "top-level domain", ""},
        Rejected{"*.co.uk", "public suffix", ""},
        Rejected{"localhost:8443", "ports are not part of certificate names", "devcert issue localhost"},
        Rejected{"[::1]:8443", "ports are not part of certificate names", "devcert issue ::1"},
        Rejected{"127.0.0.1:80", "ports are not part", "devcert issue 127.0.0.1"},
        Rejected{"https://localhost/", "URL", "devcert issue localhost"},
        Rejected{"wss://app.test:8443/socket", "URL", "devcert issue app.test"},
        Rejected{"https://[::1]:8443/", "URL", "devcert issue ::1"},
        Rejected{"fe80::1%eth0", "zone", "devcert issue fe80::1"},
        Rejected{"under_score.test", "'_'", ""},
        Rejected{"-lead.test", "starts or ends with '-'", ""},
        Rejected{"a..test", "empty label", ""},
        Rejected{std::string(64, 'a') + ".test", "longer than 63", ""},
        Rejected{std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
                     std::string(60, 'd') + "." + std::string(60, 'e') + ".test",
                 "longer than 253", ""},
        Rejected{"300.1.1.1", "IP address", ""},
        Rejected{"1.2.3", "IP address", ""},
        Rejected{"a!b.test", "not allowed", ""},
        Rejected{"@example.test", "mailbox", ""},
        Rejected{"dev@", "domain", ""},
        Rejected{"dev@*.test", "wildcards", ""},
        Rejected{"\xff\xfe.test", "international domain name", ""},
        // Punycode that does not decode, or decodes to what no one could type.
        Rejected{"xn--a.test", "'xn--a' decodes to", ""},
        Rejected{"xn--zz.test", "'xn--zz' is not valid punycode", ""},
        Rejected{"app.xn--.test", "starts or ends with '-'", ""},
        Rejected{"xn--9999999999a.test", "is not valid punycode", ""},
        Rejected{"xn--ls8h.test", "not a valid international domain name", ""},
        Rejected{"xn--abc-.test", "starts or ends with '-'", ""},
        Rejected{"dev@xn--a.test", "'xn--a' decodes to", ""},
        // Mailboxes that are not RFC 5321 dot-atoms.
        Rejected{"a<b@example.test", "character '<' is not allowed in a mailbox", ""},
        Rejected{"\"quoted\"@example.test", "character '\"' is not allowed in a mailbox", ""},
        Rejected{"a,b@example.test", "character ',' is not allowed in a mailbox", ""},
        Rejected{"a(b)@example.test", "character '(' is not allowed", ""},
        Rejected{"a\\b@example.test", "character '\\' is not allowed", ""},
        Rejected{".dev@example.test", "cannot start or end with '.'", ""},
        Rejected{"dev.@example.test", "cannot start or end with '.'", ""},
        Rejected{"de..v@example.test", "two in a row", ""},
        Rejected{std::string(65, 'm') + "@example.test", "longer than 64", ""}),
    [](const testing::TestParamInfo<Rejected>& info) { return test::param_name(info.param.input, info.index); });

TEST(NameErrors, ShowControlBytesEscaped) {
  try {
    classify_name("evil\x1b[2Jname.test");
    FAIL() << "a name with ESC was accepted";
  } catch (const NameError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find('\x1b'), std::string::npos) << what;
    EXPECT_NE(what.find("evil\\x1b[2Jname.test"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace devcert::pki
