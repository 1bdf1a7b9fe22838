#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "error.h"
#include "pki/ca.h"
#include "pki/inspect.h"
#include "pki/keys.h"
#include "util/fs.h"

namespace devcert::cli {

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
  bool has_error = std::any_of(report.findings.begin(), report.findings.end(),
                               [](const pki::Finding& f) { return f.severity == "error"; });
  if (opts.json) {
    nlohmann::json j = pki::to_json(report);
    j["ok"] = !has_error;
    ctx.out.out() << j.dump(2) << "\n";
  } else {
    ctx.out.out() << pki::to_text(report);
  }
  return has_error ? kExitFailure : kExitOk;
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
