#include "cli/snippet_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>

#include "error.h"
#include "snippets/snippets.h"
#include "trust/selection.h"
#include "util/fs.h"

namespace devcert::cli {

namespace {

namespace stdfs = std::filesystem;

// `devcert issue` names a key after its certificate: NAME.pem and NAME-key.pem.
std::string key_beside(const std::string& cert_file) {
  std::string stem = cert_file.ends_with(".pem") ? cert_file.substr(0, cert_file.size() - 4) : cert_file;
  return stem + "-key.pem";
}

// What the README's quick start writes (devcert issue localhost 127.0.0.1 ::1), else what
// `devcert issue localhost` writes.
std::string default_cert_file() {
  for (const char* candidate : {"localhost+2.pem", "localhost.pem"})
    if (stdfs::exists(candidate)) return candidate;
  return "localhost+2.pem";
}

std::string absolute(const std::string& path) { return stdfs::absolute(path).lexically_normal().string(); }

// The container targets reference the root alone; a leaf's --cert/--key have no place there.
int run_root_snippet(const snippets::Target& target, const SnippetOptions& opts, Context& ctx) {
  if (!opts.cert_file.empty() || !opts.key_file.empty())
    throw UsageError(std::string(target.name) + " uses only the devcert root: --cert and --key are for the servers",
                     "devcert snippet " + std::string(target.name));
  trust::CaCertificate ca = trust::load_ca(ctx.caroot());
  snippets::Values values;
  values.root_file = absolute(ca.file.string());
  values.root_name = ca.name;
  values.base = snippets::find_base(opts.base);
  ctx.out.out() << snippets::render(target, values);
  return kExitOk;
}

}  // namespace

int run_snippet(const SnippetOptions& opts, Context& ctx) {
  if (opts.list) {
    for (const auto& t : snippets::targets())
      ctx.out.out() << std::string(t.name) << std::string(12 - std::min<size_t>(t.name.size(), 11), ' ') << t.summary << "\n";
    return kExitOk;
  }
  if (opts.target.empty())
    throw UsageError("name a target: devcert snippet TARGET (devcert snippet --list shows them)",
                     "devcert snippet node");
  const snippets::Target& target = snippets::find_target(opts.target);
  if (target.root_only) return run_root_snippet(target, opts, ctx);
  if (!opts.key_file.empty() && opts.cert_file.empty())
    throw UsageError("--key needs --cert: give both", "devcert snippet " + opts.target + " --cert F --key F");

  snippets::Values values;
  values.cert_file = absolute(opts.cert_file.empty() ? default_cert_file() : opts.cert_file);
  values.key_file = absolute(opts.key_file.empty() ? key_beside(values.cert_file) : opts.key_file);
  values.port = static_cast<std::uint16_t>(opts.port);
  values.upstream = opts.upstream;
  std::string text = snippets::render(target, values);

  if (opts.cert_file.empty() && !stdfs::exists(values.cert_file))
    ctx.out.warning("no certificate here yet: devcert issue localhost 127.0.0.1 ::1 writes the " +
                    values.cert_file + " and its key that this snippet loads");
  else
    for (const auto& file : {values.cert_file, values.key_file})
      if (!stdfs::exists(file)) ctx.out.warning(file + " does not exist (yet)");
  if (stdfs::is_regular_file(values.cert_file)) {
    try {
      for (const auto& problem :
           snippets::certificate_problems(fs::read_file(values.cert_file), values.cert_file))
        ctx.out.warning("clients will refuse " + values.cert_file + ": " + problem +
                        "; devcert issue localhost 127.0.0.1 ::1 makes one that works");
    } catch (const Error&) {
      // unreadable here: the server says so when it loads it
    }
  }
  ctx.out.out() << text;
  return kExitOk;
}

void add_snippet_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<SnippetOptions>();
  std::string names;
  for (const auto& t : snippets::targets()) names += (names.empty() ? "" : ", ") + std::string(t.name);
  auto* cmd = app.add_subcommand("snippet", "Print a server config or program that uses a certificate");
  cmd->add_option("target", opts->target, "One of: " + names);
  cmd->add_option("--cert", opts->cert_file,
                  "Certificate file (default ./localhost+2.pem, else ./localhost.pem, as devcert issue names them)");
  cmd->add_option("--key", opts->key_file, "Key file (default: the certificate's NAME-key.pem)");
  cmd->add_option("--port", opts->port, "Port to serve on (default 8443; 0: any free port, node/python/go)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--upstream", opts->upstream, "nginx, caddy: your app's plain http address (default 127.0.0.1:3000)");
  cmd->add_option("--base", opts->base,
                  "dockerfile: the base image's distribution: debian (default), ubuntu, alpine, fedora, rhel, arch, "
                  "opensuse...");
  cmd->add_flag("--list", opts->list, "List the targets");
  cmd->footer("Paths are written absolute, quoted for the target's language.\nExamples:\n"
              "  devcert issue localhost 127.0.0.1 ::1 && devcert snippet node > server.js\n"
              "  devcert snippet nginx --cert app.pem --key app-key.pem \\\n"
              "      --upstream 127.0.0.1:8080 > nginx.conf\n"
              "  devcert snippet dockerfile --base alpine >> Containerfile\n"
              "  devcert snippet compose > compose.override.yaml");
  cmd->callback([opts, &ctx, &exit_code] { exit_code = run_snippet(*opts, ctx); });
}

}  // namespace devcert::cli
