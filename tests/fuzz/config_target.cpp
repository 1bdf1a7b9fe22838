#include <set>
#include <utility>

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
    // Classified as the command line classifies them, and none twice.
    std::set<std::pair<pki::NameKind, std::string>> distinct;
    for (const pki::SubjectName& name : cert.names) {
      DEVCERT_FUZZ_CHECK(pki::classify_name(name.input) == name);
      DEVCERT_FUZZ_CHECK(distinct.emplace(name.kind, name.value).second);
    }
    if (cert.key_type) pki::parse_key_type(*cert.key_type);
    if (cert.days) DEVCERT_FUZZ_CHECK(*cert.days >= 1 && *cert.days <= pki::kMaxLeafDays);
    // Outputs are files inside the file's directory (as text; the disk is checked before writing).
    for (const config::stdfs::path& p : {cert.cert, cert.key}) {
      DEVCERT_FUZZ_CHECK(p.is_absolute() && p.has_filename());
      DEVCERT_FUZZ_CHECK(p.filename() != "." && p.filename() != "..");
    }
    for (const config::stdfs::path& p : {cert.cert, cert.key, cert.p12}) {
      if (p.empty()) continue;
      config::stdfs::path inside = p.lexically_normal().lexically_relative("/project");
      DEVCERT_FUZZ_CHECK(!inside.empty() && *inside.begin() != "..");
    }
    for (const std::string* named_by : {&cert.cert_named_by, &cert.key_named_by, &cert.p12_named_by})
      DEVCERT_FUZZ_CHECK(named_by->starts_with(source + ":"));
  }
}

}  // namespace devcert::fuzz
