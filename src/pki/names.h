// Subject names: what a user types on the command line, classified into the SAN type that a
// certificate carries, validated and normalised (IDNA punycode, canonical IP text). A leaf's list
// of them (duplicates, file names) follows pki/leaf_rules.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace devcert::pki {

enum class NameKind { dns, ip, email };

struct SubjectName {
  NameKind kind = NameKind::dns;
  std::string value;     // as it goes into the certificate (ASCII)
  std::string input;     // as the user typed it
  std::string ip_bytes;  // network order, 4 or 16 bytes, for NameKind::ip
  bool wildcard = false;

  bool operator==(const SubjectName&) const = default;
};

// The name's type as every command's JSON spells it: "dns", "ip", "email"
// (man/json/common.schema.json#/$defs/name).
std::string_view kind_name(NameKind kind);

// Classifies one argument; throws devcert::NameError with a message saying what to type instead.
SubjectName classify_name(std::string_view input);

// What a wildcard name covers, in words: one label in place of the "*", never the name below it
// nor two labels ("*.app.test covers exactly one level: a.app.test, not app.test nor
// x.a.app.test"), as browsers, OpenSSL and NSS match it (RFC 6125 6.4.3).
std::string wildcard_coverage(const SubjectName& wildcard);

// Whether `domain` (ASCII, lower case) is a public suffix (libpsl, its "*" rule included, so any
// single label is one): "com", "co.uk", "github.io".
bool is_public_suffix(std::string_view domain);

// Canonical text of an IP in network order (4 or 16 bytes).
std::string ip_to_string(std::string_view bytes);

}  // namespace devcert::pki
