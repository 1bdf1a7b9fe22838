// `devcert verify-server URL --from-container NAME`: the diagnosis run where the container's
// clients run. The devcert binary links nothing but glibc (DEVCERT_STATIC_DEPS in CMakeLists.txt
// makes OpenSSL, libidn2, libpsl, SQLite and libstdc++ static), so a copy of it runs in any
// glibc-based image; the root goes along so the diagnosis tells a devcert leaf from a stranger's.
#include <filesystem>
#include <sstream>

#include "cli/wss_commands.h"
#include "error.h"
#include "trust/container_store.h"
#include "trust/selection.h"

namespace devcert::cli {
namespace {

namespace stdfs = std::filesystem;

// The Linux kernel's name for the running executable: the binary copied in must be a Linux one,
// so where this link does not exist there is nothing to copy.
stdfs::path own_executable() {
  std::error_code ec;
  stdfs::path self = stdfs::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw Error("cannot find devcert's own executable to copy into the container (/proc/self/exe: " + ec.message() +
                    ")",
                "run verify-server --from-container on Linux, where the container's kernel runs this binary");
  return self;
}

// Runs through the container's engine; a failure is an Error naming what and how to look.
class InContainer {
 public:
  InContainer(process::CommandRunner& runner, std::string engine, std::string name)
      : runner_(runner), engine_(std::move(engine)), name_(std::move(name)) {}
  ~InContainer() {
    if (!dir_.empty()) runner_.run({trust::container_exec_argv(engine_, name_, {"rm", "-rf", dir_})});
  }
  InContainer(const InContainer&) = delete;
  InContainer& operator=(const InContainer&) = delete;

  process::Result exec(const std::vector<std::string>& argv, const std::string& input = {}) {
    return runner_.run({trust::container_exec_argv(engine_, name_, argv), {}, input});
  }
  process::Result checked(const std::vector<std::string>& argv, const std::string& what, bool copy = false,
                          const std::string& input = {}) {
    auto r = copy ? runner_.run({argv}) : exec(argv, input);
    if (!r.ok())
      throw Error("cannot " + what + " in " + engine_ + " container '" + name_ + "': " +
                      trust::tool_message(r.err, r.out),
                  "run it yourself to see why: " +
                      process::display(copy ? argv : trust::container_exec_argv(engine_, name_, argv)));
    return r;
  }
  // A private directory in the container's /tmp, removed when this goes.
  const std::string& make_dir() {
    auto r = checked({"mktemp", "-d", "/tmp/devcert.XXXXXX"}, "make a directory");
    std::string dir = r.out.substr(0, r.out.find('\n'));
    if (dir.rfind("/tmp/devcert.", 0) != 0)
      throw Error("mktemp in " + engine_ + " container '" + name_ + "' printed no directory");
    dir_ = dir;
    return dir_;
  }
  void copy_in(const stdfs::path& file, const std::string& to) {
    checked(trust::container_copy_argv(engine_, file, name_, to), "copy " + file.filename().string(), true);
  }
  void write(const std::string& path, const std::string& text) {
    checked({"tee", path}, "write " + path, false, text);
    checked({"chmod", "0644", path}, "make " + path + " readable");
  }

 private:
  process::CommandRunner& runner_;
  std::string engine_;
  std::string name_;
  std::string dir_;
};

}  // namespace

int run_verify_from_container(const VerifyServerOptions& opts, Context& ctx) {
  if (opts.url.empty())
    throw UsageError("--from-container diagnoses a URL: the self test runs on the host",
                     "devcert verify-server https://host.containers.internal:8443/ --from-container " +
                         opts.from_container);
  // A client key does not leave the host for a container.
  if (!opts.client_cert_file.empty() || !opts.client_key_file.empty() || !opts.cert_file.empty() ||
      !opts.key_file.empty() || opts.require_trust)
    throw UsageError("--from-container takes no --client-cert/--client-key (a key stays on the host), nor the self "
                     "test's --cert, --key or --require-trust",
                     "devcert verify-server URL --from-container " + opts.from_container);
  trust::check_container_name(opts.from_container);
  std::string engine = trust::pick_container_engine(opts.engine, ctx.runner);
  // Reachable, and a Linux distribution: the same check as install --container.
  trust::find_container(engine, opts.from_container, ctx.runner);
  stdfs::path self = own_executable();

  InContainer box(ctx.runner, engine, opts.from_container);
  std::string dir = box.make_dir();
  std::string caroot = dir + "/caroot";
  box.checked({"mkdir", "-m", "0700", caroot}, "make a directory");
  box.copy_in(self, dir + "/devcert");
  std::vector<std::string> argv{"env", "DEVCERT_CAROOT=" + caroot};
  // The same marks and words as the host's output: the locale devcert draws them from.
  for (const char* name : {"LC_ALL", "LANG"})
    if (std::string value = ctx.env.get(name); !value.empty()) argv.push_back(std::string(name) + "=" + value);
  argv.push_back(dir + "/devcert");
  if (ctx.out.quiet) argv.push_back("--quiet");
  argv.insert(argv.end(), {"verify-server", opts.url, "--in-container", opts.from_container});
  // Only the root certificate goes in, never its key: the diagnosis reads nothing else.
  try {
    box.write(caroot + "/rootCA.pem", trust::load_ca(ctx.caroot()).pem);
  } catch (const Error&) {
    // no CA here: the diagnosis inside says what it sees without one
  }
  if (!opts.ca_file.empty()) {
    box.copy_in(opts.ca_file, dir + "/ca.pem");
    argv.insert(argv.end(), {"--ca", dir + "/ca.pem"});
  }
  if (!opts.origin.empty()) argv.insert(argv.end(), {"--origin", opts.origin});
  if (!opts.subprotocol.empty()) argv.insert(argv.end(), {"--subprotocol", opts.subprotocol});
  std::ostringstream timeout;
  timeout << opts.timeout_seconds;  // 10, 2.5: as the user wrote it, not std::to_string's 10.000000
  argv.insert(argv.end(), {"--timeout", timeout.str()});
  if (opts.no_echo) argv.push_back("--no-echo");
  if (opts.json) argv.push_back("--json");

  auto r = box.exec(argv);
  // 126/127: the copy could not start there (an image without glibc, such as Alpine's musl);
  // 125 and up: the engine failed (the container stopped meanwhile).
  if (!r.started || r.exit_code < 0 || r.exit_code >= 125)
    throw Error("devcert cannot run inside " + engine + " container '" + opts.from_container +
                    "': " + trust::tool_message(r.err, r.out),
                "the copy needs a glibc-based image (Debian, Ubuntu, Fedora...); on Alpine add gcompat "
                "(apk add gcompat), or diagnose from the host: devcert verify-server " + opts.url);
  ctx.out.out() << r.out;
  // The copy's own warnings, through this devcert's voice; anything else it said, marked as its.
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    if (line.empty()) continue;
    if (line.rfind("warning: ", 0) == 0) ctx.out.warning(line.substr(9));
    else ctx.out.warning("in the container: " + line);
  }
  return r.exit_code == 0 ? kExitOk : kExitFailure;
}

}  // namespace devcert::cli
