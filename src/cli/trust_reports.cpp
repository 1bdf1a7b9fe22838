#include "cli/trust_reports.h"

#include "error.h"
#include "trust/container_store.h"
#include "trust/selection.h"

namespace devcert::cli {

trust::StoreProgress progress_line(progress::Task& task, std::string doing) {
  return [&task, doing](const trust::TrustStore& store, std::size_t index, std::size_t count) {
    task.update(doing + ": " + store.name() + " (" + std::to_string(index + 1) + "/" +
                std::to_string(count) + ")");
  };
}

void print_reports(Output& out, const std::vector<trust::StoreReport>& reports) {
  using trust::Outcome;
  for (const auto& r : reports) {
    Output::Mark mark = Output::Mark::ok;
    if (r.outcome == Outcome::unavailable) mark = Output::Mark::warning;
    if (r.outcome == Outcome::failed) mark = r.optional ? Output::Mark::warning : Output::Mark::failed;
    out.item("", mark, r.store + ": " + trust::outcome_text(r.outcome) + "  " + r.where);
    if (!r.why.empty()) out.line("    why: " + r.why);
    if (!r.fix.empty()) out.line("    fix: " + r.fix);
    if (r.outcome == Outcome::failed && r.optional)
      out.warning(r.store + " store failed (" + r.why + "); the other stores are unaffected");
  }
}

std::vector<trust::StoreReport> run_on_stores(Context& ctx, const std::vector<std::string>& store_flags,
                                              bool add_policy, const std::string& doing, StoreAction action) {
  trust::CaCertificate ca = trust::load_ca(ctx.caroot());
  trust::StoreEnvironment env = ctx.stores();
  trust::StoreList stores = trust::make_stores(trust::selected_with_policy(store_flags, add_policy, ca, env),
                                               ctx.runner, env);
  return run_on_store_list(ctx, ca, stores, doing, action);
}

std::vector<trust::StoreReport> run_on_store_list(Context& ctx, const trust::CaCertificate& ca,
                                                  trust::StoreList& stores, const std::string& doing,
                                                  StoreAction action) {
  ctx.out.line("root " + ca.name + " (SHA-256 " + ca.fingerprint + ")");
  std::vector<trust::StoreReport> reports;
  {
    progress::Task task(ctx.out.progress(), doing);
    reports = action(stores, ca, progress_line(task, doing));
  }
  print_reports(ctx.out, reports);
  return reports;
}

trust::StoreList container_stores(const std::vector<std::string>& containers, const std::string& engine,
                                  bool host_stores_named, Context& ctx) {
  if (host_stores_named)
    throw UsageError("--container works on the container's system store: --store and --firefox-policy are the host's",
                     "give either --container NAME or --store NAME");
  for (const auto& name : containers) trust::check_container_name(name);
  std::string chosen = trust::pick_container_engine(engine, ctx.runner);
  trust::StoreList stores;
  for (const auto& name : containers)
    stores.push_back(std::make_unique<trust::ContainerStore>(ctx.runner, trust::find_container(chosen, name, ctx.runner)));
  return stores;
}

bool containers_succeeded(const std::vector<trust::StoreReport>& reports) {
  for (const auto& r : reports)
    if (r.outcome == trust::Outcome::failed || r.outcome == trust::Outcome::unavailable) return false;
  return true;
}

}  // namespace devcert::cli
