#include "pki/names.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "error.h"
#include "util/text.h"

namespace devcert::pki {
namespace {

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x80; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> split_labels(std::string_view host) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels;
}

[[noreturn]] void reject(std::string_view input, const std::string& why, std::string fix = {}) {
  throw NameError("invalid name '" + text::printable(input) + "': " + why, std::move(fix));
}

// A string libidn2 allocated, freed however the scope ends (building a std::string may throw).
struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};
using IdnString = std::unique_ptr<char, IdnFree>;

// IDNA2008, non-transitional (as browsers resolve), input normalised to NFC first; the error
// as libidn2 words it when `unicode` is not a valid international name.
std::string to_ascii(std::string_view unicode, int* rc) {
  char* out = nullptr;
  std::string owned(unicode);
  *rc = idn2_to_ascii_8z(owned.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  IdnString held(out);
  return *rc == IDN2_OK && out ? std::string(out) : std::string();
}

// An "xn--" label stands for the Unicode it decodes to: it is accepted only when it decodes and
// that Unicode, typed as such, would give this very label (so no undecodable, disallowed or
// non-canonical A-label reaches a certificate that browsers would then refuse to match).
void check_a_label(std::string_view input, std::string_view label) {
  std::string owned(label);
  char* unicode = nullptr;
  int rc = idn2_to_unicode_8z8z(owned.c_str(), &unicode, 0);
  IdnString held(unicode);
  std::string decoded = rc == IDN2_OK && unicode ? unicode : "";
  if (rc != IDN2_OK)
    reject(input, "'" + owned + "' is not valid punycode (" + idn2_strerror(rc) + ")");
  std::string again = to_ascii(decoded, &rc);
  if (rc != IDN2_OK)
    reject(input, "'" + owned + "' decodes to '" + text::printable(decoded) +
                      "', not a valid international domain name (" + idn2_strerror(rc) + ")");
  if (again != owned)
    reject(input, "'" + owned + "' is not the canonical punycode of '" + text::printable(decoded) + "'",
           "use " + again);
}

// RFC 1035/1123 host name rules on the ASCII (punycode) form.
std::string validate_hostname(std::string_view input, std::string_view host) {
  std::string ascii;
  if (is_ascii(host)) {
    ascii = lower(host);
  } else {
    int rc = IDN2_OK;
    ascii = to_ascii(host, &rc);
    if (rc != IDN2_OK) reject(input, std::string("not a valid international domain name (") +
                                         idn2_strerror(rc) + ")");
  }
  if (ascii.size() > 253) reject(input, "longer than 253 characters");
  auto labels = split_labels(ascii);
  for (std::string_view label : labels) {
    if (label.empty()) reject(input, "empty label (two dots in a row, or a leading dot)");
    if (label.size() > 63) reject(input, "a label is longer than 63 characters");
    if (label.front() == '-' || label.back() == '-')
      reject(input, "a label starts or ends with '-'");
    for (char c : label) {
      if (c == '_')
        reject(input, "'_' is not allowed in host names (browsers reject it in certificates)");
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        reject(input, std::string("character '") + c + "' is not allowed in a host name");
    }
    if (label.starts_with("xn--")) check_a_label(input, label);
  }
  // "1.2.3" or "300.1.1.1": a mistyped IP address, not a host name.
  if (std::all_of(labels.back().begin(), labels.back().end(),
                  [](unsigned char c) { return std::isdigit(c); }))
    reject(input, "looks like an IP address but is not a valid one");
  return ascii;
}

const psl_ctx_t* public_suffixes() {
  // The distribution's list when installed (fresher), else the one built into libpsl.
  static const psl_ctx_t* ctx = [] {
    psl_ctx_t* latest = psl_latest(nullptr);
    return latest ? static_cast<const psl_ctx_t*>(latest) : psl_builtin();
  }();
  return ctx;
}

std::optional<std::string> parse_ip(std::string_view text) {
  std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1)
    return std::string(reinterpret_cast<char*>(buf), 16);
  return std::nullopt;
}

// RFC 5321 4.1.2 Dot-string (RFC 5322 dot-atom): atext runs joined by single dots, at most 64
// octets (4.5.3.1.1). Quoted local parts are refused: clients and mail tools disagree on them.
void check_mailbox(std::string_view input, std::string_view local) {
  constexpr std::string_view kAtextSymbols = "!#$%&'*+-/=?^_`{|}~";
  if (local.size() > 64) reject(input, "the mailbox before '@' is longer than 64 characters");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    reject(input, "a mailbox cannot start or end with '.' or have two in a row");
  for (char c : local)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && kAtextSymbols.find(c) == std::string_view::npos)
      reject(input, std::string("character '") + c + "' is not allowed in a mailbox (RFC 5321 dot-atom)");
}

SubjectName classify_email(std::string_view input) {
  size_t at = input.rfind('@');
  std::string_view local = input.substr(0, at);
  std::string_view domain = input.substr(at + 1);
  if (local.empty()) reject(input, "an email address needs a mailbox before '@'");
  if (domain.empty()) reject(input, "an email address needs a domain after '@'");
  if (!is_ascii(local))
    reject(input, "mailbox names beyond ASCII (SmtpUTF8Mailbox) are not supported");
  if (local.find('@') != std::string_view::npos) reject(input, "more than one '@'");
  check_mailbox(input, local);
  if (domain.find('*') != std::string_view::npos) reject(input, "wildcards are not allowed in email addresses");
  std::string value = std::string(local) + "@" + validate_hostname(input, domain);
  return {NameKind::email, value, std::string(input), {}, false};
}

}  // namespace

std::string_view kind_name(NameKind kind) {
  switch (kind) {
    case NameKind::dns: return "dns";
    case NameKind::ip: return "ip";
    case NameKind::email: return "email";
  }
  return "?";
}

bool is_public_suffix(std::string_view domain) {
  return psl_is_public_suffix(public_suffixes(), std::string(domain).c_str()) != 0;
}

std::string ip_to_string(std::string_view bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  int family = bytes.size() == 4 ? AF_INET : AF_INET6;
  if (bytes.size() != 4 && bytes.size() != 16) return "?";
  inet_ntop(family, bytes.data(), buf, sizeof buf);
  return buf;
}

SubjectName classify_name(std::string_view input) {
  if (input.empty()) reject(input, "the name is empty");
  for (char c : input) {
    if (std::isspace(static_cast<unsigned char>(c)))
      reject(input, "names cannot contain spaces or other white space");
    if (std::iscntrl(static_cast<unsigned char>(c))) reject(input, "names cannot contain control characters");
  }
  if (size_t scheme = input.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = input.substr(scheme + 3);
    std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.find(']') - 1);
    else host = host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':'));
    reject(input, "this is a URL, not a certificate name",
           "use its host part: devcert issue " + std::string(host));
  }
  if (input == "*") reject(input, "a bare '*' matches nothing", "name a domain: devcert issue '*.example.test'");

  std::string_view text = input;
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.find('%') != std::string_view::npos && parse_ip(text.substr(0, text.find('%'))))
    reject(input, "IPv6 zone ids (%eth0) cannot appear in a certificate",
           "use the address alone: devcert issue " + std::string(text.substr(0, text.find('%'))));
  if (auto ip = parse_ip(text)) return {NameKind::ip, ip_to_string(*ip), std::string(input), *ip, false};

  // host:port or [v6]:port
  size_t colon = input.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view host = input.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    reject(input, "ports are not part of certificate names",
           "a certificate covers every port: devcert issue " + std::string(host));
  }
  if (input.find('@') != std::string_view::npos) return classify_email(input);

  std::string_view host = input;
  if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);  // FQDN form: same name
  bool wildcard = host.starts_with("*.");
  std::string_view base = wildcard ? host.substr(2) : host;
  if (base.find('*') != std::string_view::npos)
    reject(input, "a wildcard may only be the whole leftmost label, as in *.example.test");
  std::string ascii = validate_hostname(input, base);
  if (wildcard) {
    // Browsers refuse wildcards that span a whole top-level or public suffix (*.com, *.co.uk).
    if (ascii.find('.') == std::string::npos)
      reject(input, "a wildcard directly under a top-level domain is refused by browsers",
             "add a label: devcert issue '*.app." + ascii + "'");
    if (is_public_suffix(ascii))
      reject(input, "'" + ascii + "' is a public suffix; a wildcard over it is refused by browsers");
    ascii = "*." + ascii;
  }
  return {NameKind::dns, ascii, std::string(input), {}, wildcard};
}

std::string wildcard_coverage(const SubjectName& wildcard) {
  std::string base = wildcard.value.substr(2);
  return wildcard.value + " covers exactly one level: a." + base + ", not " + base + " nor x.a." + base;
}

}  // namespace devcert::pki
