#include <algorithm>
#include <cctype>

#include "error.h"
#include "fuzz/targets.h"
#include "pki/leaf_rules.h"
#include "pki/names.h"

namespace devcert::fuzz {
namespace {

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

void names(std::string_view data) {
  pki::SubjectName name;
  try {
    name = pki::classify_name(data);
  } catch (const NameError&) {
    return;  // refused with a message: fine
  }
  DEVCERT_FUZZ_CHECK(!name.value.empty());
  DEVCERT_FUZZ_CHECK(name.input == data);
  DEVCERT_FUZZ_CHECK(std::all_of(name.value.begin(), name.value.end(),
                                 [](unsigned char c) { return c > 0x20 && c < 0x7f; }));
  switch (name.kind) {
    case pki::NameKind::ip:
      DEVCERT_FUZZ_CHECK(name.ip_bytes.size() == 4 || name.ip_bytes.size() == 16);
      DEVCERT_FUZZ_CHECK(pki::ip_to_string(name.ip_bytes) == name.value);
      DEVCERT_FUZZ_CHECK(!name.wildcard);
      break;
    case pki::NameKind::dns: {
      DEVCERT_FUZZ_CHECK(name.ip_bytes.empty());
      DEVCERT_FUZZ_CHECK(name.wildcard == name.value.starts_with("*."));
      std::string_view host = name.wildcard ? std::string_view(name.value).substr(2) : name.value;
      DEVCERT_FUZZ_CHECK(host.size() <= 253);
      DEVCERT_FUZZ_CHECK(std::all_of(host.begin(), host.end(), is_host_char));
      DEVCERT_FUZZ_CHECK(host.front() != '.' && host.back() != '.');
      DEVCERT_FUZZ_CHECK(host.find("..") == std::string_view::npos);
      break;
    }
    case pki::NameKind::email: {
      DEVCERT_FUZZ_CHECK(std::count(name.value.begin(), name.value.end(), '@') == 1);
      std::string_view domain = std::string_view(name.value).substr(name.value.find('@') + 1);
      DEVCERT_FUZZ_CHECK(!domain.empty() && std::all_of(domain.begin(), domain.end(), is_host_char));
      // The mailbox is an RFC 5321 dot-atom: atext runs joined by single dots.
      std::string_view local = std::string_view(name.value).substr(0, name.value.find('@'));
      DEVCERT_FUZZ_CHECK(!local.empty() && local.size() <= 64 && local.front() != '.' && local.back() != '.');
      DEVCERT_FUZZ_CHECK(local.find("..") == std::string_view::npos);
      DEVCERT_FUZZ_CHECK(std::all_of(local.begin(), local.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view(".!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
                                      std::string_view::npos;
      }));
      break;
    }
  }
  // What goes into the certificate is itself a valid name, and classifies to itself.
  pki::SubjectName again;
  try {
    again = pki::classify_name(name.value);
  } catch (const NameError& e) {
    throw InvariantViolation("'" + name.value + "' (from '" + std::string(data) + "') is refused: " + e.what());
  }
  DEVCERT_FUZZ_CHECK(again.kind == name.kind && again.value == name.value &&
                     again.ip_bytes == name.ip_bytes && again.wildcard == name.wildcard);
  // The file stem derived from it never leaves the output directory.
  std::string stem = pki::default_file_stem({name});
  DEVCERT_FUZZ_CHECK(!stem.empty() && stem.find('/') == std::string::npos && stem != "." &&
                     stem != "..");
}

}  // namespace devcert::fuzz
