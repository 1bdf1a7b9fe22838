#include "pki/widen.h"

#include <algorithm>

#include "error.h"
#include "pki/certificate.h"
#include "pki/keys.h"
#include "util/fs.h"

namespace devcert::pki {
namespace {

constexpr std::string_view kPreviousPrefix = "rootCA-previous-";

// The permits as a set of their own (add_permit parses and checks each).
PermittedSet parse_permits(const std::vector<std::string>& permits) {
  PermittedSet wanted;
  for (const auto& p : permits) add_permit(wanted, p);
  return wanted;
}

[[noreturn]] void throw_unconstrained(const CaRoot& root) {
  throw Error("the CA in " + root.dir().string() +
                  " has no name constraints: it already may sign any name, so there is nothing to widen "
                  "(mkcert's CAs and devcert init --unconstrained are made that way)",
              "issue the certificate directly: devcert issue NAME");
}

}  // namespace

stdfs::path previous_root_path(const CaRoot& root, X509* previous) {
  return root.dir() / (std::string(kPreviousPrefix) + fingerprint_hex(previous).substr(0, 16) + ".pem");
}

std::vector<stdfs::path> previous_roots(const CaRoot& root) {
  std::vector<stdfs::path> found;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(root.dir(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(kPreviousPrefix) && name.ends_with(".pem") && entry.is_regular_file(ec))
      found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

PermittedSet permits_missing(X509* cert, const std::vector<std::string>& permits) {
  std::optional<PermittedSet> before = read_name_constraints(cert);
  if (!before) return {};
  return not_covered(*before, parse_permits(permits));
}

Widening widen_root(const CaRoot& root, const std::vector<std::string>& permits) {
  // Every refusal before the lock file is made: a mkcert CAROOT has none, and stays as it was.
  PermittedSet wanted = parse_permits(permits);
  std::optional<PermittedSet> before = read_name_constraints(root.load_cert().get());
  if (!before) throw_unconstrained(root);
  if (!fs::file_mode(root.key_path()))
    throw Error("cannot widen the CA in " + root.dir().string() + ": it has no key (" + root.key_path().string() +
                    "), and only the key that signed a root can sign it again",
                "restore the key from a backup; or, for a CA of your own, create one in an empty CAROOT: "
                "DEVCERT_CAROOT=DIR devcert init --permit NAME");
  fs::FileLock lock(root.dir() / ".lock");
  CertificateAuthority ca = root.load();
  before = read_name_constraints(ca.cert.get());  // as it is under the lock
  if (!before) throw_unconstrained(root);
  Widening w;
  w.before = *before;
  // Only what the root does not cover yet: app.test adds nothing to a root permitting test.
  w.added = not_covered(w.before, wanted);
  w.after = w.before;
  for (const auto& d : w.added.domains) add_permit(w.after, d);
  for (const auto& r : w.added.ranges) add_permit(w.after, r.to_string());
  w.old_fingerprint = fingerprint_sha256(ca.cert.get());
  w.new_fingerprint = w.old_fingerprint;
  if (w.added.domains.empty() && w.added.ranges.empty()) return w;

  ossl::X509Ptr widened = reissue_root(ca.cert.get(), ca.key.get(), w.after);
  if (!key_matches_certificate(ca.key.get(), widened.get()) || X509_self_signed(widened.get(), 1) != 1)
    throw Error("the re-issued root did not verify against its own key; nothing was changed",
                "report this: devcert --version and the CA's key type");
  // The old root first: were devcert stopped between the two writes, the stores that trust it
  // can still be moved to the new one.
  w.previous_root = previous_root_path(root, ca.cert.get());
  fs::write_file_atomic(w.previous_root, certificate_pem(ca.cert.get()), 0644);
  fs::write_file_atomic(root.cert_path(), certificate_pem(widened.get()), 0644);
  w.changed = true;
  w.new_fingerprint = fingerprint_sha256(widened.get());
  return w;
}

}  // namespace devcert::pki
