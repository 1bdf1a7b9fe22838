#include "pki/constraints.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "error.h"
#include "ossl/check.h"
#include "ossl/general_name.h"
#include "util/text.h"

namespace devcert::pki {
namespace {

IpRange make_range(std::string_view text) {
  size_t slash = text.find('/');
  std::string addr(text.substr(0, slash));
  unsigned char buf[16];
  size_t len = 0;
  if (inet_pton(AF_INET, addr.c_str(), buf) == 1) len = 4;
  else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) len = 16;
  else throw UsageError("'" + text::printable(text) + "' is not an IP address or CIDR range");
  int bits = static_cast<int>(len * 8);
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > bits)
      throw UsageError("'" + text::printable(text) + "' has a bad prefix length (0.." +
                       std::to_string(bits) + ")");
    bits = prefix;
  }
  IpRange range;
  range.network.assign(reinterpret_cast<char*>(buf), len);
  range.mask.assign(len, '\0');
  for (size_t i = 0; i < len; ++i) {
    int b = std::clamp(bits - static_cast<int>(i * 8), 0, 8);
    range.mask[i] = static_cast<char>(b == 0 ? 0 : (0xff << (8 - b)) & 0xff);
    range.network[i] = static_cast<char>(range.network[i] & range.mask[i]);
  }
  return range;
}

int prefix_length(const std::string& mask) {
  int bits = 0;
  for (unsigned char c : mask)
    for (int i = 7; i >= 0; --i) bits += (c >> i) & 1;
  return bits;
}

bool in_domain(std::string_view name, std::string_view domain) {
  if (name == domain) return true;
  return name.size() > domain.size() && name.ends_with(domain) &&
         name[name.size() - domain.size() - 1] == '.';
}

void push_subtree(STACK_OF(GENERAL_SUBTREE) * trees, int type, std::string_view value) {
  ossl::GeneralSubtree tree(ossl::check(GENERAL_SUBTREE_new(), "cannot allocate a subtree"));
  // Made before the subtree's own empty base is freed: a throw leaves the subtree whole.
  ossl::GeneralName base = ossl::make_general_name(type, value);
  GENERAL_NAME_free(tree->base);
  tree->base = base.release();
  ossl::check(sk_GENERAL_SUBTREE_push(trees, tree.get()), "cannot add a constraint");
  tree.release();
}

// `inner` lies wholly inside `outer`: same family, a prefix at least as long, same network.
bool within(const IpRange& inner, const IpRange& outer) {
  if (inner.network.size() != outer.network.size() || prefix_length(inner.mask) < prefix_length(outer.mask))
    return false;
  for (size_t i = 0; i < inner.network.size(); ++i)
    if ((inner.network[i] & outer.mask[i]) != outer.network[i]) return false;
  return true;
}

// Where development servers live and the Internet does not route: loopback, RFC 1918,
// link-local, ULA (the defaults) and RFC 6598 shared space (carrier NAT, Tailscale's 100.x).
const std::vector<IpRange>& non_public_ranges() {
  static const std::vector<IpRange> ranges = [] {
    std::vector<IpRange> r = default_permitted().ranges;
    r.push_back(make_range("100.64.0.0/10"));
    return r;
  }();
  return ranges;
}

}  // namespace

std::string IpRange::to_string() const {
  return ip_to_string(network) + "/" + std::to_string(prefix_length(mask));
}

PermittedSet default_permitted() {
  PermittedSet set;
  // RFC 2606 reserves example.com, .net and .org for documentation: the names in every tutorial
  // (mkcert's own help issues for example.com), owned by IANA and never anyone's site.
  set.domains = {"localhost", "test",        "example",     "invalid",    "local",
                 "internal",  "home.arpa",   "example.com", "example.net", "example.org"};
  for (const char* cidr : {"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                           "169.254.0.0/16", "fc00::/7", "fe80::/10"})
    set.ranges.push_back(make_range(cidr));
  return set;
}

PermitReview review_permitted(const PermittedSet& set) {
  PermitReview review;
  const std::vector<std::string> special_use = default_permitted().domains;
  for (const auto& d : set.domains) {
    review.domains.push_back(d);
    // Only the special-use names are known never to be someone's public site: any other name
    // may be (google.com), or may hold public suffixes below it (amazonaws.com holds
    // us-east-1.amazonaws.com), so it reaches public sites whatever libpsl says of it.
    if (std::any_of(special_use.begin(), special_use.end(), [&](const auto& s) { return in_domain(d, s); }))
      continue;
    // libpsl's "*" rule makes every unlisted single label a suffix too: any TLD, real or not yet.
    review.public_reach.push_back(d + (d.find('.') == std::string::npos ? " (a top-level domain)"
                                       : is_public_suffix(d)            ? " (a public suffix)"
                                                                        : " (a public name)"));
  }
  const auto& safe = non_public_ranges();
  for (const auto& r : set.ranges) {
    review.ranges.push_back(r.to_string());
    if (std::none_of(safe.begin(), safe.end(), [&](const IpRange& s) { return within(r, s); }))
      review.public_reach.push_back(r.to_string() + " (public addresses)");
  }
  return review;
}

// The root carries up to five subtrees per domain (DNS, email and URI): 256 entries keep it near
// 30 KB, far below what clients and devcert read, and beyond any real development setup. The
// cap also bounds the duplicate check below, so adding n values is linear in n.
constexpr size_t kMaxPermitted = 256;

namespace {
void check_room(const PermittedSet& set, const std::string& value) {
  if (set.domains.size() + set.ranges.size() >= kMaxPermitted)
    throw UsageError(text::printable(value) + ": a root permits at most " +
                         std::to_string(kMaxPermitted) + " names and ranges (the defaults included)",
                     "permit a parent domain or a wider CIDR instead of many small ones");
}
}  // namespace

void add_permit(PermittedSet& set, std::string_view value) {
  std::string v(value);
  unsigned char buf[16];
  bool ip_like = v.find('/') != std::string::npos || inet_pton(AF_INET, v.c_str(), buf) == 1 ||
                 inet_pton(AF_INET6, v.c_str(), buf) == 1;
  if (ip_like) {
    IpRange range = make_range(value);
    if (std::find(set.ranges.begin(), set.ranges.end(), range) == set.ranges.end()) {
      check_room(set, v);
      set.ranges.push_back(range);
    }
    return;
  }
  std::string_view domain = value;
  if (domain.starts_with(".")) domain.remove_prefix(1);
  if (domain.starts_with("*"))
    throw UsageError(text::printable(v) + ": a root permits a domain (it covers all subdomains) or an IP/CIDR");
  SubjectName name;
  try {
    name = classify_name(domain);
  } catch (const NameError& e) {
    throw UsageError(text::printable(v) + ": " + e.what());
  }
  if (name.kind != NameKind::dns || name.wildcard)
    throw UsageError(text::printable(v) + ": a root permits a domain (it covers all subdomains) or an IP/CIDR");
  if (std::find(set.domains.begin(), set.domains.end(), name.value) == set.domains.end()) {
    check_room(set, v);
    set.domains.push_back(name.value);
  }
}

ossl::X509Extension make_name_constraints_extension(const PermittedSet& set) {
  ossl::NameConstraints nc(ossl::check(NAME_CONSTRAINTS_new(), "cannot allocate name constraints"));
  nc->permittedSubtrees = ossl::check(sk_GENERAL_SUBTREE_new_null(), "cannot allocate subtrees");
  for (const auto& d : set.domains) push_subtree(nc->permittedSubtrees, GEN_DNS, d);
  for (const auto& r : set.ranges) push_subtree(nc->permittedSubtrees, GEN_IPADD, r.network + r.mask);
  // RFC 5280 4.2.1.10: an email or URI constraint "d" matches host d only, ".d" its subdomains.
  for (const auto& d : set.domains) {
    push_subtree(nc->permittedSubtrees, GEN_EMAIL, d);
    push_subtree(nc->permittedSubtrees, GEN_EMAIL, "." + d);
  }
  for (const auto& d : set.domains) {
    push_subtree(nc->permittedSubtrees, GEN_URI, d);
    push_subtree(nc->permittedSubtrees, GEN_URI, "." + d);
  }
  return ossl::X509Extension(ossl::check(
      X509V3_EXT_i2d(NID_name_constraints, 1, nc.get()), "cannot encode name constraints"));
}

std::optional<PermittedSet> read_name_constraints(X509* ca) {
  ossl::NameConstraints nc(static_cast<NAME_CONSTRAINTS*>(
      X509_get_ext_d2i(ca, NID_name_constraints, nullptr, nullptr)));
  if (!nc || !nc->permittedSubtrees) return std::nullopt;
  PermittedSet set;
  for (int i = 0; i < sk_GENERAL_SUBTREE_num(nc->permittedSubtrees); ++i) {
    GENERAL_NAME* base = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, i)->base;
    if (base->type == GEN_DNS) {
      const ASN1_STRING* s = base->d.dNSName;
      set.domains.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (base->type == GEN_IPADD) {
      const ASN1_STRING* s = base->d.iPAddress;
      std::string raw(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<size_t>(ASN1_STRING_length(s)));
      if (raw.size() == 8 || raw.size() == 32)
        set.ranges.push_back({raw.substr(0, raw.size() / 2), raw.substr(raw.size() / 2)});
    }
  }
  return set;
}

PermittedSet not_covered(const PermittedSet& set, const PermittedSet& wanted) {
  PermittedSet missing;
  for (const auto& d : wanted.domains)
    if (std::none_of(set.domains.begin(), set.domains.end(), [&](const auto& s) { return in_domain(d, s); }))
      missing.domains.push_back(d);
  for (const auto& r : wanted.ranges)
    if (std::none_of(set.ranges.begin(), set.ranges.end(), [&](const IpRange& s) { return within(r, s); }))
      missing.ranges.push_back(r);
  return missing;
}

std::optional<std::string> constraint_violation(const PermittedSet& set, const SubjectName& name) {
  if (name.kind == NameKind::ip) {
    IpRange address{name.ip_bytes, std::string(name.ip_bytes.size(), '\xff')};
    for (const auto& r : set.ranges)
      if (within(address, r)) return std::nullopt;
    std::string list;
    for (const auto& r : set.ranges) list += (list.empty() ? "" : ", ") + r.to_string();
    return name.value + " is outside the CA's permitted IP ranges (" + list + ")";
  }
  std::string_view host = name.value;
  if (name.kind == NameKind::email) host = host.substr(host.rfind('@') + 1);
  for (const auto& d : set.domains)
    if (in_domain(host, d)) return std::nullopt;
  std::string list;
  for (const auto& d : set.domains) list += (list.empty() ? "" : ", ") + d;
  return name.value + " is outside the CA's permitted domains (" + list + ")";
}

}  // namespace devcert::pki
