// devcert.toml, the project file: the certificates a project needs, checked in, so every
// developer gets the same ones from `devcert issue`. toml++ becomes plain structs here; nothing
// else includes toml++.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/names.h"

namespace devcert::config {

namespace stdfs = std::filesystem;

inline constexpr std::string_view kFileName = "devcert.toml";

// What `init` reads from [ca]; unset values keep the command's defaults.
struct CaSettings {
  std::optional<std::string> key_type;
  std::optional<int> days;
  std::vector<std::string> permit;
};

// One [[cert]] entry, validated. Output paths are relative to the file's directory and stay
// inside it (as text: no absolute path, no ".." leading out; fs::check_output_paths checks the
// symlinks on disk before writing); they are resolved against it, and default to NAME.pem and
// NAME-key.pem there (pki::default_leaf_files, as `devcert issue NAME...` names them).
struct CertEntry {
  std::vector<pki::SubjectName> names;  // pki::parse_subject_names': duplicates dropped
  // The same with the names containers call the host by, for `issue --for-containers` (equal to
  // `names` when the entry sets for_containers = true).
  std::vector<pki::SubjectName> names_for_containers;
  std::optional<std::string> key_type;
  std::optional<int> days;
  std::optional<bool> client;
  stdfs::path cert;
  stdfs::path key;
  stdfs::path p12;     // empty: no PKCS#12
  std::string where;   // "FILE:LINE:COLUMN" of the entry, to place later errors (constraints)
  // "FILE:LINE:COLUMN: cert" (key, p12) of each path's value, or of the entry for a default.
  std::string cert_named_by, key_named_by, p12_named_by;
  // cert and key are pki::default_leaf_files' for `names`: a caller that adds names renames them.
  bool default_cert = false, default_key = false;
};

struct ProjectFile {
  stdfs::path path;
  stdfs::path dir() const { return path.parent_path(); }  // where its outputs must stay
  CaSettings ca;
  std::vector<CertEntry> certs;
};

// Parses and validates the whole text (unknown keys, types, key types, names, days, output
// paths); linear in its size; throws devcert::Error whose message starts with "SOURCE:LINE:COLUMN: ". Relative paths
// are resolved against SOURCE's directory. Pure: reads no file.
ProjectFile parse(std::string_view text, std::string source);

// Reads (at most fs::kInputLimit bytes) and parses `path`.
ProjectFile load(const stdfs::path& path);

// devcert.toml in `start` or the nearest parent; the search stops after the repository root
// (a directory holding .git), after `home`, and at the file system root.
std::optional<stdfs::path> find_project_file(const stdfs::path& start, const std::optional<stdfs::path>& home);

// `--config FILE` when given (it must exist), else find_project_file from the current directory
// up to `home` ($HOME; empty: no home to stop at).
std::optional<ProjectFile> load_for_command(const std::string& config_option, const stdfs::path& home);

}  // namespace devcert::config
