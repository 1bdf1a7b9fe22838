// File-system helpers with the guarantees devcert promises: atomic writes with exact modes,
// private directories, and an exclusive lock.
#pragma once

#include <sys/types.h>

#include <cstddef>

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

// How much devcert reads from one input: enough for any real one, little enough that a wrong
// path (/dev/zero, a log, a FIFO that never ends) is an error instead of exhausted memory.
// 1 MiB: a certificate chain, key, CSR or devcert.toml is a few KB.
inline constexpr size_t kInputLimit = size_t{1} << 20;
// 16 MiB: a system CA bundle (Debian's ca-certificates.crt is ~220 KB, Fedora's
// ca-bundle.trust.crt ~500 KB) may grow, but not by two orders of magnitude.
inline constexpr size_t kBundleLimit = size_t{16} << 20;

// Writes a certificate whose private key devcert does not hold (signed from a CSR) to
// `cert_path`. A file at `stale_key_path` (the key of the certificate being replaced, when
// not empty) is first renamed to a free "KEY.replaced" (".replaced-2", ...) beside it, never
// deleted, so the new certificate never sits beside a key that is not its own; both under the
// lock write_key_and_certificate takes, so a crash leaves the old pair, the old certificate
// alone, or the new certificate alone. Returns where the old key went, if it was there.
std::optional<stdfs::path> write_certificate_retiring_key(const stdfs::path& cert_path, std::string_view cert_pem,
                                                          const stdfs::path& stale_key_path);

// The whole file; throws devcert::Error naming the file when it cannot be read or holds more
// than `limit` bytes. Reads at most limit+1 bytes whatever the file claims its size is.
std::string read_file(const stdfs::path& path, size_t limit = kInputLimit);

// All of standard input, under the same limit.
std::string read_standard_input(size_t limit = kInputLimit);

// Creates `dir` (and parents) when missing; a directory devcert creates gets exactly `mode`.
// Throws when `dir` exists and is not a directory.
void ensure_directory(const stdfs::path& dir, mode_t mode);

// What a file that is not a regular one is, for a refusal: "a FIFO", "a symbolic link"...
std::string file_type_name(mode_t mode);

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
