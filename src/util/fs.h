// File-system helpers with the guarantees devcert promises: atomic writes with exact modes,
// private directories, and an exclusive lock.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace devcert::fs {

namespace stdfs = std::filesystem;

// Writes `data` to `path` so that readers see either the old file or the whole new one:
// a temporary file in the same directory, written, fsync'd, given exactly `mode` (whatever
// the umask), renamed over `path`, then the directory fsync'd.
void write_file_atomic(const stdfs::path& path, std::string_view data, mode_t mode);

// Like write_file_atomic, but never replaces anything: the file gets `path`'s name only if no
// file has it at that moment (RENAME_NOREPLACE, or link() where that is missing), so a check
// made earlier cannot be raced. Returns false, having changed nothing, when `path` exists.
[[nodiscard]] bool write_file_new(const stdfs::path& path, std::string_view data, mode_t mode);

// Writes a private key (0600) and the certificate made for it (0644) so that no crash and no
// concurrent writer ever leaves the certificate beside a key that is not its own: both go to
// temporary files first, the old certificate is moved out of the way before the new key takes
// its name, and the new certificate comes last. Writers of the same pair take turns (a lock on
// the certificate's directory). On an error, the files that were there stay as they were.
void write_key_and_certificate(const stdfs::path& key_path, std::string_view key_pem,
                               const stdfs::path& cert_path, std::string_view cert_pem);

// The whole file; throws devcert::Error naming the file when it cannot be read.
std::string read_file(const stdfs::path& path);

// Creates `dir` (and parents) when missing; a directory devcert creates gets exactly `mode`.
// Throws when `dir` exists and is not a directory.
void ensure_directory(const stdfs::path& dir, mode_t mode);

// Permission bits of an existing file, or nullopt when it does not exist.
std::optional<mode_t> file_mode(const stdfs::path& path);

// An exclusive advisory lock (flock) on `path`, created 0600 when missing (or on the directory
// `path` names); blocks until held.
class FileLock {
 public:
  explicit FileLock(const stdfs::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace devcert::fs
