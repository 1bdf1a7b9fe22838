// posix_spawn with three pipes, drained with poll() so a chatty tool never blocks on a full pipe.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "util/os_calls.h"
#include "util/process.h"

extern char** environ;

namespace devcert::process {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  bool open() { return os_calls::cloexec_pipe(fd); }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  ~Pipe() { close_end(0), close_end(1); }
};

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && extra.count(std::string(kv.substr(0, eq)))) continue;
    env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

Result run(const Command& cmd) {
  Result result;
  if (cmd.argv.empty()) {
    result.err = "no program given";
    return result;
  }
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open()) {
    result.err = std::string("cannot create a pipe: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);

  std::vector<std::string> env = merged_environment(cmd.env);
  std::vector<char*> envp, argv;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = cmd.argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  // posix_spawnp searches the PATH of the *new* environment, which is the inherited one here.
  pid_t pid = 0;
  // The tool starts with SIGPIPE at its default, whatever devcert itself ignores (main.cpp):
  // an ignored disposition survives exec, and pipelines inside a tool rely on the default.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  in.close_end(0), out.close_end(1), err.close_end(1);
  if (rc != 0) {
    result.err = cmd.argv[0] + ": " + std::strerror(rc);
    return result;
  }
  result.started = true;

  // A tool that exits without reading its stdin must not kill us with SIGPIPE.
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  std::string_view pending = cmd.input;
  if (pending.empty()) in.close_end(1);
  // Non-blocking: a blocking write of more than the pipe holds would wait for a reader that
  // may itself be waiting for us to drain its stdout.
  else ::fcntl(in.fd[1], F_SETFL, ::fcntl(in.fd[1], F_GETFL) | O_NONBLOCK);
  std::array<char, 16384> buf;
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    std::array<pollfd, 3> fds{pollfd{out.fd[0], POLLIN, 0}, pollfd{err.fd[0], POLLIN, 0},
                              pollfd{in.fd[1], POLLOUT, 0}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents) {
      ssize_t n = ::write(in.fd[1], pending.data(), pending.size());
      if (n > 0) pending.remove_prefix(static_cast<size_t>(n));
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || pending.empty()) in.close_end(1);
    }
    for (int i = 0; i < 2; ++i) {
      if (!fds[i].revents) continue;
      Pipe& p = i == 0 ? out : err;
      ssize_t n = ::read(p.fd[0], buf.data(), buf.size());
      if (n > 0) (i == 0 ? result.out : result.err).append(buf.data(), static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) p.close_end(0);
    }
  }
  in.close_end(1);
  ::sigaction(SIGPIPE, &previous, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

unsigned long raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    // An unlimited hard limit still cannot pass the kernel's nr_open (1 << 20 by default).
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<unsigned long>(limit.rlim_cur);
}

}  // namespace devcert::process
