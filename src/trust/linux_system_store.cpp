#include "trust/linux_system_store.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "error.h"
#include "trust/java_keystore.h"
#include "util/fs.h"

namespace devcert::trust {
namespace {

std::string strip_ws(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') out += c;
  return out;
}

// The base64 body of a PEM certificate, whitespace removed: how it appears in any bundle.
std::string pem_body(const std::string& pem) {
  auto begin = pem.find('\n');
  auto end = pem.find("-----END");
  if (begin == std::string::npos || end == std::string::npos) return {};
  return strip_ws(std::string_view(pem).substr(begin, end - begin));
}

// ID first, then each ID_LIKE word: os-release(5).
std::vector<std::string> os_release_id_list(std::string_view text) {
  std::vector<std::string> ids;
  std::istringstream in{std::string(text)};
  std::string line, id, like;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
      value = value.substr(1, value.size() - 2);
    if (key == "ID") id = value;
    if (key == "ID_LIKE") like = value;
  }
  if (!id.empty()) ids.push_back(id);
  std::istringstream words(like);
  for (std::string w; words >> w;) ids.push_back(w);
  return ids;
}

std::vector<std::string> os_release_ids(const stdfs::path& root) {
  for (const char* file : {"etc/os-release", "usr/lib/os-release"})
    if (stdfs::is_regular_file(root / file)) return os_release_id_list(fs::read_file(root / file));
  return {};
}

}  // namespace

// Paths and commands: each distribution's update-ca-certificates(8) / update-ca-trust(8) /
// trust(1) man page; the same table as mkcert's truststore_linux.go.
const std::vector<LinuxLayout>& linux_layouts() {
  static const std::vector<LinuxLayout> layouts{
      {"Debian/Ubuntu", {"debian", "ubuntu", "linuxmint", "pop", "raspbian", "kali"},
       "/usr/local/share/ca-certificates", ".crt", {"update-ca-certificates"},
       "/etc/ssl/certs/ca-certificates.crt", "sudo apt-get install ca-certificates",
       "/etc/ssl/certs", "/etc/ssl/certs/java/cacerts",
       "apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*"},
      {"Alpine", {"alpine"}, "/usr/local/share/ca-certificates", ".crt",
       {"update-ca-certificates"}, "/etc/ssl/certs/ca-certificates.crt",
       "sudo apk add ca-certificates", "/etc/ssl/certs", {}, "apk add --no-cache ca-certificates"},
      {"Fedora/RHEL", {"fedora", "rhel", "centos", "rocky", "almalinux", "amzn", "ol"},
       "/etc/pki/ca-trust/source/anchors", ".pem", {"update-ca-trust", "extract"},
       "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "sudo dnf install ca-certificates", {}, {},
       "dnf install -y ca-certificates && dnf clean all"},
      {"Arch", {"arch", "manjaro", "endeavouros"}, "/etc/ca-certificates/trust-source/anchors",
       ".crt", {"trust", "extract-compat"}, "/etc/ssl/certs/ca-certificates.crt",
       "sudo pacman -S p11-kit ca-certificates", {}, {},
       "pacman -Sy --noconfirm p11-kit ca-certificates"},
      {"openSUSE", {"opensuse", "opensuse-leap", "opensuse-tumbleweed", "sles", "suse"},
       "/etc/pki/trust/anchors", ".pem", {"update-ca-certificates"},
       "/var/lib/ca-certificates/ca-bundle.pem", "sudo zypper install ca-certificates", {}, {},
       "zypper --non-interactive install ca-certificates"},
  };
  return layouts;
}

std::optional<LinuxLayout> layout_with_id(std::string_view id) {
  for (const auto& layout : linux_layouts())
    for (const auto& known : layout.ids)
      if (id == known) return layout;
  return std::nullopt;
}

std::optional<LinuxLayout> layout_from_os_release(std::string_view os_release) {
  for (const auto& id : os_release_id_list(os_release))
    if (auto layout = layout_with_id(id)) return layout;
  return std::nullopt;
}

bool bundle_holds(std::string_view bundle_text, const CaCertificate& ca) {
  std::string body = pem_body(ca.pem);
  return !body.empty() && strip_ws(bundle_text).find(body) != std::string::npos;
}

std::optional<LinuxLayout> detect_linux_layout(const stdfs::path& root) {
  for (const auto& id : os_release_ids(root))
    if (auto layout = layout_with_id(id)) return layout;
  std::error_code ec;
  for (const auto& layout : linux_layouts())
    if (stdfs::is_directory(root / layout.anchors_dir.relative_path(), ec)) return layout;
  return std::nullopt;
}

LinuxSystemStore::LinuxSystemStore(process::CommandRunner& runner, LinuxSystemOptions options)
    : runner_(runner), options_(std::move(options)) {
  if (!options_.layout) options_.layout = detect_linux_layout(options_.root);
}

std::string LinuxSystemStore::where() {
  if (!options_.layout) return "unknown Linux distribution";
  return rooted(options_.layout->anchors_dir).string() + " (" + options_.layout->family + ")";
}

std::vector<StoreLocation> LinuxSystemStore::locations(const CaCertificate& ca) {
  return {{options_.layout->family + " anchors", rooted(options_.layout->anchors_dir), true, contains(ca)}};
}

stdfs::path LinuxSystemStore::anchor_path(const CaCertificate& ca) const {
  return rooted(options_.layout->anchors_dir) / (ca.name + options_.layout->extension);
}

std::optional<stdfs::path> LinuxSystemStore::bundle_path() const {
  if (!options_.layout) return std::nullopt;
  return rooted(options_.layout->bundle);
}

Availability LinuxSystemStore::availability() {
  if (!options_.layout)
    return Availability::no("no known system trust store layout (no /etc/os-release ID devcert "
                            "knows, and none of the anchor directories exists)",
                            "trust rootCA.pem by hand with your distribution's tool");
  const auto& tool = options_.layout->update_argv.front();
  if (!runner_.find_program(tool))
    return Availability::no(tool + " not found", options_.layout->install_hint);
  return Availability::yes();
}

bool LinuxSystemStore::contains(const CaCertificate& ca) {
  if (!options_.layout) return false;
  std::error_code ec;
  stdfs::path anchor = anchor_path(ca);
  if (!stdfs::exists(anchor, ec)) return false;
  std::string text;
  try {
    text = fs::read_file(anchor);
  } catch (const Error&) {
    return false;
  }
  if (!ca.matches_pem(text)) return false;
  // An anchor that the update never turned into the bundle is not trusted yet.
  auto bundle = bundle_path();
  if (bundle && stdfs::exists(*bundle, ec)) {
    try {
      return bundle_holds(fs::read_file(*bundle, fs::kBundleLimit), ca);
    } catch (const Error&) {
      return true;  // unreadable bundle: the anchor is what we can see
    }
  }
  return true;
}

std::vector<std::string> LinuxSystemStore::privileged(std::vector<std::string> argv) const {
  if (!options_.is_root) argv.insert(argv.begin(), "sudo");
  return argv;
}

void LinuxSystemStore::run_privileged(std::vector<std::string> argv, const std::string& input,
                                      const std::string& what) {
  std::string fix = !options_.is_root && !as_root_.empty() ? "run devcert as root: " + as_root_
                                                          : "run as root: " + process::display(argv);
  if (!options_.is_root && !runner_.find_program("sudo"))
    throw Error("cannot " + what + ": not root, and sudo is not installed", fix);
  auto result = runner_.run({privileged(argv), {}, input});
  if (!result.ok()) throw Error("cannot " + what + ": " + tool_message(result.err, result.out), fix);
}

void LinuxSystemStore::run_update() {
  run_privileged(options_.layout->update_argv, {},
                 "update the system store (" + options_.layout->update_argv.front() + ")");
}

// The CAROOT goes along: root's own default CAROOT is another directory.
static std::string devcert_as_root(const CaCertificate& ca, const std::string& command) {
  return process::display({"sudo", "DEVCERT_CAROOT=" + stdfs::absolute(ca.file).parent_path().string(), "devcert",
                           command, "--store", "system"});
}

void LinuxSystemStore::install(const CaCertificate& ca) {
  if (!options_.layout) throw Error(availability().why, availability().fix);
  as_root_ = devcert_as_root(ca, "install");
  stdfs::path anchor = anchor_path(ca);
  if (options_.is_root) {
    fs::ensure_directory(anchor.parent_path(), 0755);
    // 0644: the update tool and every client read anchors as any user.
    fs::write_file_atomic(anchor, ca.pem, 0644);
  } else {
    run_privileged({"mkdir", "-p", anchor.parent_path().string()}, {},
                   "create " + anchor.parent_path().string());
    // tee through sudo: the certificate travels on stdin, never through a shell.
    run_privileged({"tee", anchor.string()}, ca.pem, "write " + anchor.string());
  }
  run_update();
}

void LinuxSystemStore::uninstall(const CaCertificate& ca) {
  if (!options_.layout) return;
  as_root_ = devcert_as_root(ca, "uninstall");
  stdfs::path anchor = anchor_path(ca);
  std::error_code ec;
  if (!stdfs::exists(anchor, ec)) return;
  if (options_.is_root) {
    if (!stdfs::remove(anchor, ec) && ec)
      throw Error("cannot remove " + anchor.string() + ": " + ec.message());
  } else {
    run_privileged({"rm", "-f", anchor.string()}, {}, "remove " + anchor.string());
  }
  remove_links(ca);
  run_update();
  remove_java_copy(ca);
}

// Debian's update-ca-certificates (without --fresh) never removes the links of a deleted local
// anchor: /etc/ssl/certs/NAME.pem and its OpenSSL hash link would dangle, and the next rehash
// fails on them. --fresh would also make ca-certificates-java rebuild the JDK's cacerts from
// scratch, dropping entries others added, so remove exactly our two links instead.
void LinuxSystemStore::remove_links(const CaCertificate& ca) {
  if (options_.layout->links_dir.empty()) return;
  stdfs::path dir = rooted(options_.layout->links_dir);
  std::string ours = ca.name + ".pem";
  std::vector<std::string> links;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    if (!entry.is_symlink(ec)) continue;
    auto target = stdfs::read_symlink(entry.path(), ec);
    if (entry.path().filename() == ours || target == ours)
      links.push_back(entry.path().string());
  }
  if (links.empty()) return;
  if (options_.is_root) {
    for (const auto& link : links) stdfs::remove(link, ec);
  } else {
    std::vector<std::string> argv{"rm", "-f"};
    argv.insert(argv.end(), links.begin(), links.end());
    run_privileged(argv, {}, "remove the links to " + ours + " in " + dir.string());
  }
}

}  // namespace devcert::trust

namespace devcert::trust {

// On install, Debian's ca-certificates-java hook copies our anchor into Java's cacerts as
// "debian:NAME.pem". On removal update-ca-certificates tells its hooks nothing (it reports only
// certificates disabled in ca-certificates.conf), so Java would go on trusting the root: remove
// exactly that alias. A JKS keystore devcert may write is edited directly (the other entries kept
// byte for byte); keytool, a JVM that takes longer than the rest of uninstall, starts only for
// another format or through sudo.
void LinuxSystemStore::remove_java_copy(const CaCertificate& ca) {
  if (options_.layout->java_cacerts.empty()) return;
  stdfs::path cacerts = rooted(options_.layout->java_cacerts);
  std::error_code ec;
  if (!stdfs::exists(cacerts, ec)) return;
  const std::string alias = "debian:" + ca.name + ".pem";
  std::optional<bool> present;
  try {
    std::string bytes = fs::read_file(cacerts, fs::kBundleLimit);
    if (auto entries = read_jks(bytes)) present = holds_alias(*entries, alias);
    if (present == true && !stdfs::is_symlink(cacerts, ec) && ::access(cacerts.c_str(), W_OK) == 0) {
      if (auto edited = jks_without_alias(bytes, alias, kCacertsPassword)) {
        fs::write_file_atomic(cacerts, *edited, fs::file_mode(cacerts).value_or(0644));
        return;
      }
    }
  } catch (const Error&) {
    // unreadable as this user: keytool through sudo decides below
  }
  if (present == false) return;
  auto keytool = runner_.find_program("keytool");
  if (!keytool)
    throw Error("cannot remove " + alias + " from " + cacerts.string() + ": keytool not found",
                "sudo apt-get install default-jre-headless, then rerun 'devcert uninstall --store system'");
  std::vector<std::string> argv{keytool->string(), "-delete", "-alias", alias, "-keystore",
                                cacerts.string(), "-storepass", kCacertsPassword};
  if (!present) {
    auto listed = runner_.run({privileged({keytool->string(), "-list", "-alias", alias, "-keystore",
                                           cacerts.string(), "-storepass", kCacertsPassword})});
    if (!listed.ok()) return;
  }
  run_privileged(argv, {}, "remove " + alias + " from " + cacerts.string());
}

}  // namespace devcert::trust
