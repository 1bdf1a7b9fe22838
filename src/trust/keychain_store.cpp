#include "trust/keychain_store.h"

#include "error.h"

namespace devcert::trust {

bool KeychainStore::system_keychain() { return options_.is_root || runner_.find_program("sudo"); }

std::string KeychainStore::keychain() {
  return system_keychain() ? "/Library/Keychains/System.keychain"
                           : (options_.home / "Library/Keychains/login.keychain-db").string();
}

std::vector<std::string> KeychainStore::privileged(std::vector<std::string> argv) {
  if (system_keychain() && !options_.is_root) argv.insert(argv.begin(), "sudo");
  return argv;
}

// -d: the admin trust domain (every user), which the System keychain needs; -r trustRoot:
// trusted as a root for every policy (security(1), add-trusted-cert).
std::vector<std::string> KeychainStore::add_argv(const CaCertificate& ca) {
  std::vector<std::string> argv{"security", "add-trusted-cert"};
  if (system_keychain()) argv.push_back("-d");
  argv.insert(argv.end(), {"-r", "trustRoot", "-k", keychain(), ca.file.string()});
  return privileged(argv);
}

std::vector<std::string> KeychainStore::remove_trust_argv(const CaCertificate& ca) {
  std::vector<std::string> argv{"security", "remove-trusted-cert"};
  if (system_keychain()) argv.push_back("-d");
  argv.push_back(ca.file.string());
  return privileged(argv);
}

// By SHA-1 hash: exactly this certificate, whatever else shares its subject.
std::vector<std::string> KeychainStore::delete_argv(const CaCertificate& ca) {
  return privileged({"security", "delete-certificate", "-Z", ca.sha1_hex, keychain()});
}

Availability KeychainStore::availability() {
  if (!runner_.find_program("security"))
    return Availability::no("security(1) not found", "run devcert on macOS with /usr/bin in PATH");
  return Availability::yes();
}

bool KeychainStore::contains(const CaCertificate& ca) {
  auto listed = runner_.run({{"security", "find-certificate", "-a", "-Z", keychain()}});
  if (!listed.ok() || listed.out.find(ca.sha1_hex) == std::string::npos) return false;
  // Present is not trusted: the trust settings must hold it too.
  auto trusted = runner_.run({{"security", "verify-cert", "-c", ca.file.string(), "-p", "ssl"}});
  return trusted.ok();
}

void KeychainStore::run(const std::vector<std::string>& argv, const std::string& what) {
  auto result = runner_.run({argv});
  if (!result.ok())
    throw Error("cannot " + what + ": " + tool_message(result.err, result.out),
                "run it yourself: " + process::display(argv));
}

void KeychainStore::install(const CaCertificate& ca) { run(add_argv(ca), "trust the root in " + keychain()); }

void KeychainStore::uninstall(const CaCertificate& ca) {
  auto listed = runner_.run({{"security", "find-certificate", "-a", "-Z", keychain()}});
  if (!listed.ok() || listed.out.find(ca.sha1_hex) == std::string::npos) return;
  run(remove_trust_argv(ca), "remove the root's trust settings");
  run(delete_argv(ca), "delete the root from " + keychain());
}

}  // namespace devcert::trust
