#include "trust/cli_support.h"

#include <cstdlib>

#include "pki/ca.h"

namespace devcert::trust {

CaCertificate load_ca(const stdfs::path& caroot) {
  pki::CaRoot root(caroot);
  root.load_cert();  // throws with the fix when CAROOT holds no CA
  return CaCertificate::from_file(root.cert_path());
}

std::vector<std::string> selected_from(const std::vector<std::string>& flags) {
  const char* env = std::getenv("DEVCERT_TRUST_STORES");
  return select_store_names(flags, env ? env : "");
}

process::SystemRunner verbose_runner(Output& out) {
  return process::SystemRunner([&out](const std::string& line) { out.detail("run: " + line); });
}

void print_reports(Output& out, const std::vector<StoreReport>& reports) {
  for (const auto& r : reports) {
    std::string mark = out.ok_mark();
    if (r.outcome == Outcome::unavailable) mark = out.warn_mark();
    if (r.outcome == Outcome::failed) mark = r.optional ? out.warn_mark() : out.fail_mark();
    out.line(mark + " " + r.store + ": " + outcome_text(r.outcome) + "  " + r.where);
    if (!r.why.empty()) out.line("    why: " + r.why);
    if (!r.fix.empty()) out.line("    fix: " + r.fix);
    if (r.outcome == Outcome::failed && r.optional)
      out.warning(r.store + " store failed (" + r.why + "); the other stores are unaffected");
  }
}

}  // namespace devcert::trust
