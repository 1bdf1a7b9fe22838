// The per-user CAROOT: where the root lives, how it is created once, and how it is loaded.
#pragma once

#include <filesystem>
#include <string>

#include "ossl/handles.h"
#include "pki/keys.h"
#include "pki/profiles.h"
#include "util/environment.h"

namespace devcert::pki {

namespace stdfs = std::filesystem;

// DEVCERT_CAROOT; else $XDG_DATA_HOME/devcert; else ~/.local/share/devcert (the platform's
// per-user data directory on macOS and Windows).
stdfs::path default_caroot(const Environment& env);

// The per-user data directory: $XDG_DATA_HOME or ~/.local/share on Linux,
// ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows (caroot-<platform>.cpp).
stdfs::path platform_data_dir(const Environment& env);

// "user@host" of the current user (its passwd entry, else $USER), for the root's subject.
std::string current_user_host(const Environment& env);

struct CertificateAuthority {
  ossl::X509Ptr cert;
  ossl::Pkey key;
};

struct InitResult {
  bool created = false;
  std::string fingerprint;  // SHA-256, colon separated
  std::string moved_aside;  // a key left by an interrupted init, moved (never deleted), or ""
};

class CaRoot {
 public:
  explicit CaRoot(stdfs::path dir) : dir_(std::move(dir)) {}

  const stdfs::path& dir() const { return dir_; }
  stdfs::path cert_path() const { return dir_ / "rootCA.pem"; }
  stdfs::path key_path() const { return dir_ / "rootCA-key.pem"; }

  // A CA exists when its certificate does: the key is always written first.
  bool exists() const;

  // Creates the CA unless one exists (idempotent), under an exclusive lock on CAROOT. An
  // existing CA is loaded whole (load()), so a damaged one throws instead of passing.
  InitResult init(const RootProfile& profile, const KeyProgress& progress = {}) const;

  // The CA certificate alone (enough to install trust), checked: a root (CA:TRUE, keyCertSign,
  // self-signed), in a directory and file only this user (or root) can change. Throws with the
  // fix otherwise.
  ossl::X509Ptr load_cert() const;

  // Certificate and key, checked as load_cert() does, and the key: private (0600), owned by
  // this user, matching the certificate.
  CertificateAuthority load() const;

 private:
  void check_directory() const;

  stdfs::path dir_;
};

}  // namespace devcert::pki
