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
  return pki::clients_reject(report) ? kExitFailure : kExitOk;
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
