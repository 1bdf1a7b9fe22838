#include "cli/self_test_verdicts.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "config/config.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/keys.h"
#include "trust/selection.h"
#include "util/fs.h"
#include "util/process.h"

namespace devcert::cli {
namespace {

namespace stdfs = std::filesystem;

const char* const kRootSummary =
    "your root works: the chain, names, TLS and WebSocket work for a client that trusts your root";
const char* const kMachineSummary =
    "this machine trusts it: its clients trust your root (the system store walk, and every store devcert status checks)";

Verdict judge_root(const wss::SelfTestReport& report) {
  Verdict v{true, kRootSummary, "", "", ""};
  for (const auto& s : report.setup)
    if (s.status != diagnose::Stage::Status::ok) {
      // A failed verdict always names a fix; --cert/--key that do not load may come without one.
      std::string fix = !report.setup_fix.empty() ? report.setup_fix
                        : s.name == "leaf" ? "pass a PEM certificate and its private key: devcert verify-server --cert "
                                             "FILE --key FILE (devcert issue writes both)"
                                           : "devcert verify-server -v, and read the " + s.name + " stage";
      return {false, kRootSummary, "setup_failed", s.name + ": " + s.detail, fix};
    }
  for (const auto& walk : report.walks)
    if (walk.name != wss::kSystemWalkName && !walk.diagnosis.ok)
      return {false, kRootSummary, walk.diagnosis.cause, walk.name + ": " + walk.diagnosis.message, walk.diagnosis.fix};
  return v;
}

MachineTrust judge_machine(const diagnose::Diagnosis& system_walk, const stdfs::path& caroot, bool required,
                           const trust::StoreEnvironment& env, process::CommandRunner& runner) {
  MachineTrust m;
  m.summary = kMachineSummary;
  m.required = required;
  std::vector<std::string> missing;
  std::string unreadable;
  try {
    auto ca = trust::load_ca(caroot);
    auto stores = trust::make_stores(trust::selected_with_policy({}, false, ca, env), runner, env);
    m.stores = trust::status_of(stores, ca);
    for (const auto& s : m.stores)
      if (s.available && !s.installed) missing.push_back(s.store);
  } catch (const std::exception& e) {
    // Stores that cannot be read do not vouch for anything.
    unreadable = std::string("cannot read the trust stores: ") + e.what();
  }
  std::string not_in;
  for (const auto& name : missing) not_in += (not_in.empty() ? "" : ", ") + name;
  m.ok = system_walk.ok && missing.empty() && unreadable.empty();
  if (m.ok) return m;
  std::vector<std::string> why;
  if (!system_walk.ok) why.push_back("the system store walk failed at " + system_walk.stage + ": " + system_walk.message);
  if (!not_in.empty()) why.push_back("the root is not installed in: " + not_in);
  if (!unreadable.empty()) why.push_back(unreadable);
  for (const auto& w : why) m.message += (m.message.empty() ? "" : "; ") + w;
  // The walk's fix covers the certificate as well when it is at fault; else the stores lack the root.
  bool walk_names_more = !system_walk.ok && system_walk.cause != "ca_not_installed";
  m.cause = system_walk.ok ? (unreadable.empty() ? "ca_not_installed" : "setup_failed") : system_walk.cause;
  m.fix = walk_names_more ? system_walk.fix : unreadable.empty() ? "devcert install" : "devcert status";
  if (walk_names_more && !not_in.empty() && system_walk.fix.find("devcert install") == std::string::npos)
    m.fix = "devcert install; " + system_walk.fix;
  return m;
}

// As typed at a shell prompt: relative to `dir` when inside it.
std::string as_argument(const stdfs::path& p, const stdfs::path& dir) {
  stdfs::path rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != ".." ? rel.string() : p.string();
}

bool is_leaf_file(const stdfs::path& cert) {
  try {
    auto x = pki::load_certificate(fs::read_file(cert), cert.string());
    return X509_check_ca(x.get()) == 0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

SelfTestVerdicts judge_self_test(const wss::SelfTestReport& report, const stdfs::path& caroot, bool require_trust,
                                 const trust::StoreEnvironment& env, process::CommandRunner& runner) {
  SelfTestVerdicts v;
  v.root = judge_root(report);
  for (const auto& walk : report.walks)
    if (walk.name == wss::kSystemWalkName) v.machine = judge_machine(walk.diagnosis, caroot, require_trust, env, runner);
  return v;
}

std::vector<IssuedPair> find_issued_pairs(const stdfs::path& dir, const stdfs::path& home) {
  std::vector<std::pair<stdfs::path, stdfs::path>> found;
  std::error_code ec;
  try {
    auto file = config::find_project_file(dir, home.empty() ? std::nullopt : std::optional<stdfs::path>(home));
    if (file)
      for (const auto& entry : config::load(*file).certs) found.emplace_back(entry.cert, entry.key);
  } catch (const Error&) {
    // `devcert issue` reports a project file's errors; the self test only looks for its files.
  }
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".pem") || name.ends_with("-key.pem")) continue;
    found.emplace_back(entry.path(), dir / (name.substr(0, name.size() - 4) + "-key.pem"));
  }
  std::vector<IssuedPair> out;
  std::vector<stdfs::path> seen;
  for (auto& [cert, key] : found) {
    stdfs::path canonical = stdfs::weakly_canonical(cert, ec);
    if (!stdfs::is_regular_file(cert, ec) || !stdfs::is_regular_file(key, ec) ||
        std::find(seen.begin(), seen.end(), canonical) != seen.end() || !is_leaf_file(cert))
      continue;
    seen.push_back(canonical);
    out.push_back({cert, key,
                   process::display({"devcert", "verify-server", "--cert", as_argument(cert, dir), "--key",
                                     as_argument(key, dir)})});
  }
  std::sort(out.begin(), out.end(), [](const IssuedPair& a, const IssuedPair& b) { return a.cert < b.cert; });
  return out;
}

}  // namespace devcert::cli
