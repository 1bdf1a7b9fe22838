// Where devcert may write: the rule every output path of a run passes before its first byte.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace devcert::fs {

namespace stdfs = std::filesystem;

struct OutputPath {
  stdfs::path path;
  // How the user named it, to start each refusal: "--key-file" or "devcert.toml:7:7: key".
  std::string named_by;
  bool from_command_line = false;  // two such names for one file are a usage error (exit 2)
  stdfs::path confined_to;         // a project's directory, for a project file's paths; else empty
};

// A file this run reads (the devcert.toml, a CSR, a password file): no output may replace it.
struct InputPath {
  stdfs::path path;
  std::string named_by;  // "--csr", "--p12-password-file", "the project file"
};

// Refuses, before anything is written, the outputs of one run that would replace what devcert
// must not: a file in the CAROOT (by resolved directory, and by inode, so a hard link to the
// CA key is caught too); anything that exists and is neither a regular file nor a symlink (a
// symlink is replaced, never followed: FIFOs, sockets, devices and directories are refused);
// a path outside its `confined_to` once its parent directories' symlinks are resolved; one
// file named twice; one of the run's `inputs` (by path or inode); and a directory that cannot
// hold it (missing directories may be made, but nothing on the way may be a file), so that a
// later output's refusal never comes after an earlier one's write. Missing directories are
// resolved as written, so the CAROOT and confinement checks see where they will be made. Linear
// in the number of outputs. Throws devcert::Error naming the path and why (exit 1, or 2 when
// both names of a shared path came from the command line).
void check_output_paths(const std::vector<OutputPath>& outputs, const stdfs::path& caroot,
                        const std::vector<InputPath>& inputs = {});

}  // namespace devcert::fs
