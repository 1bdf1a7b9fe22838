#include "trust/container_store.h"

#include <algorithm>

#include "error.h"

namespace devcert::trust {
namespace {

// What a container engine's exec exits with when the engine itself failed (no such container,
// not running) rather than the command inside: podman-exec(1), docker exec's reference.
constexpr int kEngineFailed = 125;
// The command inside could not be found or run (POSIX shells' convention, which both follow).
constexpr int kNoSuchCommand = 127;
constexpr int kCannotRun = 126;

// Podman exits 125 for its own errors and 255 for some (exec in a stopped container); a signal
// or a failure to start the engine is as bad.
bool engine_failed(const process::Result& r) {
  return !r.started || r.exit_code < 0 || r.exit_code == kEngineFailed || r.exit_code == 255;
}

std::string container_words(const ContainerTarget& t) { return t.engine + " container '" + t.name + "'"; }

// Why a container could not be reached, and how to reach it.
Error container_unreachable(std::string_view engine, std::string_view name, const process::Result& r) {
  std::string who = std::string(engine) + " container '" + std::string(name) + "'";
  std::string why = r.started ? tool_message(r.err, r.out) : std::string(engine) + " could not be run: " + r.err;
  return Error("cannot reach " + who + ": " + why,
               "start it (" + process::display({std::string(engine), "start", std::string(name)}) +
                   "); '" + std::string(engine) + " ps' lists the running containers");
}

// Debian's and Alpine's update-ca-certificates link each anchor into the links directory as
// NAME.pem, plus a hash link to that, and leave both dangling when the anchor goes (the host
// store's remove_links says why --fresh is not used). The script is fixed text; the directory
// and file name are its arguments, never part of it.
constexpr const char* kRemoveLinksScript =
    "for l in \"$1\"/*; do [ -L \"$l\" ] || continue; "
    "if [ \"${l##*/}\" = \"$2\" ] || [ \"$(readlink \"$l\")\" = \"$2\" ]; then rm -f -- \"$l\"; fi; done";

// `command -v` is a shell builtin: the one way to ask any image whether a tool is there.
constexpr const char* kHasCommandScript = "command -v -- \"$1\" >/dev/null";

}  // namespace

const std::vector<std::string>& container_engines() {
  static const std::vector<std::string> engines{"podman", "docker"};
  return engines;
}

std::string pick_container_engine(std::string_view requested, process::CommandRunner& runner) {
  const auto& known = container_engines();
  if (!requested.empty()) {
    if (std::find(known.begin(), known.end(), requested) == known.end())
      throw UsageError("--engine must be podman or docker, not '" + std::string(requested) + "'",
                       "devcert install --container NAME --engine podman");
    if (!runner.find_program(requested))
      throw Error(std::string(requested) + " is not installed (not found on PATH)",
                  "install it (sudo apt-get install " + std::string(requested == "docker" ? "docker.io" : "podman") +
                      "), or pass the engine you use: --engine podman|docker");
    return std::string(requested);
  }
  for (const auto& engine : known)
    if (runner.find_program(engine)) return engine;
  throw Error("no container engine found: neither podman nor docker is on PATH",
              "install one (sudo apt-get install podman), or put yours on PATH");
}

void check_container_name(std::string_view name) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  bool ok = !name.empty() && name.size() <= 253 && plain(name.front()) &&
            std::all_of(name.begin(), name.end(), [&](char c) { return plain(c) || c == '_' || c == '.' || c == '-'; });
  if (!ok) {
    std::string shown;
    for (unsigned char c : name) shown += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
    throw UsageError("'" + shown + "' is not a container name or ID: names are letters, digits, '_', '.' and '-', "
                     "beginning with a letter or digit",
                     "podman ps (or docker ps) lists the running containers' names and IDs");
  }
}

std::vector<std::string> container_exec_argv(std::string_view engine, std::string_view container,
                                             const std::vector<std::string>& argv) {
  check_container_name(container);
  std::vector<std::string> out{std::string(engine), "exec", "-i", "-u", "0", "--", std::string(container)};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::vector<std::string> container_copy_argv(std::string_view engine, const stdfs::path& file,
                                             std::string_view container, const stdfs::path& path) {
  check_container_name(container);
  return {std::string(engine), "cp", "--", file.string(), std::string(container) + ":" + path.string()};
}

ContainerTarget find_container(std::string_view engine, std::string_view name, process::CommandRunner& runner) {
  check_container_name(name);
  process::Result r;
  for (const char* file : {"/etc/os-release", "/usr/lib/os-release"}) {
    r = runner.run({container_exec_argv(engine, name, {"cat", file})});
    if (engine_failed(r)) throw container_unreachable(engine, name, r);
    if (r.ok()) break;
  }
  std::string who = std::string(engine) + " container '" + std::string(name) + "'";
  if (r.exit_code == kNoSuchCommand || r.exit_code == kCannotRun)
    throw Error("cannot read the distribution of " + who + ": its image has no cat (" + tool_message(r.err, r.out) + ")",
                "bake the root into the image instead: devcert snippet dockerfile --base debian");
  // cat names the file it could not read; any other failure is the engine's (Docker exits 1 for
  // a container that is not running, as cat does for a missing file).
  if (!r.ok() && r.err.find("os-release") == std::string::npos) throw container_unreachable(engine, name, r);
  auto layout = r.ok() ? layout_from_os_release(r.out) : std::nullopt;
  if (!layout) {
    std::string known;
    for (const auto& l : linux_layouts()) known += (known.empty() ? "" : ", ") + l.family;
    throw Error(who + " runs a distribution devcert does not know (its os-release names none of: " + known + ")",
                "mount the root at run time instead: devcert snippet compose");
  }
  return {std::string(engine), std::string(name), *layout};
}

ContainerStore::ContainerStore(process::CommandRunner& runner, ContainerTarget target)
    : runner_(runner), target_(std::move(target)) {}

process::Result ContainerStore::exec(const std::vector<std::string>& argv, const std::string& input) {
  return runner_.run({container_exec_argv(target_.engine, target_.name, argv), {}, input});
}

void ContainerStore::exec_or_throw(const std::vector<std::string>& argv, const std::string& input,
                                   const std::string& what) {
  auto r = exec(argv, input);
  if (engine_failed(r)) throw container_unreachable(target_.engine, target_.name, r);
  if (!r.ok())
    throw Error("cannot " + what + " in " + container_words(target_) + ": " + tool_message(r.err, r.out),
                "run it yourself to see why: " +
                    process::display(container_exec_argv(target_.engine, target_.name, argv)));
}

std::string ContainerStore::where() {
  return container_words(target_) + ": " + target_.layout.anchors_dir.string() + " (" + target_.layout.family + ")";
}

stdfs::path ContainerStore::anchor_path(const CaCertificate& ca) const {
  return target_.layout.anchors_dir / (ca.name + target_.layout.extension);
}

Availability ContainerStore::availability() {
  const std::string& tool = target_.layout.update_argv.front();
  auto r = exec({"sh", "-c", kHasCommandScript, "sh", tool});
  if (engine_failed(r)) {
    Error e = container_unreachable(target_.engine, target_.name, r);
    return Availability::no(e.what(), e.fix());
  }
  if (r.ok()) return Availability::yes();
  // Installing packages into someone's container is theirs to decide: name the line instead.
  return Availability::no(tool + " is not in the image of " + container_words(target_) + " (" +
                              target_.layout.family + " keeps it in ca-certificates)",
                          "add the package to the image (RUN " + target_.layout.image_install +
                              "), recreate the container, then rerun devcert install --container " + target_.name);
}

bool ContainerStore::contains(const CaCertificate& ca) {
  auto anchor = exec({"cat", anchor_path(ca).string()});
  if (!anchor.ok() || !ca.matches_pem(anchor.out)) return false;
  // An anchor the update never turned into the bundle is not trusted yet.
  auto bundle = exec({"cat", target_.layout.bundle.string()});
  return !bundle.ok() || bundle_holds(bundle.out, ca);
}

std::vector<StoreLocation> ContainerStore::locations(const CaCertificate& ca) {
  return {{target_.layout.family + " anchors in " + container_words(target_), target_.layout.anchors_dir, true,
           contains(ca)}};
}

void ContainerStore::install(const CaCertificate& ca) {
  stdfs::path anchor = anchor_path(ca);
  exec_or_throw({"mkdir", "-p", anchor.parent_path().string()}, {}, "create " + anchor.parent_path().string());
  // The paths come from the layout table, absolute, so no tool reads them as options. The
  // certificate travels on stdin; tee's copy of it on stdout is dropped.
  exec_or_throw({"tee", anchor.string()}, ca.pem, "write " + anchor.string());
  // 0644: the update tool and every client read anchors as any user.
  exec_or_throw({"chmod", "0644", anchor.string()}, {}, "make " + anchor.string() + " readable");
  exec_or_throw(target_.layout.update_argv, {}, "update the system store (" + target_.layout.update_argv.front() + ")");
}

void ContainerStore::uninstall(const CaCertificate& ca) {
  stdfs::path anchor = anchor_path(ca);
  if (!exec({"test", "-e", anchor.string()}).ok()) return;
  exec_or_throw({"rm", "-f", anchor.string()}, {}, "remove " + anchor.string());
  if (!target_.layout.links_dir.empty())
    exec_or_throw({"sh", "-c", kRemoveLinksScript, "sh", target_.layout.links_dir.string(), ca.name + ".pem"}, {},
                  "remove the links to " + ca.name + ".pem in " + target_.layout.links_dir.string());
  exec_or_throw(target_.layout.update_argv, {}, "update the system store (" + target_.layout.update_argv.front() + ")");
}

}  // namespace devcert::trust
