#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <exception>
#include <random>
#include <sstream>
#include <thread>

#include "error.h"
#include "util/fs.h"
#include "util/os_calls.h"

namespace devcert::fs {
namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, std::string_view data, const stdfs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot write " + path.string() + ": " + errno_text());
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void fsync_directory(const stdfs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename itself is already atomic
  ::fsync(fd);
  ::close(fd);
}

stdfs::path directory_of(const stdfs::path& path) {
  return path.parent_path().empty() ? stdfs::path(".") : path.parent_path();
}

// ".NAME.tmp-PID-RANDOM" beside `path`: hidden, and never taken for the real file.
stdfs::path temporary_name(const stdfs::path& path) {
  std::random_device rd;
  std::ostringstream suffix;
  suffix << ".tmp-" << ::getpid() << "-" << std::hex << rd();
  return directory_of(path) / ("." + path.filename().string() + suffix.str());
}

// Temporary files of `path` whose writer is gone (killed: nothing else will ever remove them,
// and they may hold a private key). The writer's PID is in the name; a live one is left alone.
void remove_orphaned_temporaries(const stdfs::path& path) {
  std::string prefix = "." + path.filename().string() + ".tmp-";
  std::error_code ec;
  for (stdfs::directory_iterator it(directory_of(path), ec); !ec && it != stdfs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ::unlink(it->path().c_str());
  }
}

// `data` in a temporary file beside `path`, written and given exactly `mode`, then fsync'd
// (by the constructor, or by sync() when constructed with Sync::later); removed again unless
// rename_into_place() succeeded.
class TemporaryFile {
 public:
  enum class Sync { now, later };

  TemporaryFile(const stdfs::path& path, std::string_view data, mode_t mode, Sync when = Sync::now)
      : path_(path), tmp_(temporary_name(path)) {
    remove_orphaned_temporaries(path);
    // O_EXCL with the final mode from the start: the key is never readable by others, not even
    // for the instant before a chmod.
    int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0600);
    if (fd < 0) {
      std::string why = errno_text();
      tmp_.clear();
      throw Error("cannot create a file in " + directory_of(path).string() + ": " + why);
    }
    fd_ = fd;
    try {
      write_all(fd, data, path);
      if (::fchmod(fd, mode) != 0) throw Error("cannot chmod " + tmp_.string() + ": " + errno_text());
      if (when == Sync::now) sync();
    } catch (...) {
      ::close(fd_);
      ::unlink(tmp_.c_str());
      throw;
    }
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  // Makes the contents durable; idempotent. Must succeed before rename_into_place().
  void sync() {
    if (fd_ < 0) return;
    if (::fsync(fd_) != 0) throw Error("cannot fsync " + tmp_.string() + ": " + errno_text());
    ::close(fd_);
    fd_ = -1;
  }

  // Gives the file `path`'s name only if nothing has it: false (and nothing changed) when
  // `path` exists, whoever created it and however recently.
  bool publish_new() {
    sync();
    if (os_calls::rename_no_replace(tmp_.c_str(), path_.c_str()) == 0) {
      tmp_.clear();
      return true;
    }
    if (errno == EEXIST) return false;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
      throw Error("cannot write " + path_.string() + ": " + errno_text());
    // A file system that cannot rename without replacing: link() fails the same way on an
    // existing name.
    if (::link(tmp_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) return false;
      throw Error("cannot write " + path_.string() + ": " + errno_text());
    }
    return true;  // the destructor removes the temporary name
  }

  void rename_into_place() {
    sync();
    if (::rename(tmp_.c_str(), path_.c_str()) != 0)
      throw Error("cannot write " + path_.string() + ": " + errno_text());
    tmp_.clear();
  }

 private:
  stdfs::path path_;
  stdfs::path tmp_;
  int fd_ = -1;
};

// fsync both files at once: each fsync waits for a journal commit, and two that run together
// usually share one (on this project's ext4 test machine under load: 20 ms instead of 24 ms for
// the whole key+certificate write). The first error wins; both are always waited for.
void sync_both(TemporaryFile& a, TemporaryFile& b) {
  std::exception_ptr failed;
  {
    std::jthread other([&] {
      try {
        b.sync();
      } catch (...) {
        failed = std::current_exception();
      }
    });
    a.sync();
  }
  if (failed) std::rethrow_exception(failed);
}

}  // namespace

void write_file_atomic(const stdfs::path& path, std::string_view data, mode_t mode) {
  TemporaryFile(path, data, mode).rename_into_place();
  fsync_directory(directory_of(path));
}

bool write_file_new(const stdfs::path& path, std::string_view data, mode_t mode) {
  if (!TemporaryFile(path, data, mode).publish_new()) return false;
  fsync_directory(directory_of(path));
  return true;
}

void write_key_and_certificate(const stdfs::path& key_path, std::string_view key_pem,
                               const stdfs::path& cert_path, std::string_view cert_pem) {
  TemporaryFile key(key_path, key_pem, 0600, TemporaryFile::Sync::later);
  TemporaryFile cert(cert_path, cert_pem, 0644, TemporaryFile::Sync::later);
  sync_both(key, cert);
  FileLock turn(directory_of(cert_path));
  // Old certificate out, new key in, new certificate in: a kill between any two steps leaves
  // the old pair, a key alone, or the new pair. Renaming the old one aside (instead of
  // unlinking it) lets it come back if the key cannot be put in place.
  stdfs::path aside = temporary_name(cert_path);
  bool moved = ::rename(cert_path.c_str(), aside.c_str()) == 0;
  if (!moved && errno != ENOENT) throw Error("cannot write " + cert_path.string() + ": " + errno_text());
  try {
    key.rename_into_place();
    fsync_directory(directory_of(key_path));
  } catch (...) {
    if (moved) ::rename(aside.c_str(), cert_path.c_str());
    throw;
  }
  if (moved) ::unlink(aside.c_str());
  cert.rename_into_place();
  fsync_directory(directory_of(cert_path));
}

namespace {

// rename() that fails with EEXIST instead of replacing (link() where the file system cannot).
bool move_to_free_name(const stdfs::path& from, const stdfs::path& to) {
  if (os_calls::rename_no_replace(from.c_str(), to.c_str()) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return false;
  if (::link(from.c_str(), to.c_str()) != 0) return false;
  ::unlink(from.c_str());
  return true;
}

}  // namespace

std::optional<stdfs::path> write_certificate_retiring_key(const stdfs::path& cert_path, std::string_view cert_pem,
                                                          const stdfs::path& stale_key_path) {
  TemporaryFile cert(cert_path, cert_pem, 0644);
  FileLock turn(directory_of(cert_path));
  std::optional<stdfs::path> aside;
  struct stat st{};
  if (!stale_key_path.empty() && ::lstat(stale_key_path.c_str(), &st) == 0) {
    for (int n = 1; !aside; ++n) {
      stdfs::path candidate = stale_key_path.string() + (n == 1 ? ".replaced" : ".replaced-" + std::to_string(n));
      if (move_to_free_name(stale_key_path, candidate)) aside = candidate;
      else if (errno != EEXIST || n == 1000)
        throw Error("cannot move the old key " + stale_key_path.string() + " aside: " + errno_text(),
                    "move it away yourself: it belongs to the certificate being replaced");
    }
    fsync_directory(directory_of(stale_key_path));
  }
  cert.rename_into_place();
  fsync_directory(directory_of(cert_path));
  return aside;
}

namespace {

std::string size_text(size_t bytes) {
  return bytes % (size_t{1} << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

// Reads `fd` to its end, or throws once it has given more than `limit` bytes.
std::string read_bounded(int fd, const std::string& name, size_t limit) {
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, limit + 1 - data.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + name + ": " + errno_text());
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > limit)
      throw Error(name + " is larger than " + size_text(limit) + ", the most devcert reads from one input",
                  "check that it is the file you meant: a PEM certificate, key or CSR, or a devcert.toml, "
                  "is a few KB");
  }
}

}  // namespace

std::string read_file(const stdfs::path& path, size_t limit) {
  // O_NONBLOCK only for open(): a FIFO with no writer would otherwise hold open() forever; it now
  // reads as empty. Reads block again, as a device or a slow disk needs.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error("cannot read " + path.string() + ": " + errno_text());
  try {
    if (int flags = ::fcntl(fd, F_GETFL); flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    std::string data = read_bounded(fd, path.string(), limit);
    ::close(fd);
    return data;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::string read_standard_input(size_t limit) { return read_bounded(STDIN_FILENO, "standard input", limit); }

void ensure_directory(const stdfs::path& dir, mode_t mode) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw Error(dir.string() + " exists but is not a directory",
                                          "move it away or point DEVCERT_CAROOT elsewhere");
    return;
  }
  if (dir.has_parent_path() && dir.parent_path() != dir) ensure_directory(dir.parent_path(), 0755);
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
    throw Error("cannot create directory " + dir.string() + ": " + errno_text());
  ::chmod(dir.c_str(), mode);  // mkdir's mode is filtered by the umask
}

std::string file_type_name(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

std::optional<mode_t> file_mode(const stdfs::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_mode & 07777;
}

FileLock::FileLock(const stdfs::path& path) {
  // A directory (a link to one too: it is only read) cannot be opened for writing; flock works
  // read-only. A lock file is never followed through a link (O_CREAT would create the link's
  // target wherever it points) and is a regular file: a FIFO or device could block or act.
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } else {
    bool exists = ::lstat(path.c_str(), &st) == 0;
    if (exists && S_ISLNK(st.st_mode))
      throw Error("the lock file " + path.string() + " is a symbolic link; devcert never follows a lock file",
                  "remove the link: rm " + path.string());
    if (exists && !S_ISREG(st.st_mode))
      throw Error("the lock file " + path.string() + " is not a regular file", "remove it: rm " + path.string());
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    // Checked again on what was opened, in case it was swapped in between.
    if (fd_ >= 0 && (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))) {
      ::close(fd_);
      throw Error("the lock file " + path.string() + " is not a regular file", "remove it: rm " + path.string());
    }
  }
  if (fd_ < 0) throw Error("cannot open lock file " + path.string() + ": " + errno_text());
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    std::string why = errno_text();
    ::close(fd_);
    throw Error("cannot lock " + path.string() + ": " + why);
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace devcert::fs
