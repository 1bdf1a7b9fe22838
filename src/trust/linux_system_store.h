// The Linux system store: an anchor file in the distribution's directory plus its update
// command, from a table of the layouts mkcert and smallstep's truststore know. Plain files and
// a CommandRunner, so it is tested on any host against a fake root.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

struct LinuxLayout {
  std::string family;                   // "Debian/Ubuntu", "Fedora/RHEL", "Arch", "openSUSE", "Alpine"
  std::vector<std::string> ids;         // os-release ID / ID_LIKE values that select it
  stdfs::path anchors_dir;              // absolute, as on the real system
  std::string extension;                // ".crt" or ".pem": the only ones the update tool reads
  std::vector<std::string> update_argv;
  stdfs::path bundle;                   // the PEM bundle the update writes and clients read
  std::string install_hint;             // the package command that brings update_argv[0]
  stdfs::path links_dir;                // Debian/Alpine: where the update links each anchor
  stdfs::path java_cacerts;             // Debian: the keystore its update hook copies anchors into
  // The image's own package manager, non-interactive, adding what update_argv needs: a
  // Containerfile's RUN line, and the fix when a container's image lacks it (devcert installs
  // nothing into an image itself).
  std::string image_install;
};

const std::vector<LinuxLayout>& linux_layouts();

// From `root`/etc/os-release (ID, then ID_LIKE), else the first layout whose anchors
// directory exists under `root`.
std::optional<LinuxLayout> detect_linux_layout(const stdfs::path& root);

// The layout an os-release text names (ID, then each ID_LIKE word); a container's, read
// through its engine.
std::optional<LinuxLayout> layout_from_os_release(std::string_view os_release);

// The layout one of whose ids is `id` ("debian", "alpine", "fedora"): `snippet --base`.
std::optional<LinuxLayout> layout_with_id(std::string_view id);

// True when the PEM bundle `bundle_text` holds `ca` (its base64 body, whitespace ignored).
bool bundle_holds(std::string_view bundle_text, const CaCertificate& ca);

struct LinuxSystemOptions {
  stdfs::path root = "/";              // prefix for every path: tests point it at a fake tree
  std::optional<LinuxLayout> layout;   // detected under `root` when unset
  bool is_root = false;                // not root: writes and the update go through sudo
};

class LinuxSystemStore : public TrustStore {
 public:
  LinuxSystemStore(process::CommandRunner& runner, LinuxSystemOptions options);
  std::string name() const override { return "system"; }
  std::string where() override;
  Availability availability() override;
  bool contains(const CaCertificate& ca) override;
  void install(const CaCertificate& ca) override;
  void uninstall(const CaCertificate& ca) override;
  std::vector<StoreLocation> locations(const CaCertificate& ca) override;

  stdfs::path anchor_path(const CaCertificate& ca) const;  // under root
  std::optional<stdfs::path> bundle_path() const;          // under root, when known

 private:
  std::vector<std::string> privileged(std::vector<std::string> argv) const;
  void run_privileged(std::vector<std::string> argv, const std::string& input,
                      const std::string& what);
  void run_update();
  void remove_links(const CaCertificate& ca);
  void remove_java_copy(const CaCertificate& ca);
  stdfs::path rooted(const stdfs::path& p) const { return options_.root / p.relative_path(); }

  process::CommandRunner& runner_;
  LinuxSystemOptions options_;
  // Without root, the command that does the whole job as root, for a failing sudo step: the
  // step itself (say, mkdir of a directory that exists) is not what the person should rerun.
  std::string as_root_;
};

}  // namespace devcert::trust
