#include <CLI/CLI.hpp>
#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/json_vocabulary.h"
#include "config/config.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/container_hosts.h"
#include "pki/csr.h"
#include "pki/export.h"
#include "pki/inspect.h"
#include "pki/issue.h"
#include "pki/keys.h"
#include "trust/actions.h"
#include "trust/stores.h"
#include "util/process.h"
#include "util/fs.h"
#include "util/output_paths.h"
#include "util/text.h"

namespace devcert::cli {

namespace {

namespace stdfs = std::filesystem;

// keytool's default store password: Java reads a PKCS#12 protected with it as is.
constexpr std::string_view kDefaultP12Password = "changeit";

// One certificate to mint and where its files go. With a CSR, key_file names the key of the
// certificate being replaced (moved aside if it is there), or is empty.
struct Job {
  std::vector<pki::SubjectName> names;
  pki::LeafProfile profile;
  fs::OutputPath cert_file, key_file, p12_file;
  std::string where;  // "FILE:LINE:COLUMN" of its [[cert]] in devcert.toml; empty for arguments
};

// A path given as a flag, or else the project file's (which must stay inside its project).
fs::OutputPath flag_or_file(const std::string& flag_value, const char* flag, const stdfs::path& file_value,
                            const std::string& named_by, const config::ProjectFile& file) {
  if (!flag_value.empty()) return {flag_value, flag, true, {}};
  return {file_value, named_by, false, file_value.empty() ? stdfs::path() : file.dir()};
}

// The PKCS#12 password and where it came from, to say so without printing it (argv is visible
// to other users in ps; a file or the environment is not).
struct P12Password {
  std::string value;
  std::string source;
};

P12Password p12_password(const IssueOptions& opts, const Environment& env) {
  if (!opts.p12_password.empty()) return {opts.p12_password, "--p12-password"};
  if (!opts.p12_password_file.empty()) {
    std::string text = fs::read_file(opts.p12_password_file);
    std::string first = text.substr(0, text.find('\n'));
    if (first.ends_with('\r')) first.pop_back();
    if (first.empty())
      throw UsageError("--p12-password-file " + opts.p12_password_file + ": its first line is empty",
                       "write the password on its first line");
    return {first, "--p12-password-file " + opts.p12_password_file};
  }
  if (std::string value = env.get("DEVCERT_P12_PASSWORD"); !value.empty()) return {value, "DEVCERT_P12_PASSWORD"};
  return {std::string(kDefaultP12Password), ""};
}

// --days, held to the leaf's rule before anything is read or written.
std::optional<int> days_option(const IssueOptions& opts) {
  if (!opts.days) return std::nullopt;
  try {
    return pki::leaf_days(*opts.days);
  } catch (const pki::LeafDaysError& e) {
    throw UsageError("--days must be " + e.allowed());
  }
}

// `days` is checked already: --days by days_option, a project file's by config::parse.
pki::LeafProfile leaf_profile(const std::string& key_type, std::optional<int> days, bool client) {
  pki::LeafProfile profile;
  if (!key_type.empty()) profile.key_type = pki::parse_key_type(key_type);
  if (days) profile.days = *days;
  profile.client_auth = client;
  return profile;
}

// Every [[cert]] of the project file; flags given on the command line override its values.
std::vector<Job> jobs_from_file(const config::ProjectFile& file, const IssueOptions& opts) {
  if (file.certs.empty())
    throw Error(file.path.string() + " lists no certificates",
                "add a [[cert]] with names = [\"localhost\"], or name the hosts: devcert issue localhost");
  bool one_path = !opts.cert_file.empty() || !opts.key_file.empty() || !opts.p12_file.empty();
  if (one_path && file.certs.size() != 1)
    throw UsageError("--cert-file, --key-file and --p12-file name one certificate's files, and " +
                         file.path.string() + " lists " + std::to_string(file.certs.size()),
                     "set cert, key and p12 in each [[cert]] instead");
  std::optional<int> days = days_option(opts);
  std::vector<Job> jobs;
  for (const config::CertEntry& c : file.certs) {
    Job job;
    job.names = opts.for_containers ? c.names_for_containers : c.names;
    // Default file names count the names the certificate holds, container hosts included, as
    // for_containers = true in the file and the same names on the command line do.
    pki::LeafFileNames defaults = pki::default_leaf_files(job.names);
    stdfs::path cert = c.default_cert ? file.dir() / defaults.cert : c.cert;
    stdfs::path key = c.default_key ? file.dir() / defaults.key : c.key;
    job.profile = leaf_profile(opts.key_type.empty() ? c.key_type.value_or("") : opts.key_type,
                               days ? days : c.days,
                               opts.client || (!opts.no_client && c.client.value_or(false)));
    job.cert_file = flag_or_file(opts.cert_file, "--cert-file", cert, c.cert_named_by, file);
    job.key_file = flag_or_file(opts.key_file, "--key-file", key, c.key_named_by, file);
    job.p12_file = flag_or_file(opts.p12_file, "--p12-file", c.p12, c.p12_named_by, file);
    job.where = c.where;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Job job_from_arguments(const IssueOptions& opts, const std::optional<pki::CertificateRequest>& csr) {
  std::vector<std::string> inputs = opts.names;
  if (inputs.empty() && csr) inputs = csr->names;
  if (inputs.empty())
    throw UsageError(csr ? "the CSR has no subjectAltName; name the hosts on the command line"
                         : "no names given, and no devcert.toml here or in a parent directory",
                     "devcert issue localhost 127.0.0.1 ::1 (or list them in a devcert.toml: "
                     "devcert init --write-config)");
  if (opts.for_containers) inputs = pki::with_container_hosts(inputs);
  Job job;
  job.names = pki::parse_subject_names(inputs);
  job.profile = leaf_profile(opts.key_type, days_option(opts), opts.client);
  pki::LeafFileNames defaults = pki::default_leaf_files(job.names);
  auto given_or = [](const std::string& value, const char* flag, const std::string& fallback) {
    return value.empty() ? fs::OutputPath{fallback, std::string("the default ") + flag, true, {}}
                         : fs::OutputPath{value, flag, true, {}};
  };
  job.cert_file = given_or(opts.cert_file, "--cert-file", "./" + defaults.cert);
  // With a CSR, the key beside a default certificate is the old one's (its own stays with you).
  job.key_file = given_or(opts.key_file, "--key-file",
                          csr && !opts.cert_file.empty() ? std::string() : "./" + defaults.key);
  job.p12_file = given_or(opts.p12_file, "--p12-file", "");
  return job;
}

// Every file the jobs write (or, for a CSR's stale key, move aside).
std::vector<fs::OutputPath> outputs_of(const std::vector<Job>& jobs) {
  std::vector<fs::OutputPath> outputs;
  for (const Job& job : jobs)
    for (const fs::OutputPath* out : {&job.cert_file, &job.key_file, &job.p12_file})
      if (!out->path.empty()) outputs.push_back(*out);
  return outputs;
}

// A CSR made from the very key at key_file keeps it: that key is the new certificate's own.
bool holds_key_of(const stdfs::path& key_file, EVP_PKEY* public_key) {
  std::error_code ec;
  if (key_file.empty() || !stdfs::is_regular_file(key_file, ec)) return false;
  try {
    return EVP_PKEY_eq(pki::load_private_key(fs::read_file(key_file), key_file.string()).get(), public_key) == 1;
  } catch (const Error&) {
    return false;
  }
}

// Writes the job's files; returns where a replaced certificate's stale key went, if anywhere.
std::optional<stdfs::path> write_leaf(const Job& job, const pki::Leaf& leaf, const pki::CertificateAuthority& ca,
                                      const IssueOptions& opts, const std::string& password,
                                      const stdfs::path& caroot, const std::vector<fs::InputPath>& inputs,
                                      EVP_PKEY* csr_key) {
  // Missing directories are made (certs/ in a fresh clone, or --cert-file certs/app.pem), only
  // after check_output_paths passed every output: none leads into the CAROOT or out of a project.
  for (const fs::OutputPath* file : {&job.cert_file, &job.key_file, &job.p12_file})
    if (auto dir = file->path.parent_path(); !file->path.empty() && !dir.empty()) fs::ensure_directory(dir, 0755);
  // Directories made, symlinks may have changed since the first look: look again.
  fs::check_output_paths(outputs_of({job}), caroot, inputs);
  std::string cert_pem = pki::certificate_pem(leaf.cert.get());
  if (opts.fullchain) cert_pem += pki::certificate_pem(ca.cert.get());
  std::optional<stdfs::path> moved;
  // Never a certificate beside a key that is not its own, whenever a crash strikes.
  if (leaf.key)
    fs::write_key_and_certificate(job.key_file.path, pki::private_key_pem(leaf.key.get()), job.cert_file.path,
                                  cert_pem);
  else
    moved = fs::write_certificate_retiring_key(job.cert_file.path, cert_pem,
                                               holds_key_of(job.key_file.path, csr_key) ? stdfs::path()
                                                                                        : job.key_file.path);
  if (!job.p12_file.path.empty())
    fs::write_file_atomic(job.p12_file.path,
                          pki::pkcs12_der(leaf.cert.get(), leaf.key.get(), ca.cert.get(), password,
                                          job.names.front().value),
                          0600);
  return moved;
}

// What one job wrote, for the report.
struct Written {
  std::optional<stdfs::path> stale_key_moved_to;
};

nlohmann::json describe_json(const Job& job, const pki::Leaf& leaf, const Written& written) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& n : job.names) names.push_back(json_name(n));
  return {{"names", names},
          {"cert_file", job.cert_file.path.string()},
          {"key_file", leaf.key ? json_path_or_null(job.key_file.path) : nlohmann::json(nullptr)},
          {"p12_file", json_path_or_null(job.p12_file.path)},
          {"old_key_moved_to", json_path_or_null(written.stale_key_moved_to.value_or(stdfs::path()))},
          {"not_after", pki::iso_time(X509_get0_notAfter(leaf.cert.get()))},
          {"fingerprint_sha256", pki::fingerprint_sha256(leaf.cert.get())}};
}

void describe_text(const Job& job, const pki::Leaf& leaf, const Written& written, const IssueOptions& opts,
                   const P12Password& password, Context& ctx) {
  std::string list;
  for (const auto& n : job.names) list += (list.empty() ? "" : ", ") + n.value;
  ctx.out.line("issued a certificate for: " + list);
  auto shown = [](const stdfs::path& p) { return text::printable(p.string()); };
  ctx.out.line("  certificate: " + shown(job.cert_file.path) + (opts.fullchain ? " (with the root appended)" : ""));
  if (leaf.key) ctx.out.line("  key:         " + shown(job.key_file.path));
  if (written.stale_key_moved_to)
    ctx.out.line("  old key:     moved to " + shown(*written.stale_key_moved_to) +
                 " (it belongs to the replaced certificate; this one's key is the CSR's)");
  // The default is public (keytool's); a chosen password is never printed.
  if (!job.p12_file.path.empty())
    ctx.out.line("  PKCS#12:     " + shown(job.p12_file.path) +
                 (password.source.empty() ? " (password \"" + password.value + "\")"
                                          : " (password from " + password.source + ")"));
  ctx.out.line("  expires:     " + pki::iso_time(X509_get0_notAfter(leaf.cert.get())));
  // Users expect *.app.test to cover app.test or a.b.app.test too; no client agrees.
  for (const auto& n : job.names)
    if (n.wildcard) ctx.out.note(text::printable(pki::wildcard_coverage(n)));
}

}  // namespace

int run_issue(const IssueOptions& opts, Context& ctx) {
  std::optional<pki::CertificateRequest> csr;
  if (!opts.csr_file.empty()) {
    csr = pki::load_csr(fs::read_file(opts.csr_file), opts.csr_file);
    if (!opts.p12_file.empty()) throw UsageError("--p12-file needs the private key, which a CSR does not carry");
  }
  bool from_arguments = !opts.names.empty() || csr;
  if (from_arguments && !opts.config_file.empty())
    throw UsageError("--config lists the certificates to issue; give either names (or --csr) or --config");
  std::optional<config::ProjectFile> file;
  if (!from_arguments) file = config::load_for_command(opts.config_file, ctx.env.get("HOME"));
  // Every entry is checked and minted before the first file is written: one bad entry, nothing issued.
  std::vector<Job> jobs = file ? jobs_from_file(*file, opts) : std::vector<Job>{job_from_arguments(opts, csr)};
  std::vector<fs::InputPath> inputs;
  if (file) inputs.push_back({file->path, "the project file"});
  if (csr) inputs.push_back({opts.csr_file, "the CSR given with --csr"});
  if (!opts.p12_password_file.empty()) inputs.push_back({opts.p12_password_file, "the --p12-password-file"});
  fs::check_output_paths(outputs_of(jobs), ctx.caroot(), inputs);
  P12Password password = p12_password(opts, ctx.env);

  pki::CaRoot root(ctx.caroot());
  pki::CertificateAuthority ca = root.load();
  std::vector<pki::Leaf> leaves;
  for (const Job& job : jobs) {
    try {
      progress::Task task(ctx.out.progress(), "");
      leaves.push_back(pki::issue_leaf(ca, job.names, job.profile, csr ? csr->public_key.get() : nullptr,
                                       task.reporter()));
    } catch (const Error& e) {
      if (job.where.empty()) throw;
      throw Error(job.where + ": " + e.what(), e.fix(), e.exit_code());
    }
  }
  std::vector<Written> written;
  for (size_t i = 0; i < jobs.size(); ++i)
    written.push_back({write_leaf(jobs[i], leaves[i], ca, opts, password.value, ctx.caroot(), inputs,
                                  csr ? csr->public_key.get() : nullptr)});

  if (opts.json) {
    nlohmann::json certificates = nlohmann::json::array();
    for (size_t i = 0; i < jobs.size(); ++i) certificates.push_back(describe_json(jobs[i], leaves[i], written[i]));
    nlohmann::json j = {{"ok", true},
                        {"ca", json_ca(trust::CaCertificate::from_certificate(ca.cert.get(), root.cert_path()))},
                        {"config", file ? json_path_or_null(file->path) : nlohmann::json(nullptr)},
                        {"certificates", certificates}};
    print_json(ctx.out.out(), j);
    return 0;
  }
  if (file) ctx.out.note("issuing the certificates listed in " + text::printable(file->path.string()));
  for (size_t i = 0; i < jobs.size(); ++i) describe_text(jobs[i], leaves[i], written[i], opts, password, ctx);
  // True of every build: Debian's Node reads the system store, nodejs.org's does not.
  ctx.out.note("a Node with its own root list (nodejs.org's builds) also needs: export NODE_EXTRA_CA_CERTS=\"" +
               root.cert_path().string() + "\" (or eval \"$(devcert env)\")");
  // Only the system store after each issue: its check reads one file, where the NSS and Java
  // checks would start certutil and a JVM (seconds) on every run. `devcert status` checks all.
  if (!ctx.out.quiet &&
      !trust::stores_missing_root(ca.cert.get(), root.cert_path(), {"system"}, ctx.stores(), ctx.runner).empty())
    ctx.out.warning(
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
  cmd->add_option("--config", opts->config_file,
                  "Issue every [[cert]] of this devcert.toml (default: one found here or above)");
  auto* client = cmd->add_flag("--client", opts->client, "Also allow client authentication (mTLS)");
  cmd->add_flag("--no-client", opts->no_client, "Server authentication only, whatever devcert.toml says")
      ->excludes(client);
  cmd->add_option("--cert-file", opts->cert_file, "Where to write the certificate (default ./NAME.pem)");
  cmd->add_option("--key-file", opts->key_file, "Where to write the key (default ./NAME-key.pem)");
  cmd->add_option("--p12-file", opts->p12_file, "Also write a PKCS#12 bundle (cert, key, root)");
  auto* password = cmd->add_option("--p12-password", opts->p12_password,
                                   "PKCS#12 password (default changeit; visible to other users in ps: "
                                   "prefer the file or DEVCERT_P12_PASSWORD)");
  cmd->add_option("--p12-password-file", opts->p12_password_file, "Read the PKCS#12 password from this file's first line")
      ->excludes(password);
  cmd->add_flag("--fullchain", opts->fullchain, "Append the root to the certificate file");
  cmd->add_flag("--for-containers", opts->for_containers,
                "Also name the host as containers reach it: host.docker.internal, host.containers.internal");
  cmd->add_option("--csr", opts->csr_file, "Sign this CSR instead of making a key");
  cmd->add_flag("--json", opts->json, "Print paths, names, expiry and fingerprint as JSON");
  cmd->footer("Examples:\n  devcert issue localhost 127.0.0.1 ::1\n"
              "  devcert issue                 # what ./devcert.toml (or a parent's) lists\n"
              "  devcert issue '*.app.test' app.test --cert-file app.pem --key-file app-key.pem\n"
              "  devcert issue --for-containers localhost 127.0.0.1 ::1");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_issue(*opts, ctx); });
}

}  // namespace devcert::cli
