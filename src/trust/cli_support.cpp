#include "trust/cli_support.h"

#include <algorithm>

#include "error.h"
#include "pki/ca.h"
#include "trust/firefox_policy.h"

namespace devcert::trust {

CaCertificate load_ca(const stdfs::path& caroot) {
  pki::CaRoot root(caroot);
  root.load_cert();  // throws with the fix when CAROOT holds no CA
  return CaCertificate::from_file(root.cert_path());
}

std::vector<std::string> selected_from(const std::vector<std::string>& flags, const StoreEnvironment& env) {
  return select_store_names(flags, env.selected_stores);
}

std::vector<std::string> selected_with_policy(const std::vector<std::string>& flags, bool add_policy,
                                              const CaCertificate& ca, const StoreEnvironment& env) {
  auto names = selected_from(flags, env);
  bool chosen = !flags.empty() || !env.selected_stores.empty();
  FirefoxPolicyStore policy({kFirefoxPolicyFile, false});
  bool listed = false;
  if (!add_policy && !chosen) {
    try {
      listed = policy.contains(ca);
    } catch (const Error&) {
      // A policies.json devcert cannot read holds no entry of ours; `--store firefox-policy` says why.
    }
  }
  if ((add_policy || listed) && std::find(names.begin(), names.end(), policy.name()) == names.end())
    names.push_back(policy.name());
  return names;
}

StoreProgress progress_line(progress::Task& task, std::string doing) {
  return [&task, doing](const TrustStore& store, std::size_t index, std::size_t count) {
    task.update(doing + ": " + store.name() + " (" + std::to_string(index + 1) + "/" +
                std::to_string(count) + ")");
  };
}

void print_reports(Output& out, const std::vector<StoreReport>& reports) {
  for (const auto& r : reports) {
    Output::Mark mark = Output::Mark::ok;
    if (r.outcome == Outcome::unavailable) mark = Output::Mark::warning;
    if (r.outcome == Outcome::failed) mark = r.optional ? Output::Mark::warning : Output::Mark::failed;
    out.item("", mark, r.store + ": " + outcome_text(r.outcome) + "  " + r.where);
    if (!r.why.empty()) out.line("    why: " + r.why);
    if (!r.fix.empty()) out.line("    fix: " + r.fix);
    if (r.outcome == Outcome::failed && r.optional)
      out.warning(r.store + " store failed (" + r.why + "); the other stores are unaffected");
  }
}

std::vector<StoreReport> run_on_stores(const stdfs::path& caroot, const std::vector<std::string>& store_flags,
                                       bool add_policy, Output& out, const std::string& doing, StoreAction action) {
  CaCertificate ca = load_ca(caroot);
  process::SystemRunner runner;  // --verbose shows its commands (process::set_trace in app.cpp)
  StoreEnvironment env = StoreEnvironment::from_process();
  StoreList stores = make_stores(selected_with_policy(store_flags, add_policy, ca, env), runner, env);
  out.line("root " + ca.name + " (SHA-256 " + ca.fingerprint + ")");
  std::vector<StoreReport> reports;
  {
    progress::Task task(doing);
    reports = action(stores, ca, progress_line(task, doing));
  }
  print_reports(out, reports);
  return reports;
}

}  // namespace devcert::trust
