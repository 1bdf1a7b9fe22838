#include "trust/java_store.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "error.h"
#include "trust/java_keystore.h"
#include "util/fs.h"

namespace devcert::trust {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

std::optional<JavaLocation> JavaStore::locate() {
  stdfs::path home = options_.java_home;
  std::error_code ec;
  if (home.empty()) {
    auto java = runner_.find_program("java");
    if (!java) return std::nullopt;
    // /usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/X/bin/java: X is the home.
    home = stdfs::canonical(*java, ec).parent_path().parent_path();
    if (ec) return std::nullopt;
  }
  JavaLocation loc{home, home / "lib/security/cacerts", {}};
  if (!stdfs::exists(loc.cacerts, ec) && stdfs::exists(home / "jre/lib/security/cacerts", ec))
    loc.cacerts = home / "jre/lib/security/cacerts";  // Java 8 layout
  if (::access((home / "bin/keytool").c_str(), X_OK) == 0) loc.keytool = (home / "bin/keytool").string();
  else if (auto k = runner_.find_program("keytool")) loc.keytool = k->string();
  return loc;
}

std::string JavaStore::where() {
  auto loc = locate();
  return loc ? loc.value().cacerts.string() : "no Java found";
}

Availability JavaStore::availability() {
  auto loc = locate();
  const std::string fix = "set JAVA_HOME to a JDK, or: sudo apt-get install default-jdk-headless";
  if (!loc) return Availability::no("no Java: JAVA_HOME is unset and java is not on PATH", fix);
  std::error_code ec;
  if (!stdfs::exists(loc->cacerts, ec))
    return Availability::no("no cacerts in " + loc->home.string(), fix);
  if (loc->keytool.empty()) return Availability::no("keytool not found in " + loc->home.string(), fix);
  return Availability::yes();
}

std::vector<std::string> JavaStore::keytool_argv(std::vector<std::string> args) {
  auto loc = locate();
  std::vector<std::string> argv{loc->keytool};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"-keystore", loc->cacerts.string(), "-storepass", kCacertsPassword});
  if (!options_.is_root && ::access(loc->cacerts.c_str(), W_OK) != 0 &&
      args.front() != "-list")
    argv.insert(argv.begin(), "sudo");
  return argv;
}

std::optional<std::vector<KeystoreEntry>> JavaStore::read_entries() {
  try {
    return read_jks(fs::read_file(locate()->cacerts));
  } catch (const Error&) {
    return std::nullopt;  // unreadable here: keytool (through sudo if need be) decides
  }
}

bool JavaStore::contains(const CaCertificate& ca) {
  if (!availability().available) return false;
  // Any entry with our fingerprint counts: Debian's update-ca-certificates hook copies system
  // anchors into the JDK's cacerts under its own alias. A JKS file is read directly: starting
  // a JVM only to learn what the hook already did costs more than the rest of the install.
  if (auto entries = read_entries()) return holds_fingerprint(*entries, ca.fingerprint_hex);
  auto result = runner_.run({keytool_argv({"-list"})});
  if (!result.ok()) return false;
  return result.out.find(upper(ca.fingerprint)) != std::string::npos;
}

std::vector<StoreLocation> JavaStore::locations(const CaCertificate& ca) {
  return {{"Java cacerts", locate()->cacerts, true, contains(ca)}};
}

bool JavaStore::has_alias(const std::string& alias) {
  if (auto entries = read_entries()) return holds_alias(*entries, alias);
  return runner_.run({keytool_argv({"-list", "-alias", alias})}).ok();
}

void JavaStore::run_keytool(std::vector<std::string> args, const std::string& what) {
  auto argv = keytool_argv(std::move(args));
  if (argv.front() == "sudo" && !runner_.find_program("sudo"))
    throw Error("cannot " + what + ": " + locate()->cacerts.string() + " is not writable",
                "run as root: " + process::display(argv));
  auto result = runner_.run({argv});
  if (!result.ok())
    throw Error("keytool could not " + what + ": " + tool_message(result.err, result.out),
                "run it yourself: " + process::display(argv));
}

void JavaStore::install(const CaCertificate& ca) {
  auto a = availability();
  if (!a.available) throw Error(a.why, a.fix);
  if (has_alias(ca.name)) return;
  run_keytool({"-importcert", "-noprompt", "-alias", ca.name, "-file", ca.file.string()},
              "add the root to the Java store");
}

void JavaStore::uninstall(const CaCertificate& ca) {
  if (!availability().available) return;
  // Debian's ca-certificates-java hook copies our system anchor in as "debian:NAME.pem" and
  // never removes it again: that alias is ours too (NAME is unique to this CA).
  for (const auto& alias : {ca.name, "debian:" + ca.name + ".pem"})
    if (has_alias(alias)) run_keytool({"-delete", "-alias", alias}, "remove the root from the Java store");
}

}  // namespace devcert::trust
