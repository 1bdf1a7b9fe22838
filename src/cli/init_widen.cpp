#include "cli/init_widen.h"

#include <filesystem>

#include "error.h"
#include "pki/widen.h"
#include "cli/trust_reports.h"
#include "trust/selection.h"
#include "trust/replace_root.h"
#include "util/text.h"

namespace devcert::cli {
namespace {

namespace stdfs = std::filesystem;

std::string join(const std::vector<std::string>& items) {
  std::string all;
  for (const auto& i : items) all += (all.empty() ? "" : " ") + i;
  return all;
}

// One previous root: its stores moved to `current`, the file deleted once no store holds it.
bool move_stores(const stdfs::path& previous_file, const trust::CaCertificate& current, Context& ctx) {
  trust::CaCertificate previous = trust::CaCertificate::from_file(previous_file);
  trust::RootReplacement r = [&] {
    progress::Task task(ctx.out.progress(), "moving the trust stores to the new root");
    trust::StoreEnvironment env = ctx.stores();
    return trust::replace_root(previous, current, trust::selected_with_policy({}, false, previous, env), ctx.runner,
                               env, progress_line(task, "moving the trust stores to the new root"));
  }();
  if (r.stores.empty()) {
    ctx.out.line("no trust store held the old root " + previous.name +
                 ", so none changed; 'devcert install' trusts the new one");
  } else {
    ctx.out.line("the new root " + current.name + ", into the stores that trusted the old one:");
    print_reports(ctx.out, r.installed);
    ctx.out.line("the old root " + previous.name + ", out of them:");
    print_reports(ctx.out, r.removed);
  }
  if (!r.previous_gone || trust::any_fatal_failure(r.installed) || trust::any_fatal_failure(r.removed)) {
    ctx.out.warning("a trust store still holds the old root (a store that could not take the new one keeps it); "
                    "the old root stays in " + previous_file.string() +
                    " so that devcert can remove it later: fix the store as shown above, then run "
                    "'devcert init' again");
    return false;
  }
  std::error_code ec;
  stdfs::remove(previous_file, ec);  // no store needs its bytes any more
  return true;
}

}  // namespace

void print_may_sign(Context& ctx, const pki::PermittedSet& set) {
  pki::PermitReview review = pki::review_permitted(set);
  ctx.out.line("  may sign:    " + join(review.domains) + " (and their subdomains)");
  ctx.out.line("               IP " + join(review.ranges));
}

int widen_existing_ca(const pki::CaRoot& root, const std::vector<std::string>& permits, Context& ctx) {
  pki::Widening w = pki::widen_root(root, permits);
  if (!w.changed) {
    ctx.out.line("the devcert CA in " + root.dir().string() + " already permits " + join(permits) +
                 "; nothing changed");
    print_may_sign(ctx, w.after);
    return move_stores_from_previous_roots(root, ctx);
  }
  for (const auto& reach : pki::review_permitted(w.added).public_reach)
    ctx.out.warning("--permit " + reach + ": this root can now vouch for public sites there. Anyone who copies "
                    "its key can impersonate them to this machine.");
  pki::PermitReview added = pki::review_permitted(w.added);
  std::vector<std::string> listed = added.domains;
  listed.insert(listed.end(), added.ranges.begin(), added.ranges.end());
  ctx.out.line("widened the devcert CA in " + root.dir().string() + ": a new root certificate over the same key");
  ctx.out.line("  added:       " + join(listed));
  print_may_sign(ctx, w.after);
  ctx.out.line("  fingerprint (SHA-256): " + w.new_fingerprint);
  ctx.out.line("  was:                   " + w.old_fingerprint);
  ctx.out.note("certificates issued before stay valid: the new root has the same key and subject");
  return move_stores_from_previous_roots(root, ctx);
}

int move_stores_from_previous_roots(const pki::CaRoot& root, Context& ctx) {
  std::vector<stdfs::path> previous = pki::previous_roots(root);
  if (previous.empty()) return kExitOk;
  trust::CaCertificate current = trust::load_ca(root.dir());
  bool all_moved = true;
  for (const auto& file : previous) all_moved &= move_stores(file, current, ctx);
  return all_moved ? kExitOk : kExitFailure;
}

}  // namespace devcert::cli
