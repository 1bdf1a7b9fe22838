#include <sys/stat.h>

#include <optional>

#include <unordered_map>
#include <unordered_set>

#include "error.h"
#include "util/fs.h"
#include "util/output_paths.h"
#include "util/text.h"

namespace devcert::fs {
namespace {

struct FileId {
  dev_t dev;
  ino_t ino;
  bool operator==(const FileId&) const = default;
};
struct FileIdHash {
  size_t operator()(const FileId& id) const { return std::hash<ino_t>()(id.ino) ^ (std::hash<dev_t>()(id.dev) << 1); }
};

std::optional<FileId> id_of(const stdfs::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

// What a non-regular file is, for the refusal; empty for what devcert may replace.
std::string forbidden_kind(mode_t mode) {
  if (S_ISREG(mode) || S_ISLNK(mode)) return {};
  return file_type_name(mode);
}

bool is_within(const stdfs::path& path, const stdfs::path& dir) {
  stdfs::path rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

// Resolves each output's parent directory once (its symlinks followed, parts not created yet
// kept as written); the output's own name is not followed, as the write replaces it.
class Resolver {
 public:
  stdfs::path parent_of(const stdfs::path& path) {
    stdfs::path parent = stdfs::absolute(path).parent_path();
    auto [it, fresh] = cache_.try_emplace(parent.string());
    if (fresh) {
      std::error_code ec;
      it->second = stdfs::weakly_canonical(parent, ec);
      if (ec) it->second = parent.lexically_normal();
    }
    return it->second;
  }

 private:
  std::unordered_map<std::string, stdfs::path> cache_;
};

// The CAROOT as a directory and as the set of files in it (a hard link elsewhere is one of them).
struct Caroot {
  stdfs::path dir;
  std::optional<FileId> dir_id;
  std::unordered_set<FileId, FileIdHash> files;

  explicit Caroot(const stdfs::path& caroot) {
    std::error_code ec;
    dir = stdfs::weakly_canonical(stdfs::absolute(caroot), ec);
    if (ec) dir = stdfs::absolute(caroot).lexically_normal();
    dir_id = id_of(dir);
    for (stdfs::directory_iterator it(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec))
      if (auto id = id_of(it->path())) files.insert(*id);
  }

  bool holds_directory(const stdfs::path& resolved_dir) const {
    if (is_within(resolved_dir, dir)) return true;
    auto id = id_of(resolved_dir);
    return id && dir_id && *id == *dir_id;
  }
};

// Why `dir` cannot hold a new file, or "" when it can: the nearest part of it that exists must be
// a directory (the rest is made before the write, for a flag's path as for a project file's).
std::string unusable_directory(const stdfs::path& dir) {
  struct stat st{};
  stdfs::path at = dir.empty() ? stdfs::path(".") : dir;
  while (::stat(at.c_str(), &st) != 0) {
    stdfs::path up = at.parent_path().empty() ? stdfs::path(".") : at.parent_path();
    if (up == at) return text::printable(at.string()) + " cannot be reached";
    at = up;
  }
  if (!S_ISDIR(st.st_mode)) return text::printable(at.string()) + " is not a directory";
  return {};
}

}  // namespace

void check_output_paths(const std::vector<OutputPath>& outputs, const stdfs::path& caroot_dir,
                        const std::vector<InputPath>& inputs) {
  Caroot caroot(caroot_dir);
  Resolver resolver;
  // Each input by where it resolves (so "./r.csr" is "r.csr") and by what it is (a link to it).
  std::unordered_map<std::string, const InputPath*> input_paths;
  std::unordered_map<FileId, const InputPath*, FileIdHash> input_files;
  for (const InputPath& in : inputs) {
    input_paths.try_emplace((resolver.parent_of(in.path) / in.path.filename()).string(), &in);
    if (auto id = id_of(in.path)) input_files.try_emplace(*id, &in);
  }
  std::unordered_map<std::string, const OutputPath*> seen;
  for (const OutputPath& out : outputs) {
    std::string shown = out.named_by + " " + text::printable(out.path.string());
    auto refuse = [&](const std::string& why, const std::string& fix, int code = kExitFailure) {
      throw Error(shown + ": " + why, fix, code);
    };
    stdfs::path name = out.path.filename();
    if (name.empty() || name == "." || name == "..") refuse("does not name a file", "give a file name, e.g. dev.pem");
    stdfs::path dir = resolver.parent_of(out.path);
    stdfs::path resolved = dir / name;
    if (caroot.holds_directory(dir))
      refuse("is in the CAROOT (" + caroot.dir.string() + "), which holds only the CA; devcert never writes there",
             "write it somewhere else, e.g. in your project");
    if (std::string why = unusable_directory(out.path.parent_path()); !why.empty())
      refuse("cannot be written: " + why,
             out.confined_to.empty() ? "give another path, or move the file that is in its way"
                                     : "change the path in the project file, or move the file that is in its way");
    const InputPath* input = nullptr;
    if (auto it = input_paths.find(resolved.string()); it != input_paths.end()) input = it->second;
    struct stat st{};
    if (::lstat(out.path.c_str(), &st) == 0) {
      if (auto it = input_files.find(FileId{st.st_dev, st.st_ino}); !input && S_ISREG(st.st_mode) && it != input_files.end())
        input = it->second;
      if (std::string kind = forbidden_kind(st.st_mode); !kind.empty())
        refuse("is " + kind + "; devcert replaces only regular files and symlinks",
               "choose another path, or remove it if you meant to replace it");
      if (S_ISREG(st.st_mode) && caroot.files.contains(FileId{st.st_dev, st.st_ino}))
        refuse("is a hard link to a file in the CAROOT (" + caroot.dir.string() + "); devcert never replaces it",
               "choose another path");
    }
    if (input)
      refuse("is " + input->named_by + ", which this run reads; writing there would destroy it",
             "give the output another path");
    if (!out.confined_to.empty()) {
      stdfs::path project = resolver.parent_of(out.confined_to / "x");
      if (!is_within(resolved, project))
        refuse("resolves to " + text::printable(resolved.string()) + ", outside the project directory " +
                   text::printable(project.string()) + "; a project file writes only inside its project",
               "use a relative path below " + text::printable(project.string()) +
                   ", with no symlinked directory leading out");
    }
    auto [it, fresh] = seen.try_emplace(resolved.string(), &out);
    if (!fresh)
      refuse("is also named by " + it->second->named_by + "; one run would write two files to one path, and keep only the last",
             "give each output its own path", out.from_command_line || it->second->from_command_line ? kExitUsage
                                                                                                  : kExitFailure);
  }
}

}  // namespace devcert::fs
