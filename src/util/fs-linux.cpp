#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "error.h"
#include "util/fs.h"

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

}  // namespace

void write_file_atomic(const stdfs::path& path, std::string_view data, mode_t mode) {
  stdfs::path dir = path.parent_path().empty() ? stdfs::path(".") : path.parent_path();
  std::random_device rd;
  std::ostringstream suffix;
  suffix << ".tmp-" << ::getpid() << "-" << std::hex << rd();
  stdfs::path tmp = dir / ("." + path.filename().string() + suffix.str());

  // O_EXCL with the final mode from the start: the key is never readable by others, not even
  // for the instant before a chmod.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0600);
  if (fd < 0) throw Error("cannot create a file in " + dir.string() + ": " + errno_text());
  try {
    write_all(fd, data, path);
    if (::fchmod(fd, mode) != 0) throw Error("cannot chmod " + tmp.string() + ": " + errno_text());
    if (::fsync(fd) != 0) throw Error("cannot fsync " + tmp.string() + ": " + errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw Error("cannot write " + path.string() + ": " + why);
  }
  fsync_directory(dir);
}

std::string read_file(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string() + ": " + errno_text());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error("cannot read " + path.string() + ": " + errno_text());
  return ss.str();
}

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

std::optional<mode_t> file_mode(const stdfs::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_mode & 07777;
}

FileLock::FileLock(const stdfs::path& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
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
