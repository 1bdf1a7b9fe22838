#include "support/helpers.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace devcert::test {

TempDir::TempDir() {
  std::string tmpl = (stdfs::temp_directory_path() / "devcert-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  stdfs::permissions(path_, stdfs::perms::owner_all, stdfs::perm_options::add, ec);
  stdfs::remove_all(path_, ec);
}

std::string read_text(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const stdfs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> environment_with(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) {
    if (v == "\x01unset") merged.erase(k);
    else merged[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

int spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const stdfs::path& cwd, const stdfs::path& in, const stdfs::path& out, const stdfs::path& err) {
  std::vector<std::string> env_strings = environment_with(env);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return pid;
}

int wait_exit(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env, const stdfs::path& cwd,
                          const std::string& input) {
  TempDir io;
  write_text(io / "in", input);
  ProcessResult result;
  int pid = spawn(argv, env, cwd, io / "in", io / "out", io / "err");
  if (pid < 0) {
    result.err = std::string("spawn failed: ") + std::strerror(errno);
    return result;
  }
  result.exit_code = wait_exit(pid);
  result.out = read_text(io / "out");
  result.err = read_text(io / "err");
  return result;
}

ProcessResult run_devcert(const std::vector<std::string>& args, const stdfs::path& caroot,
                          const stdfs::path& cwd, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{DEVCERT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  env["DEVCERT_CAROOT"] = caroot.string();
  env.emplace("NO_COLOR", "1");
  return run_process(argv, env, cwd);
}

bool have_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && ::access((stdfs::path(dir) / name).c_str(), X_OK) == 0) return true;
  return false;
}

std::string make_openssl_chain(const stdfs::path& dir, const std::string& prefix) {
  const std::string p = prefix + "-";
  write_text(dir / (p + "ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  write_text(dir / (p + "leaf.ext"),
             "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n"
             "authorityInfoAccess=caIssuers;URI:http://ca.example/intermediate.crt\n");
  const std::vector<std::string> ec_key{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"};
  auto with_key = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin() + 2, ec_key.begin(), ec_key.end());
    return argv;
  };
  const std::vector<std::vector<std::string>> steps{
      with_key({"openssl", "req", "-x509", "-keyout", p + "root.key", "-out", p + "root.pem", "-subj",
                "/CN=" + prefix + " root", "-days", "30"}),
      with_key({"openssl", "req", "-new", "-keyout", p + "intermediate.key", "-out", p + "intermediate.csr", "-subj",
                "/CN=" + prefix + " intermediate"}),
      {"openssl", "x509", "-req", "-in", p + "intermediate.csr", "-CA", p + "root.pem", "-CAkey", p + "root.key",
       "-days", "30", "-extfile", p + "ca.ext", "-out", p + "intermediate.pem"},
      with_key({"openssl", "req", "-new", "-keyout", p + "leaf.key", "-out", p + "leaf.csr", "-subj", "/CN=localhost"}),
      {"openssl", "x509", "-req", "-in", p + "leaf.csr", "-CA", p + "intermediate.pem", "-CAkey",
       p + "intermediate.key", "-days", "30", "-extfile", p + "leaf.ext", "-out", p + "leaf.pem"}};
  for (const auto& argv : steps) {
    auto r = run_process(argv, {}, dir);
    if (r.exit_code != 0) return argv[1] + ": " + r.err;
  }
  return {};
}

}  // namespace devcert::test
