#include "pki/ca.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

#include "error.h"
#include "pki/certificate.h"
#include "util/fs.h"

namespace devcert::pki {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string octal_mode(mode_t mode) {
  std::ostringstream ss;
  ss << std::oct << (mode & 0777);
  return ss.str();
}

}  // namespace

stdfs::path default_caroot() {
  if (std::string v = env("DEVCERT_CAROOT"); !v.empty()) return v;
  return platform_data_dir() / "devcert";
}

std::string current_user_host() {
  std::string user = env("USER");
  if (const passwd* pw = getpwuid(getuid())) user = pw->pw_name;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return (user.empty() ? "user" : user) + "@" + (host[0] ? host : "localhost");
}

bool CaRoot::exists() const { return fs::file_mode(cert_path()).has_value(); }

InitResult CaRoot::init(const RootProfile& profile) const {
  fs::ensure_directory(dir_, 0700);
  fs::FileLock lock(dir_ / ".lock");
  InitResult result;
  if (exists()) {
    result.fingerprint = fingerprint_sha256(load_cert().get());
    return result;
  }
  // A key without a certificate is what an init killed between its two renames leaves. No
  // certificate ever named it, so nothing trusts it; still, keys are moved aside, never deleted.
  if (fs::file_mode(key_path())) {
    stdfs::path aside = dir_ / ("rootCA-key.pem.orphan-" + std::to_string(std::time(nullptr)));
    stdfs::rename(key_path(), aside);
    result.moved_aside = aside.string();
  }
  ossl::Pkey key = generate_key(profile.key_type);
  ossl::X509Ptr cert = build_root(profile, key.get());
  // The lock keeps other devcerts out; RENAME_NOREPLACE keeps a CA key that anything else put
  // there in the meantime from ever being replaced.
  if (!fs::write_file_new(key_path(), private_key_pem(key.get()), 0600))
    throw Error(key_path().string() + " appeared while devcert was creating the CA; devcert never writes over a CA key",
                "run 'devcert init' again: it keeps the CA that is there");
  fs::write_file_atomic(cert_path(), certificate_pem(cert.get()), 0644);
  result.created = true;
  result.fingerprint = fingerprint_sha256(cert.get());
  return result;
}

ossl::X509Ptr CaRoot::load_cert() const {
  if (auto mode = fs::file_mode(dir_); mode && !stdfs::is_directory(dir_))
    throw Error("the CAROOT " + dir_.string() + " is a file, not a directory",
                "move it away, or set DEVCERT_CAROOT to a directory");
  if (!exists())
    throw Error("no devcert CA in " + dir_.string(), "create one: devcert init");
  std::string pem = fs::read_file(cert_path());
  try {
    return load_certificate(pem, cert_path().string());
  } catch (const Error& e) {  // the same words, with the fix for a CA
    throw Error(e.what(), "restore it from a backup (devcert never rewrites a CA); without one, move " +
                              dir_.string() + " aside, then devcert init and devcert install");
  }
}

CertificateAuthority CaRoot::load() const {
  CertificateAuthority ca;
  ca.cert = load_cert();
  auto mode = fs::file_mode(key_path());
  if (!mode)
    throw Error("the CA key " + key_path().string() + " is missing; this CA can be trusted but cannot issue",
                "restore the key, or create a new CA in an empty DEVCERT_CAROOT with devcert init");
  // As ssh does with its keys: a CA key others can read is refused, not silently used.
  if (*mode & 077)
    throw Error("the CA key " + key_path().string() + " is readable by others (mode " +
                    octal_mode(*mode) + ")",
                "chmod 600 " + key_path().string());
  std::string key_pem = fs::read_file(key_path());
  try {
    ca.key = load_private_key(key_pem, key_path().string());
  } catch (const Error& e) {  // the same words, with the fix for a CA key
    throw Error(e.what(), "restore the CA key from a backup; a DER or encrypted copy converts with "
                          "openssl pkey -in COPY -out " + key_path().string());
  }
  if (!key_matches_certificate(ca.key.get(), ca.cert.get()))
    throw Error("the CA key " + key_path().string() + " does not match the certificate " +
                    cert_path().string(),
                "restore the matching pair; devcert never overwrites a CA key");
  return ca;
}

}  // namespace devcert::pki
