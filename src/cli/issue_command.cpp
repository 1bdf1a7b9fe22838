#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/csr.h"
#include "pki/export.h"
#include "pki/inspect.h"
#include "pki/issue.h"
#include "trust/actions.h"
#include "trust/stores.h"
#include "util/process.h"
#include "util/fs.h"

namespace devcert::cli {

namespace {

// Only the system store after each issue: its check reads one file, where the NSS and Java
// checks would start certutil and a JVM (seconds) on every run. `devcert status` checks all.
bool system_store_trusts(const pki::CaRoot& root) {
  try {
    auto ca = trust::CaCertificate::from_file(root.cert_path());
    process::SystemRunner runner;
    auto stores = trust::make_stores({"system"}, runner, trust::StoreEnvironment::from_process());
    for (const auto& s : trust::status_of(stores, ca))
      if (s.available && !s.installed) return false;
  } catch (const std::exception&) {
  }
  return true;
}

}  // namespace

int run_issue(const IssueOptions& opts, Context& ctx) {
  pki::LeafProfile profile;
  profile.key_type = pki::parse_key_type(opts.key_type);
  if (opts.days) {
    if (*opts.days < 1 || *opts.days > pki::kMaxLeafDays)
      throw UsageError("--days must be between 1 and 825 (Apple rejects longer TLS certificates)");
    profile.days = *opts.days;
  }
  profile.client_auth = opts.client;

  std::optional<pki::CertificateRequest> csr;
  if (!opts.csr_file.empty()) {
    csr = pki::load_csr(fs::read_file(opts.csr_file), opts.csr_file);
    if (!opts.p12_file.empty()) throw UsageError("--p12-file needs the private key, which a CSR does not carry");
  }
  std::vector<std::string> inputs = opts.names;
  if (inputs.empty() && csr) inputs = csr->names;
  if (inputs.empty())
    throw UsageError(csr ? "the CSR has no subjectAltName; name the hosts on the command line"
                         : "no names given",
                     "devcert issue localhost 127.0.0.1 ::1");
  std::vector<pki::SubjectName> names = pki::parse_subject_names(inputs);

  pki::CaRoot root(ctx.caroot());
  pki::CertificateAuthority ca = root.load();
  pki::Leaf leaf = pki::issue_leaf(ca, names, profile, csr ? csr->public_key.get() : nullptr);

  std::string stem = pki::default_file_stem(names);
  std::string cert_file = opts.cert_file.empty() ? "./" + stem + ".pem" : opts.cert_file;
  std::string key_file = opts.key_file.empty() ? "./" + stem + "-key.pem" : opts.key_file;

  // The key lands before the certificate: a crash never leaves a certificate without its key.
  if (leaf.key) fs::write_file_atomic(key_file, pki::private_key_pem(leaf.key.get()), 0600);
  std::string cert_pem = pki::certificate_pem(leaf.cert.get());
  if (opts.fullchain) cert_pem += pki::certificate_pem(ca.cert.get());
  fs::write_file_atomic(cert_file, cert_pem, 0644);
  if (!opts.p12_file.empty())
    fs::write_file_atomic(opts.p12_file,
                          pki::pkcs12_der(leaf.cert.get(), leaf.key.get(), ca.cert.get(),
                                          opts.p12_password, names.front().value),
                          0600);

  std::string not_after = pki::iso_time(X509_get0_notAfter(leaf.cert.get()));
  if (opts.json) {
    nlohmann::json j;
    j["names"] = nlohmann::json::array();
    for (const auto& n : names)
      j["names"].push_back({{"type", pki::kind_name(n.kind)}, {"value", n.value}, {"input", n.input}});
    j["cert"] = cert_file;
    j["key"] = leaf.key ? nlohmann::json(key_file) : nlohmann::json(nullptr);
    j["p12"] = opts.p12_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(opts.p12_file);
    j["not_after"] = not_after;
    j["fingerprint_sha256"] = pki::fingerprint_sha256(leaf.cert.get());
    j["ca"] = root.cert_path().string();
    ctx.out.out() << j.dump(2) << "\n";
    return 0;
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n.value;
  ctx.out.line("issued a certificate for: " + list);
  ctx.out.line("  certificate: " + cert_file + (opts.fullchain ? " (with the root appended)" : ""));
  if (leaf.key) ctx.out.line("  key:         " + key_file);
  if (!opts.p12_file.empty())
    ctx.out.line("  PKCS#12:     " + opts.p12_file + " (password \"" + opts.p12_password + "\")");
  ctx.out.line("  expires:     " + not_after);
  ctx.out.note("Node ignores the system store: export NODE_EXTRA_CA_CERTS=\"" +
               root.cert_path().string() + "\" (or eval \"$(devcert env)\")");
  if (!ctx.out.quiet && !system_store_trusts(root)) ctx.out.warning(
      "the CA is not in the system trust store yet: run 'devcert install' ('devcert status' shows every store)");
  return 0;
}

void add_issue_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<IssueOptions>();
  auto* cmd = app.add_subcommand("issue", "Mint a certificate for exactly the names given");
  cmd->add_option("names", opts->names, "Host names, IP addresses, *.wildcards, emails");
  cmd->add_option("--key-type", opts->key_type, "ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096")
      ->check(CLI::IsMember(pki::key_type_names()));
  cmd->add_option("--days", opts->days, "Validity in days, 1..825 (default 824)");
  cmd->add_flag("--client", opts->client, "Also allow client authentication (mTLS)");
  cmd->add_option("--cert-file", opts->cert_file, "Where to write the certificate (default ./NAME.pem)");
  cmd->add_option("--key-file", opts->key_file, "Where to write the key (default ./NAME-key.pem)");
  cmd->add_option("--p12-file", opts->p12_file, "Also write a PKCS#12 bundle (cert, key, root)");
  cmd->add_option("--p12-password", opts->p12_password, "PKCS#12 password (default changeit)");
  cmd->add_flag("--fullchain", opts->fullchain, "Append the root to the certificate file");
  cmd->add_option("--csr", opts->csr_file, "Sign this CSR instead of making a key");
  cmd->add_flag("--json", opts->json, "Print paths, names, expiry and fingerprint as JSON");
  cmd->footer("Examples:\n  devcert issue localhost 127.0.0.1 ::1\n"
              "  devcert issue '*.app.test' app.test --cert-file app.pem --key-file app-key.pem");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_issue(*opts, ctx); });
}

}  // namespace devcert::cli
