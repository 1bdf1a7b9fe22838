// The root's nameConstraints: a leaked devcert root key can only vouch for development names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ossl/handles.h"
#include "pki/names.h"

namespace devcert::pki {

struct IpRange {
  std::string network;  // 4 or 16 bytes, network order, host bits zero
  std::string mask;     // same length
  std::string to_string() const;  // "10.0.0.0/8"
  bool operator==(const IpRange&) const = default;
};

struct PermittedSet {
  std::vector<std::string> domains;  // each covers itself and all subdomains
  std::vector<IpRange> ranges;
  bool operator==(const PermittedSet&) const = default;
};

// Reserved and special-use names (RFC 2606 with its example.com/.net/.org, 6761, 6762, 8375,
// ICANN's .internal) and the
// loopback, private and link-local address ranges: every place a development server lives.
PermittedSet default_permitted();

// What a root with `set` may sign, for a person to read, and which entries reach beyond
// development: any domain outside the special-use names of default_permitted() (a top-level
// domain, a public suffix, or a public name such as google.com), or an address range that is not loopback,
// private (RFC 1918, RFC 6598 shared, ULA) or link-local. A leaked key of such a root can
// impersonate public sites, as an unconstrained one can.
struct PermitReview {
  std::vector<std::string> domains;      // each covers itself and all subdomains
  std::vector<std::string> ranges;       // "10.0.0.0/8"
  std::vector<std::string> public_reach;  // "com (a public suffix)", "8.8.0.0/16 (public addresses)"
};
PermitReview review_permitted(const PermittedSet& set);

// Adds a value to permit: a domain ("corp.example"), an IP ("10.1.2.3") or a CIDR
// ("100.64.0.0/10"). Throws UsageError on anything else; the message starts with the value, and
// names no flag or file (the caller says where the value came from).
void add_permit(PermittedSet& set, std::string_view value);

// The critical nameConstraints extension: DNS, IP, and the same domains for email and URI.
ossl::X509Extension make_name_constraints_extension(const PermittedSet& set);

// The permitted DNS and IP subtrees of a CA certificate; nullopt when it has no constraints.
std::optional<PermittedSet> read_name_constraints(X509* ca);

// The entries of `wanted` that `set` does not cover yet: a domain that is not one of set's or
// below one, a range not inside one of set's.
PermittedSet not_covered(const PermittedSet& set, const PermittedSet& wanted);

// Why `name` falls outside `set`, or nullopt when it is permitted.
std::optional<std::string> constraint_violation(const PermittedSet& set, const SubjectName& name);

}  // namespace devcert::pki
