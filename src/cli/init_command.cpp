#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/init_widen.h"
#include "config/config.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/constraints.h"
#include "pki/keys.h"
#include "pki/widen.h"
#include "templates/templates.h"
#include "trust/actions.h"
#include "util/fs.h"
#include "util/output_paths.h"
#include "util/text.h"

namespace devcert::cli {

namespace {

// A team's [ca] permit that this developer's older CA lacks is said, never applied: a checked-in
// file widening the root on a plain `devcert init` would let any repository add public names.
void say_what_the_file_would_add(const pki::CaRoot& root, const config::ProjectFile& file, Context& ctx) {
  pki::PermitReview missing = pki::review_permitted(pki::permits_missing(root.load_cert().get(), file.ca.permit));
  std::vector<std::string> values = missing.domains;
  values.insert(values.end(), missing.ranges.begin(), missing.ranges.end());
  if (values.empty()) return;
  std::string list, flags;
  for (const auto& v : values) {
    list += (list.empty() ? "" : ", ") + v;
    flags += " --permit " + v;
  }
  ctx.out.warning(text::printable(file.path.string()) + " [ca] permit lists " + list +
                  ", which this CA does not permit; to widen it (same key, certificates already issued stay "
                  "valid): devcert init" + flags);
}

int write_sample_config(Context& ctx) {
  std::filesystem::path target = std::filesystem::current_path() / config::kFileName;
  fs::check_output_paths({{target, "--write-config", true, {}}}, ctx.caroot());
  if (!fs::write_file_new(target, templates::find("devcert.toml").value(), 0644))
    throw Error(target.string() + " already exists; devcert never writes over it",
                "edit that file, or move it away to get the commented sample");
  ctx.out.line("wrote " + target.string());
  ctx.out.note("list your certificates in it, check it in, then run 'devcert init' and 'devcert issue'");
  return 0;
}

// The --permit values checked as a new root would hold them (the defaults counted), so that a
// refusal names the flag; devcert.toml's values are checked, with their place, when it is read.
void check_permit_flags(const std::vector<std::string>& permits) {
  pki::PermittedSet scratch = pki::default_permitted();
  for (const auto& p : permits) {
    try {
      pki::add_permit(scratch, p);
    } catch (const Error& e) {
      throw UsageError("--permit " + std::string(e.what()), e.fix());
    }
  }
}

}  // namespace

int run_init(const InitOptions& opts, Context& ctx) {
  if (opts.write_config) return write_sample_config(ctx);
  check_permit_flags(opts.permit);
  auto file = config::load_for_command(opts.config_file, ctx.env.get("HOME"));
  config::CaSettings ca = file ? file->ca : config::CaSettings{};
  pki::RootProfile profile;
  profile.key_type = pki::parse_key_type(!opts.key_type.empty() ? opts.key_type : ca.key_type.value_or("ecdsa-p256"));
  if (ca.days) profile.days = *ca.days;
  profile.user_host = pki::current_user_host(ctx.env);
  profile.constrained = !opts.unconstrained;
  for (const auto& p : opts.permit.empty() ? ca.permit : opts.permit) pki::add_permit(profile.permitted, p);

  pki::CaRoot root(ctx.caroot());
  if (root.exists()) {
    if (opts.unconstrained)
      ctx.out.warning("--unconstrained applies only when a CA is created; to change it, create a CA in an "
                      "empty DEVCERT_CAROOT");
    if (!opts.permit.empty()) return widen_existing_ca(root, opts.permit, ctx);
    auto result = root.init(profile);  // takes the lock, sees the CA, changes nothing
    ctx.out.line("a devcert CA already exists in " + root.dir().string() + "; nothing changed");
    ctx.out.line("  fingerprint (SHA-256): " + result.fingerprint);
    if (file) say_what_the_file_would_add(root, *file, ctx);
    int moved = move_stores_from_previous_roots(root, ctx);
    std::string untrusted = trust::untrusted_summary(root.dir(), ctx.stores(), ctx.runner);
    if (!untrusted.empty()) ctx.out.note(untrusted);
    return moved;
  }
  constexpr const char* kLeakedKey = "Anyone who copies its key can impersonate ";
  if (opts.unconstrained)
    ctx.out.warning(std::string("--unconstrained: this root can vouch for ANY name, google.com included. ") +
                    kLeakedKey + "every site to this machine.");
  pki::PermitReview review = pki::review_permitted(profile.permitted);
  const std::string source = opts.permit.empty() && file ? file->path.string() + " [ca] permit" : "--permit";
  if (profile.constrained)
    for (const auto& reach : review.public_reach)
      ctx.out.warning(source + " " + reach + ": this root can vouch for public sites there. " + kLeakedKey +
                      "them to this machine.");
  if (file) ctx.out.note("creating the CA with the [ca] settings of " + file->path.string());
  if (profile.key_type == pki::KeyType::rsa_4096) ctx.out.note("generating an RSA-4096 key (a few seconds)...");
  pki::InitResult result;
  {
    progress::Task task(ctx.out.progress(), "");
    result = root.init(profile, task.reporter());
  }
  if (!result.moved_aside.empty())
    ctx.out.warning("found a CA key without a certificate (an interrupted init); moved it to " +
                    result.moved_aside);
  if (!result.created) {
    ctx.out.line("a devcert CA already exists in " + root.dir().string() + "; nothing changed");
    ctx.out.line("  fingerprint (SHA-256): " + result.fingerprint);
    return 0;
  }
  ctx.out.line("created a new devcert CA in " + root.dir().string());
  ctx.out.line("  key type:    " + std::string(pki::key_type_name(profile.key_type)));
  ctx.out.line("  fingerprint (SHA-256): " + result.fingerprint);
  if (profile.constrained) {
    print_may_sign(ctx, profile.permitted);
  } else {
    ctx.out.line("  may sign:    any name (unconstrained)");
  }
  // A root made a moment ago is in no store: no need to ask certutil or keytool.
  ctx.out.note("the CA is not trusted anywhere yet: run 'devcert install'");
  return 0;
}

void add_init_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<InitOptions>();
  auto* cmd = app.add_subcommand("init", "Create the local root CA (once), or widen it with --permit");
  cmd->add_option("--key-type", opts->key_type, "ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096")
      ->check(CLI::IsMember(pki::key_type_names()));
  cmd->add_option("--permit", opts->permit,
                  "Also permit this domain (with subdomains), IP or CIDR; repeatable. On an existing CA: "
                  "re-issue its root over the same key with these added, and move the trust stores to it");
  cmd->add_flag("--unconstrained", opts->unconstrained,
                "Make a root without name constraints (it can vouch for any name)");
  cmd->add_option("--config", opts->config_file,
                  "Read [ca] from this devcert.toml (default: one found here or above)");
  cmd->add_flag("--write-config", opts->write_config,
                "Write a commented sample devcert.toml here (never over an existing file)");
  cmd->footer("Example:\n  devcert init\n  devcert init --permit corp.example --permit 100.64.0.0/10\n"
              "  devcert init --permit mycorp.dev    # widens an existing CA; leaves stay valid\n"
              "  devcert init --write-config    # a sample ./devcert.toml for your project");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_init(*opts, ctx); });
}

}  // namespace devcert::cli
