#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/json_vocabulary.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/inspect.h"
#include "pki/keys.h"
#include "util/fs.h"

namespace devcert::cli {

namespace {

bool rejected_by_clients(const pki::CertificateReport& report) {
  return std::any_of(report.findings.begin(), report.findings.end(),
                     [](const pki::Finding& f) { return f.severity == "error"; });
}

}  // namespace

nlohmann::json inspect_json(const pki::CertificateReport& r, const std::optional<trust::CaCertificate>& ca) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [label, value] : r.sans) names.push_back(json_name(pki::san_type(label), value));
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"code", f.code}, {"severity", f.severity}, {"message", f.message}});
  return {{"ok", !rejected_by_clients(r)},
          {"subject", json_text_or_null(r.subject)},
          {"issuer", json_text_or_null(r.issuer)},
          {"serial", r.serial},
          {"names", names},
          {"not_before", r.not_before},
          {"not_after", r.not_after},
          {"days_left", r.days_left},
          {"validity_days", r.validity_days},
          {"key_type", json_text_or_null(r.key)},
          {"signature_algorithm", r.signature_algorithm},
          {"extended_key_usage", r.extended_key_usage},
          {"is_ca", r.is_ca},
          {"fingerprint_sha256", r.fingerprint_sha256},
          {"ca", ca ? json_ca(*ca) : nlohmann::json(nullptr)},
          {"issued_by_ca", r.issued_by_devcert_ca ? nlohmann::json(*r.issued_by_devcert_ca) : nlohmann::json(nullptr)},
          {"findings", findings}};
}

int run_inspect(const InspectOptions& opts, Context& ctx) {
  std::string data;
  std::string origin = opts.file;
  if (opts.file == "-") {
    data = fs::read_standard_input();
    origin = "standard input";
  } else {
    data = fs::read_file(opts.file);
  }
  ossl::X509Ptr cert = pki::load_certificate(data, origin);
  ossl::X509Ptr ca;
  pki::CaRoot root(ctx.caroot());
  if (root.exists()) {
    try {
      ca = root.load_cert();
    } catch (const Error& e) {
      ctx.out.warning(std::string("cannot read the devcert CA: ") + e.what());
    }
  }
  pki::CertificateReport report = pki::inspect_certificate(cert.get(), ca.get());
  if (opts.json) {
    std::optional<trust::CaCertificate> compared;
    if (ca) compared = trust::CaCertificate::from_certificate(ca.get(), root.cert_path());
    print_json(ctx.out.out(), inspect_json(report, compared));
  } else {
    ctx.out.out() << pki::to_text(report);
  }
  return rejected_by_clients(report) ? kExitFailure : kExitOk;
}

void add_inspect_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "Explain a certificate and what would make clients reject it");
  cmd->add_option("file", opts->file, "PEM or DER certificate file, or - for standard input")->required();
  cmd->add_flag("--json", opts->json, "Print the report as JSON");
  cmd->footer("Examples:\n  devcert inspect localhost+2.pem\n"
              "  openssl s_client -connect localhost:8443 </dev/null | devcert inspect -");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_inspect(*opts, ctx); });
}

}  // namespace devcert::cli
