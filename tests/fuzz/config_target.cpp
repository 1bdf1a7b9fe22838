#include "config/config.h"
#include "error.h"
#include "fuzz/targets.h"
#include "pki/keys.h"
#include "pki/names.h"
#include "pki/profiles.h"

namespace devcert::fuzz {

void config(std::string_view data) {
  const std::string source = "/project/devcert.toml";
  config::ProjectFile file;
  try {
    file = config::parse(data, source);
  } catch (const Error& e) {
    // Every error places itself: "FILE:LINE:COLUMN: ..."
    DEVCERT_FUZZ_CHECK(std::string_view(e.what()).starts_with(source + ":"));
    return;
  }
  DEVCERT_FUZZ_CHECK(file.path == source);
  if (file.ca.key_type) pki::parse_key_type(*file.ca.key_type);
  if (file.ca.days) DEVCERT_FUZZ_CHECK(*file.ca.days >= 1 && *file.ca.days <= 3650);
  for (const config::CertEntry& cert : file.certs) {
    DEVCERT_FUZZ_CHECK(cert.where.starts_with(source + ":"));
    DEVCERT_FUZZ_CHECK(!cert.names.empty());
    for (const std::string& name : cert.names) pki::classify_name(name);  // validated: never throws
    if (cert.key_type) pki::parse_key_type(*cert.key_type);
    if (cert.days) DEVCERT_FUZZ_CHECK(*cert.days >= 1 && *cert.days <= pki::kMaxLeafDays);
    // Outputs are files, resolved against the file's directory, and never the same file.
    for (const config::stdfs::path& p : {cert.cert, cert.key}) {
      DEVCERT_FUZZ_CHECK(p.is_absolute() && p.has_filename());
      DEVCERT_FUZZ_CHECK(p.filename() != "." && p.filename() != "..");
    }
    DEVCERT_FUZZ_CHECK(cert.cert.lexically_normal() != cert.key.lexically_normal());
    if (!cert.p12.empty()) DEVCERT_FUZZ_CHECK(cert.p12.lexically_normal() != cert.key.lexically_normal());
  }
}

}  // namespace devcert::fuzz
