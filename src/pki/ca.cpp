#include "pki/ca.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

#include "error.h"
#include "pki/certificate.h"
#include "util/fs.h"

namespace devcert::pki {
namespace {

std::string octal_mode(mode_t mode) {
  std::ostringstream ss;
  ss << std::oct << (mode & 0777);
  return ss.str();
}

std::string user_name(uid_t uid) {
  if (const passwd* pw = getpwuid(uid)) return pw->pw_name;
  return std::to_string(uid);
}

// Under sudo, root runs devcert for the user who typed the command (SUDO_UID): that user's own
// CAROOT is theirs to use, as `sudo DEVCERT_CAROOT=... devcert install --firefox-policy` does.
// Read here with geteuid(), not from a command's Environment: it is who this process acts for,
// which a command's inputs must not be able to change.
bool sudo_invoked_by(uid_t owner) {
  const char* sudo_uid = std::getenv("SUDO_UID");
  return ::geteuid() == 0 && sudo_uid && std::to_string(owner) == sudo_uid;
}

// As ssh does with its keys and their directory: a CAROOT part that another local user could
// change (swap the pair before `install`) or, for the key, read is refused, not silently used.
// Root may own it too, as ssh allows: root can change anything anyway. Absence is the
// caller's to report.
void check_private(const stdfs::path& path, std::string_view what, mode_t forbidden, std::string_view fixed_mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0 && !sudo_invoked_by(st.st_uid))
    throw Error(std::string(what) + " " + path.string() + " belongs to " + user_name(st.st_uid) +
                    ", not to " + user_name(me) + " who runs devcert: that user could replace the CA",
                "if you trust what is there: chown -R " + user_name(me) + " " + path.string() +
                    "; else use a CAROOT of your own: DEVCERT_CAROOT=DIR devcert init");
  if (st.st_mode & forbidden)
    throw Error(std::string(what) + " " + path.string() + " is " +
                    (st.st_mode & forbidden & 044 ? "readable by others" : "writable by group or others") +
                    " (mode " + octal_mode(st.st_mode) + ")",
                "chmod " + std::string(fixed_mode) + " " + path.string());
}

// A CA file is a regular file or absent, seen with lstat: a link could point the key or the
// root anywhere (and a chmod would follow it), and a directory, FIFO or device is no CA file.
// The fix moves the thing aside rather than changing it.
void check_regular(const stdfs::path& path, std::string_view what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  throw Error(std::string(what) + " " + path.string() + " is " + fs::file_type_name(st.st_mode) +
                  ", not a regular file; devcert reads its CA only from regular files, never through a link",
              "move it aside (mv " + path.string() + " " + path.string() +
                  ".aside) and put the CA file itself there from a backup; without one, move the CAROOT "
                  "aside, then devcert init and devcert install");
}

// Why the text of rootCA.pem is not exactly one PEM certificate, or "". `env` hands this file
// to Node as NODE_EXTRA_CA_CERTS, which trusts every certificate in it: one appended after the
// root would be trusted without ever being checked here.
std::string not_one_certificate(std::string_view pem) {
  constexpr std::string_view space = " \t\r\n", begin = "-----BEGIN CERTIFICATE-----",
                             end = "-----END CERTIFICATE-----";
  size_t start = pem.find_first_not_of(space);
  if (start == std::string_view::npos || pem.substr(start, begin.size()) != begin)
    return "it does not begin with a PEM certificate (" + std::string(begin) + ")";
  size_t stop = pem.find(end, start);
  if (stop == std::string_view::npos) return "";  // truncated: the parser says so
  if (pem.find_first_not_of(space, stop + end.size()) != std::string_view::npos)
    return "it holds more than one certificate or other data after the root, and Node (given this file "
           "by devcert env) would trust every certificate in it";
  return "";
}

// Why `cert` cannot be this CAROOT's root, or "": a leaf or someone else's certificate put in
// its place must never sign, nor be installed as a trusted root.
std::string not_a_root(X509* cert) {
  uint32_t flags = X509_get_extension_flags(cert);
  if (!(flags & EXFLAG_CA)) return "it is not a CA certificate (no basicConstraints CA:TRUE)";
  if (!(flags & EXFLAG_KUSAGE) || !(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN))
    return "its keyUsage does not allow signing certificates (no keyCertSign)";
  if (X509_self_signed(cert, 1) != 1) return "it is not self-signed (a root signs itself)";
  return "";
}

}  // namespace

stdfs::path default_caroot(const Environment& env) {
  if (std::string v = env.get("DEVCERT_CAROOT"); !v.empty()) return v;
  return platform_data_dir(env) / "devcert";
}

std::string current_user_host(const Environment& env) {
  std::string user = env.get("USER");
  if (const passwd* pw = getpwuid(getuid())) user = pw->pw_name;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return (user.empty() ? "user" : user) + "@" + (host[0] ? host : "localhost");
}

bool CaRoot::exists() const { return fs::file_mode(cert_path()).has_value(); }

void CaRoot::check_directory() const {
  if (auto mode = fs::file_mode(dir_); mode && !stdfs::is_directory(dir_))
    throw Error("the CAROOT " + dir_.string() + " is a file, not a directory",
                "move it away, or set DEVCERT_CAROOT to a directory");
  check_private(dir_, "the CAROOT", 022, "700");
}

InitResult CaRoot::init(const RootProfile& profile, const KeyProgress& progress) const {
  if (stdfs::is_directory(dir_)) {  // before .lock is made in it
    check_directory();
    check_regular(key_path(), "the CA key");
    check_regular(cert_path(), "the CA certificate");
  }
  fs::ensure_directory(dir_, 0700);
  fs::FileLock lock(dir_ / ".lock");
  InitResult result;
  if (exists()) {  // checked whole, so that a damaged CA is reported here rather than at issue
    result.fingerprint = fingerprint_sha256(load().cert.get());
    return result;
  }
  // A key without a certificate is what an init killed between its two renames leaves. No
  // certificate ever named it, so nothing trusts it; still, keys are moved aside, never deleted.
  if (fs::file_mode(key_path())) {
    stdfs::path aside = dir_ / ("rootCA-key.pem.orphan-" + std::to_string(std::time(nullptr)));
    stdfs::rename(key_path(), aside);
    result.moved_aside = aside.string();
  }
  ossl::Pkey key = generate_key(profile.key_type, progress);
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
  check_directory();
  check_regular(cert_path(), "the CA certificate");
  if (!exists())
    throw Error("no devcert CA in " + dir_.string(), "create one: devcert init");
  check_private(cert_path(), "the CA certificate", 022, "644");
  const std::string fix = "restore it from a backup (devcert never rewrites a CA); without one, move " +
                          dir_.string() + " aside, then devcert init and devcert install";
  std::string pem = fs::read_file(cert_path());
  if (std::string why = not_one_certificate(pem); !why.empty())
    throw Error(cert_path().string() + " cannot be the devcert root: " + why,
                "keep only the root: openssl x509 -in " + cert_path().string() + " -out ROOT.pem, check it, then mv "
                "ROOT.pem " + cert_path().string() + "; or " + fix);
  ossl::X509Ptr cert;
  try {
    cert = load_certificate(pem, cert_path().string());
  } catch (const Error& e) {  // the same words, with the fix for a CA
    throw Error(e.what(), fix);
  }
  if (std::string why = not_a_root(cert.get()); !why.empty())
    throw Error(cert_path().string() + " cannot be the devcert root: " + why, fix);
  return cert;
}

CertificateAuthority CaRoot::load() const {
  CertificateAuthority ca;
  ca.cert = load_cert();
  check_regular(key_path(), "the CA key");
  if (!fs::file_mode(key_path()))
    throw Error("the CA key " + key_path().string() + " is missing; this CA can be trusted but cannot issue",
                "restore the key, or create a new CA in an empty DEVCERT_CAROOT with devcert init");
  check_private(key_path(), "the CA key", 077, "600");
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
