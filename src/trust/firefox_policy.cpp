#include "trust/firefox_policy.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "error.h"
#include "util/fs.h"
#include "util/process.h"

namespace devcert::trust {
namespace {

using nlohmann::json;

Error not_editable(const stdfs::path& file, const std::string& why) {
  return Error(file.string() + " " + why + "; devcert changed nothing",
               "fix or remove it by hand (Firefox ignores every policy in it until it is valid), then run "
               "'sudo devcert install --firefox-policy'");
}

json parse_policy(const std::string& text, const stdfs::path& file) {
  if (text.empty()) return json::object();
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw not_editable(file, "is not valid JSON");
  if (!doc.is_object()) throw not_editable(file, "is not a JSON object");
  if (doc.contains("policies") && !doc["policies"].is_object())
    throw not_editable(file, "has a \"policies\" that is not an object");
  if (doc.contains("policies") && doc["policies"].contains("Certificates")) {
    const json& certificates = doc["policies"]["Certificates"];
    if (!certificates.is_object()) throw not_editable(file, "has a \"Certificates\" policy that is not an object");
    if (certificates.contains("Install") && !certificates["Install"].is_array())
      throw not_editable(file, "has a \"Certificates\".\"Install\" that is not a list");
  }
  return doc;
}

// Firefox writes and reads it as indented JSON; two spaces as in Mozilla's examples.
std::string dump(const json& doc) { return doc.dump(2) + "\n"; }

const stdfs::path undo_file(const CaCertificate& ca) { return ca.file.parent_path() / "firefox-policy-undo.json"; }

}  // namespace

bool policy_lists_root(const std::string& text, const std::string& root, const stdfs::path& file) {
  json doc = parse_policy(text, file);
  const json* install = nullptr;
  if (doc.contains("policies") && doc["policies"].contains("Certificates") &&
      doc["policies"]["Certificates"].contains("Install"))
    install = &doc["policies"]["Certificates"]["Install"];
  return install && std::find(install->begin(), install->end(), json(root)) != install->end();
}

std::string policy_with_root(const std::string& text, const std::string& root, const stdfs::path& file) {
  json doc = parse_policy(text, file);
  json& install = doc["policies"]["Certificates"]["Install"];
  if (install.is_null()) install = json::array();
  if (std::find(install.begin(), install.end(), json(root)) == install.end()) install.push_back(root);
  return dump(doc);
}

std::optional<std::string> policy_without_root(const std::string& text, const std::string& root,
                                               const stdfs::path& file) {
  json doc = parse_policy(text, file);
  if (!policy_lists_root(text, root, file)) return text;
  json& policies = doc["policies"];
  json& certificates = policies["Certificates"];
  json& install = certificates["Install"];
  install.erase(std::remove(install.begin(), install.end(), json(root)), install.end());
  if (install.empty()) certificates.erase("Install");
  if (certificates.empty()) policies.erase("Certificates");
  if (policies.empty()) doc.erase("policies");
  if (doc.empty()) return std::nullopt;
  return dump(doc);
}

std::optional<std::string> FirefoxPolicyStore::read_policy() const {
  std::error_code ec;
  if (!stdfs::exists(options_.file, ec)) return std::nullopt;
  return fs::read_file(options_.file);
}

// The fix runs devcert as root on this user's CAROOT and HOME (root's own would be another CA
// and other profiles); the CAROOT check accepts the user who ran sudo.
void FirefoxPolicyStore::require_root(const CaCertificate& ca, const std::vector<std::string>& command) const {
  if (options_.is_root) return;
  std::vector<std::string> argv{"sudo", "DEVCERT_CAROOT=" + stdfs::absolute(ca.file).parent_path().string()};
  if (!options_.home.empty()) argv.push_back("HOME=" + options_.home.string());
  argv.push_back("devcert");
  argv.insert(argv.end(), command.begin(), command.end());
  throw Error("cannot change " + options_.file.string() + ": it is system-wide and needs root",
              process::display(argv));
}

bool FirefoxPolicyStore::contains(const CaCertificate& ca) {
  auto text = read_policy();
  return text && policy_lists_root(*text, ca.file.string(), options_.file);
}

void FirefoxPolicyStore::install(const CaCertificate& ca) {
  require_root(ca, {"install", "--firefox-policy"});
  auto before = read_policy();
  std::string written = policy_with_root(before.value_or(""), ca.file.string(), options_.file);
  json created_dirs = json::array();  // deepest first, so uninstall can remove them in order
  std::error_code ec;
  for (auto dir = options_.file.parent_path(); !dir.empty() && !stdfs::exists(dir, ec); dir = dir.parent_path())
    created_dirs.push_back(dir.string());
  json undo = {{"policy_file", options_.file.string()}, {"before", before ? json(*before) : json()},
               {"written", written}, {"created_dirs", created_dirs}};
  fs::write_file_atomic(undo_file(ca), undo.dump(2) + "\n", 0600);
  fs::ensure_directory(options_.file.parent_path(), 0755);
  fs::write_file_atomic(options_.file, written, 0644);
}

void FirefoxPolicyStore::uninstall(const CaCertificate& ca) {
  auto text = read_policy();
  if (text && policy_lists_root(*text, ca.file.string(), options_.file)) remove_entry(ca, *text);
  // A profile Firefox started while the policy listed the root imported it into its own
  // database, and keeps trusting it without the policy: those copies go too.
  if (profiles_ && profiles_->availability().available) profiles_->remove_policy_imports(ca);
}

void FirefoxPolicyStore::remove_entry(const CaCertificate& ca, const std::string& policy_text) {
  const std::string* text = &policy_text;
  require_root(ca, {"uninstall", "--store", "firefox-policy"});
  std::optional<json> undo;
  std::error_code ec;
  if (stdfs::exists(undo_file(ca), ec)) {
    json saved = json::parse(fs::read_file(undo_file(ca)), nullptr, false);
    if (saved.is_object() && saved.value("policy_file", "") == options_.file.string() &&
        saved.value("written", "") == *text)
      undo = saved;
  }
  // Untouched since install: exactly the bytes that were there, or no file. Edited since: only our entry goes.
  std::optional<std::string> after;
  if (undo) {
    if (!(*undo)["before"].is_null()) after = (*undo)["before"].get<std::string>();
  } else {
    after = policy_without_root(*text, ca.file.string(), options_.file);
  }
  if (after) {
    fs::write_file_atomic(options_.file, *after, fs::file_mode(options_.file).value_or(0644));
  } else {
    stdfs::remove(options_.file);
    if (undo)
      for (const auto& dir : (*undo).value("created_dirs", json::array()))
        if (dir.is_string()) stdfs::remove(dir.get<std::string>(), ec);  // only when empty
  }
  stdfs::remove(undo_file(ca), ec);
}

}  // namespace devcert::trust
