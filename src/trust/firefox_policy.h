// Firefox's enterprise policy file, so that profiles made after install trust the root too
// ({"policies": {"Certificates": {"Install": [ROOT]}}}). Opt-in: Firefox then says it is
// managed by your organisation. System-wide, so it needs root like the system store.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "trust/nss_store.h"
#include "trust/store.h"

namespace devcert::trust {

// Debian's firefox-esr reads SysConfD/policies/policies.json first, and SysConfD is "/etc/" +
// application.ini's Name lowercased ("Firefox"), not the package name: /etc/firefox-esr/policies
// is ignored, /usr/lib/firefox-esr/distribution/policies.json only read when this one is absent
// (EnterprisePoliciesParent.sys.mjs in its omni.ja; the Firefox browser test proves it).
inline const stdfs::path kFirefoxPolicyFile = "/etc/firefox/policies/policies.json";

// The JSON edits, on the file's text. All throw devcert::Error naming `file` when the text is
// not a policies.json devcert can edit (not JSON, or a key of the wrong type), changing nothing.
bool policy_lists_root(const std::string& text, const std::string& root, const stdfs::path& file);
// `text` (empty: no file yet) with `root` appended to policies.Certificates.Install; every
// other key and entry kept.
std::string policy_with_root(const std::string& text, const std::string& root, const stdfs::path& file);
// `text` without `root`, and without Install / Certificates when that leaves them empty;
// nullopt when nothing at all is left (a file devcert created).
std::optional<std::string> policy_without_root(const std::string& text, const std::string& root,
                                               const stdfs::path& file);

struct FirefoxPolicyOptions {
  stdfs::path file = kFirefoxPolicyFile;
  bool is_root = false;
  stdfs::path home;  // $HOME, for the sudo command a refusal suggests
};

// install remembers the file's bytes in CAROOT (firefox-policy-undo.json), so that uninstall
// restores them byte for byte, or removes the file devcert created; when the file was edited
// in between, uninstall removes only our entry.
class FirefoxPolicyStore : public TrustStore {
 public:
  // `profiles` (may be null): the NSS store whose Firefox profiles lose, on uninstall, the
  // copies of the root Firefox imported from the policy while it was there.
  explicit FirefoxPolicyStore(FirefoxPolicyOptions options, std::unique_ptr<NssStore> profiles = nullptr)
      : options_(std::move(options)), profiles_(std::move(profiles)) {}
  std::string name() const override { return "firefox-policy"; }
  std::string where() override { return options_.file.string() + " (Firefox enterprise policy)"; }
  Availability availability() override { return Availability::yes(); }
  bool contains(const CaCertificate& ca) override;
  void install(const CaCertificate& ca) override;
  void uninstall(const CaCertificate& ca) override;
  // Its uninstall edits the Firefox profiles' databases, which the nss store also edits.
  std::vector<std::string> runs_after() const override { return {"nss"}; }
  std::vector<StoreLocation> locations(const CaCertificate& ca) override {
    return {{"Firefox enterprise policy", options_.file, stdfs::exists(options_.file), contains(ca)}};
  }

 private:
  std::optional<std::string> read_policy() const;
  void remove_entry(const CaCertificate& ca, const std::string& policy_text);
  void require_root(const CaCertificate& ca, const std::vector<std::string>& command) const;

  FirefoxPolicyOptions options_;
  std::unique_ptr<NssStore> profiles_;
};

}  // namespace devcert::trust
