#include "config/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>  // before toml++, so that assert() keeps this build's meaning
#include <cstdlib>
#include <initializer_list>

// toml++ checks its parser's own state with TOML_ASSERT, and turns some of those checks into
// compiler assumptions when NDEBUG is set (__builtin_assume with clang). Hostile text reaches
// states those checks call impossible (`[.x]`, `a = [}`: found by fuzz_config): an assertion
// build aborts, a clang release build has undefined behaviour. Here both are no-ops, as they
// already are in a g++ release build: toml++ goes on to its own parse error, which is what
// fuzzing (ASan + UBSan, these checks included) and the tests see.
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

#include "error.h"
#include "pki/constraints.h"
#include "pki/container_hosts.h"
#include "pki/keys.h"
#include "pki/leaf_rules.h"
#include "util/fs.h"
#include "util/text.h"

namespace devcert::config {

namespace {

// 10 years is the root's default (pki::RootProfile) and the longest a development root needs.
constexpr int kMaxRootDays = 3650;

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

std::string join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

// Reads one file; every error names SOURCE:LINE:COLUMN of the offending key or value.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {
    dir_ = stdfs::path(source_).parent_path();
  }

  ProjectFile read(const toml::table& root) {
    check_keys(root, "the top level", {"ca", "cert"});
    ProjectFile file;
    file.path = source_;
    if (const toml::node* ca = root.get("ca")) file.ca = read_ca(*ca);
    if (const toml::node* certs = root.get("cert")) {
      const toml::array* list = certs->as_array();
      if (!list) fail(*certs, "cert must be an array of tables, written [[cert]], not " + std::string(type_name(*certs)));
      for (const toml::node& entry : *list) {
        if (!entry.is_table()) fail(entry, "each cert entry must be a table ([[cert]]), not " + std::string(type_name(entry)));
        file.certs.push_back(read_cert(*entry.as_table()));
      }
    }
    return file;
  }

  std::string where(const toml::source_region& at) const {
    return source_ + ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column);
  }

 private:
  // Escaped whole (printable is idempotent): a key, a value or a lower layer's message may quote
  // the file's bytes, and a cloned repository's file must not drive the terminal.
  [[noreturn]] void fail(const toml::source_region& at, const std::string& message, std::string fix = {}) const {
    throw Error(text::printable(where(at) + ": " + message), text::printable(fix));
  }
  [[noreturn]] void fail(const toml::node& at, const std::string& message, std::string fix = {}) const {
    fail(at.source(), message, std::move(fix));
  }

  void check_keys(const toml::table& table, std::string_view section,
                  std::initializer_list<std::string_view> allowed) const {
    for (auto&& [key, value] : table) {
      bool known = false;
      for (auto a : allowed) known = known || key.str() == a;
      if (!known)
        fail(key.source(), "unknown key '" + std::string(key.str()) + "' in " + std::string(section),
             "the keys there are: " + join(allowed));
    }
  }

  std::string string_of(const toml::node& node, std::string_view key) const {
    if (!node.is_string()) fail(node, std::string(key) + " must be a string, not " + std::string(type_name(node)));
    return node.as_string()->get();
  }

  std::vector<std::string> strings_of(const toml::node& node, std::string_view key) const {
    const toml::array* list = node.as_array();
    if (!list) fail(node, std::string(key) + " must be an array of strings, not " + std::string(type_name(node)));
    std::vector<std::string> out;
    for (const toml::node& item : *list) out.push_back(string_of(item, std::string(key) + " entries"));
    return out;
  }

  // Runs a pki check on a value; its error (and fix) gains the value's position.
  template <typename Check>
  void checked(const toml::node& node, Check&& check) const {
    try {
      check();
    } catch (const Error& e) {
      fail(node, e.what(), e.fix());
    }
  }

  std::string key_type_of(const toml::node& node) const {
    std::string text = string_of(node, "key_type");
    checked(node, [&] { pki::parse_key_type(text); });
    return text;
  }

  int64_t days_of(const toml::node& node) const {
    if (!node.is_integer()) fail(node, "days must be an integer, not " + std::string(type_name(node)));
    return node.as_integer()->get();
  }

  int root_days_of(const toml::node& node) const {
    int64_t days = days_of(node);
    if (days < 1 || days > kMaxRootDays)
      fail(node, "days must be between 1 and " + std::to_string(kMaxRootDays) + " (10 years at most), not " +
                     std::to_string(days));
    return static_cast<int>(days);
  }

  int leaf_days_of(const toml::node& node) const {
    int64_t days = days_of(node);
    try {
      return pki::leaf_days(days);
    } catch (const pki::LeafDaysError& e) {
      fail(node, "days must be " + e.allowed() + ", not " + std::to_string(e.days()));
    }
  }

  CaSettings read_ca(const toml::node& node) const {
    const toml::table* table = node.as_table();
    if (!table) fail(node, "ca must be a table ([ca]), not " + std::string(type_name(node)));
    check_keys(*table, "[ca]", {"key_type", "days", "permit"});
    CaSettings ca;
    if (const toml::node* n = table->get("key_type")) ca.key_type = key_type_of(*n);
    if (const toml::node* n = table->get("days")) ca.days = root_days_of(*n);
    if (const toml::node* n = table->get("permit")) {
      ca.permit = strings_of(*n, "permit");
      pki::PermittedSet scratch = pki::default_permitted();  // as init adds them, to count the same
      for (size_t i = 0; i < ca.permit.size(); ++i)
        checked(*n->as_array()->get(i), [&] { pki::add_permit(scratch, ca.permit[i]); });
    }
    return ca;
  }

  stdfs::path path_of(const toml::node& node, std::string_view key) const {
    std::string text = string_of(node, key);
    stdfs::path path(text);
    std::string fix = "a path relative to the directory of " + text::printable(source_) + ", e.g. certs/dev.pem";
    if (text.empty() || text.find('\0') != std::string::npos || !path.has_filename() ||
        path.filename() == "." || path.filename() == "..")
      fail(node, std::string(key) + " must name a file, not '" + text::printable(text) + "'", fix);
    // A project file is untrusted input (it comes with a clone): it writes only inside its project.
    if (path.has_root_path())
      fail(node, std::string(key) + " '" + text::printable(text) + "' is absolute; a project file writes only inside "
                 "its project", fix);
    if (stdfs::path inside = path.lexically_normal(); inside.empty() || *inside.begin() == "..")
      fail(node, std::string(key) + " '" + text::printable(text) + "' leads out of the project directory; a project "
                 "file writes only inside its project", fix);
    return dir_ / path;
  }

  std::string named_by(const toml::table& entry, std::string_view key) const {
    const toml::node* node = entry.get(key);
    return where(node ? node->source() : entry.source()) + ": " + std::string(key);
  }

  CertEntry read_cert(const toml::table& table) const {
    check_keys(table, "[[cert]]", {"names", "key_type", "days", "client", "for_containers", "cert", "key", "p12"});
    CertEntry entry;
    entry.where = where(table.source());
    const toml::node* names = table.get("names");
    if (!names)
      fail(table.source(), "this [[cert]] has no names", "add names = [\"localhost\", \"127.0.0.1\", \"::1\"]");
    std::vector<std::string> inputs = strings_of(*names, "names");
    if (inputs.empty()) fail(*names, "names is empty", "list at least one name: names = [\"localhost\"]");
    try {
      entry.names = pki::parse_subject_names(inputs);
    } catch (const pki::SubjectNameError& e) {
      fail(*names->as_array()->get(e.index()), e.what(), e.fix());
    }
    // Two fixed names under `internal`, inside the default constraints: a cloned repository gains
    // nothing it could not already list in names.
    entry.names_for_containers = pki::parse_subject_names(pki::with_container_hosts(inputs));
    if (const toml::node* n = table.get("for_containers")) {
      if (!n->is_boolean()) fail(*n, "for_containers must be true or false, not " + std::string(type_name(*n)));
      if (n->as_boolean()->get()) entry.names = entry.names_for_containers;
    }
    if (const toml::node* n = table.get("key_type")) entry.key_type = key_type_of(*n);
    if (const toml::node* n = table.get("days")) entry.days = leaf_days_of(*n);
    if (const toml::node* n = table.get("client")) {
      if (!n->is_boolean()) fail(*n, "client must be true or false, not " + std::string(type_name(*n)));
      entry.client = n->as_boolean()->get();
    }
    pki::LeafFileNames defaults = pki::default_leaf_files(entry.names);
    const toml::node* cert = table.get("cert");
    const toml::node* key = table.get("key");
    const toml::node* p12 = table.get("p12");
    entry.cert = cert ? path_of(*cert, "cert") : dir_ / defaults.cert;
    entry.key = key ? path_of(*key, "key") : dir_ / defaults.key;
    entry.default_cert = !cert;
    entry.default_key = !key;
    if (p12) entry.p12 = path_of(*p12, "p12");
    entry.cert_named_by = named_by(table, "cert");
    entry.key_named_by = named_by(table, "key");
    entry.p12_named_by = named_by(table, "p12");
    return entry;
  }

  std::string source_;
  stdfs::path dir_;
};

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable, undefined behaviour, whenever it asks
// whether a character in U+00A1..U+0499 or U+FB26..U+FEFE is whitespace: its generated
// is_non_ascii_horizontal_whitespace has no switch case for those blocks (marzer/tomlplusplus
// issues 190 and 295, fixed upstream by PR 305, not in Debian 12). It asks that of
//   - a character outside strings and comments (where TOML allows only ASCII anyway),
//   - the first character after a line-ending backslash in a """ string,
//   - and of anything at all while parse_value scans a malformed value ahead for up to 127
//     characters, over quotes, to its end (parser.inl, parse_value's scan(): `key = -"b\u00FCcher"`).
// parse() therefore refuses the first two here, with their position, and lets toml++ read the
// text only once toml++ has accepted an all-ASCII copy of it (see parse()). NUL is refused too:
// toml++ reads it as the end of a string.
//
// Tied to the versions known to need it: 3.4.0, the last release before PR 305, still lacks
// the fix. A newer toml++ stops the build here; then check whether it has that fix. If it has,
// parse() may hand toml++ the text as it is (no all-ASCII first pass; of stray_non_ascii, only
// the NUL check is still needed). Either way, run the FuzzRegression tests under
// scripts/sanitize.sh (UBSan reports the unreachable) before raising the bound.
static_assert(TOML_LIB_MAJOR * 10000 + TOML_LIB_MINOR * 100 + TOML_LIB_PATCH <= 30400,
              "toml++ newer than 3.4.0: re-check the work-around above parse() in config.cpp");

// Returns the offset of the first byte that is not part of valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included), as toml++'s own decoder would reject it.
std::optional<size_t> invalid_utf8(std::string_view t) {
  for (size_t i = 0; i < t.size();) {
    auto b = [&](size_t k) { return i + k < t.size() ? static_cast<unsigned char>(t[i + k]) : 0u; };
    unsigned lead = b(0);
    size_t length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
    if (length == 0) return i;
    // The second byte's range excludes overlong forms, surrogates and values past U+10FFFF.
    unsigned low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
    unsigned high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
    for (size_t k = 1; k < length; ++k)
      if (b(k) < (k == 1 ? low : 0x80) || b(k) > (k == 1 ? high : 0xBF)) return i;
    i += length;
  }
  return std::nullopt;
}

// The text with each non-ASCII character (valid UTF-8) replaced by one '?': same lines, same
// columns (toml++ counts characters), and '?' is valid in strings and comments but nowhere else.
// A byte order mark, which toml++ skips, is dropped.
std::string ascii_stand_in(std::string_view t) {
  if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
  std::string out;
  out.reserve(t.size());
  for (char c : t) {
    if (!(c & 0x80)) out += c;
    else if ((c & 0xC0) == 0xC0) out += '?';  // a lead byte; its continuation bytes are dropped
  }
  return out;
}

// Returns the offset of a non-ASCII character outside strings and comments, or after a
// line-ending backslash in a """ string, or of a NUL byte.
std::optional<size_t> stray_non_ascii(std::string_view t) {
  size_t i = t.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark is allowed
  auto at = [&](std::string_view s) { return t.substr(i).starts_with(s); };
  while (i < t.size()) {
    char c = t[i];
    if (c == '#') {
      i = t.find('\n', i);
    } else if (at(R"(""")") || at("'''")) {
      std::string_view quotes = t.substr(i, 3);
      for (i += 3; i < t.size() && !at(quotes) && t[i] != '\0'; ++i) {
        if (c != '"' || t[i] != '\\') continue;
        // toml++ asks whether what follows a backslash is whitespace (a line-ending backslash).
        size_t next = t.find_first_not_of(" \t\r\n", i + 1);
        if (next != std::string_view::npos && (t[next] & 0x80)) return next;
        ++i;  // the escaped character
      }
      i = t.find_first_not_of(c, i);  // """ may close after one or two quotes of the content
    } else if (c == '"' || c == '\'') {
      for (++i; i < t.size() && t[i] != c && t[i] != '\n' && t[i] != '\0'; ++i)
        if (c == '"' && t[i] == '\\' && ++i < t.size() && (t[i] & 0x80)) return i;
      if (i < t.size() && t[i] == c) ++i;
    } else if ((c & 0x80) || c == '\0') {  // toml++ reads NUL as the end of a string
      return i;
    } else {
      ++i;
    }
  }
  return std::nullopt;
}

// "SOURCE:LINE:COLUMN" of a byte offset, the column in characters as toml++ counts them.
std::string position(std::string_view text, const std::string& source, size_t offset) {
  std::string_view before = text.substr(0, offset);
  size_t line_start = before.rfind('\n') + 1;  // npos + 1 == 0 on the first line
  size_t column = 1;
  for (char c : before.substr(line_start)) column += (c & 0xC0) != 0x80;
  return source + ":" + std::to_string(std::count(before.begin(), before.end(), '\n') + 1) + ":" +
         std::to_string(column);
}

}  // namespace

ProjectFile parse(std::string_view text, std::string source) {
  Reader reader(source);
  if (std::optional<size_t> at = invalid_utf8(text))
    throw Error(position(text, source, *at) + ": not valid UTF-8", "save the file as UTF-8");
  if (std::optional<size_t> at = stray_non_ascii(text))
    throw Error(position(text, source, *at) + ": a non-ASCII character outside a string or comment, or a NUL byte",
                "put it inside quotes, or remove it");
  toml::table root;
  try {
    // toml++ first reads an all-ASCII copy, so a malformed value cannot lead it to a character it
    // mis-classifies; its errors keep their line and column (a '?' stands for the character).
    // Only a text that it accepted, whose non-ASCII characters therefore all sit inside strings
    // and comments, where toml++ never classifies them, is read as it is.
    bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return !(c & 0x80); });
    std::string stand_in = ascii ? std::string() : ascii_stand_in(text);
    root = toml::parse(ascii ? text : std::string_view(stand_in), source);
    if (!ascii) root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw Error(text::printable(reader.where(e.source()) + ": " + std::string(e.description())),
                "see the commented sample: devcert init --write-config (in an empty directory)");
  }
  return reader.read(root);
}

ProjectFile load(const stdfs::path& path) { return parse(fs::read_file(path), path.string()); }

std::optional<stdfs::path> find_project_file(const stdfs::path& start, const std::optional<stdfs::path>& home) {
  std::error_code ec;
  stdfs::path stop = home ? stdfs::weakly_canonical(*home, ec) : stdfs::path();
  for (stdfs::path dir = stdfs::weakly_canonical(start, ec);; dir = dir.parent_path()) {
    if (stdfs::exists(dir / kFileName, ec)) return dir / kFileName;
    bool repository_root = stdfs::exists(dir / ".git", ec);
    if (repository_root || (home && dir == stop) || dir == dir.parent_path()) return std::nullopt;
  }
}

namespace {

// A project file says where devcert writes, so, as git's safe.directory and ssh's StrictModes
// do, one that another user owns or may change is not used: a devcert.toml in a shared /tmp
// above the working directory would otherwise be picked up silently.
void check_ownership(const stdfs::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return;  // load() reports what is wrong with it
  std::string shown = text::printable(path.string());
  if (st.st_uid != ::geteuid() && st.st_uid != 0)
    throw Error(shown + " is owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " +
                    std::to_string(::geteuid()) + "); a project file another user controls is not used",
                "if it is yours: chown " + std::to_string(::geteuid()) + " " + shown +
                    "; else give your own file with --config FILE");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw Error(shown + " is writable by " + ((st.st_mode & S_IWOTH) ? "others" : "its group") +
                    "; a project file another user can change is not used",
                "chmod go-w " + shown);
}

}  // namespace

std::optional<ProjectFile> load_for_command(const std::string& config_option, const stdfs::path& home) {
  if (!config_option.empty()) {
    stdfs::path path = stdfs::absolute(config_option);
    if (!stdfs::is_regular_file(path))
      throw UsageError("--config " + config_option + ": no such file",
                       "write a sample with: devcert init --write-config");
    check_ownership(path);
    return load(path);
  }
  auto found = find_project_file(stdfs::current_path(),
                                 home.empty() ? std::nullopt : std::optional<stdfs::path>(home));
  if (!found) return std::nullopt;
  check_ownership(*found);
  return load(*found);
}

}  // namespace devcert::config
