#include "snippets/snippets.h"

#include <openssl/x509v3.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "error.h"
#include "pki/inspect.h"
#include "pki/keys.h"
#include "templates/templates.h"

namespace devcert::snippets {
namespace {

[[noreturn]] void cannot_express(std::string_view path, std::string_view target, std::string_view why) {
  throw Error(std::string(target) + " cannot load '" + std::string(path) + "': " + std::string(why),
              "move or link the file to a plainer path and pass it with --cert/--key");
}

// JavaScript, Python and Go all read a JSON string as a string literal of their own.
std::string quote_c_like(std::string_view path) {
  try {
    return nlohmann::json(std::string(path)).dump();
  } catch (const nlohmann::json::exception&) {
    cannot_express(path, "the program", "the path is not valid UTF-8");
  }
}

// nginx unescapes \" and \\ in a quoted string, but expands every `$` as a variable and has no
// escape for it (ngx_conf_file.c; ssl_certificate takes variables since 1.15.9).
std::string quote_nginx(std::string_view path) {
  if (path.find('$') != std::string_view::npos)
    cannot_express(path, "nginx", "nginx reads every '$' as a variable and has no escape for it");
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The Caddyfile lexer unescapes only \" in a quoted token and keeps any other backslash, so a
// backslash before a quote or at the end cannot be written; `{$NAME}` is replaced by the
// environment variable before lexing, quoted or not (caddyconfig/caddyfile/lexer.go, parse.go).
std::string quote_caddy(std::string_view path) {
  if (path.find("{$") != std::string_view::npos)
    cannot_express(path, "Caddy", "Caddy replaces '{$...}' with an environment variable");
  if (path.ends_with('\\') || path.find("\\\"") != std::string_view::npos)
    cannot_express(path, "Caddy", "a Caddyfile cannot hold a backslash before a quote or at the end");
  std::string out = "\"";
  for (char c : path) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

// host:port or [v6]:port: it goes unquoted into proxy_pass and reverse_proxy.
void check_upstream(const std::string& upstream) {
  static const std::regex kHostPort(R"(^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$)");
  if (!std::regex_match(upstream, kHostPort))
    throw UsageError("--upstream must be HOST:PORT (your app's plain http address), not '" + upstream + "'",
                     "devcert snippet nginx --upstream 127.0.0.1:3000");
}

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"nginx", "nginx.conf", "nginx.conf: TLS in front of your app, WebSocket upgrades passed on", quote_nginx},
      {"caddy", "Caddyfile", "Caddyfile: TLS in front of your app, WebSocket upgrades passed on", quote_caddy},
      {"node", "node.js", "Node.js https + ws: a wss:// echo server", quote_c_like, true},
      {"python", "python.py", "Python ssl + websockets: a wss:// echo server", quote_c_like, true},
      {"go", "go.go", "Go net/http: an https:// server, standard library only", quote_c_like, true},
      {"dockerfile", "Dockerfile", "Dockerfile/Containerfile lines that bake the root into an image (--base)",
       quote_c_like, false, true},
      {"compose", "compose.yaml", "compose fragment: the root mounted read-only, runtimes pointed at it",
       quote_c_like, false, true},
  };
  return all;
}

const Target& find_target(std::string_view name) {
  for (const auto& t : targets())
    if (t.name == name) return t;
  std::string valid;
  for (const auto& t : targets()) valid += (valid.empty() ? "" : ", ") + std::string(t.name);
  throw UsageError("unknown snippet target '" + std::string(name) + "': valid targets are " + valid,
                   "devcert snippet --list");
}

trust::LinuxLayout find_base(std::string_view base) {
  if (auto layout = trust::layout_with_id(base)) return *layout;
  std::string valid;
  for (const auto& layout : trust::linux_layouts())
    for (const auto& id : layout.ids) valid += (valid.empty() ? "" : ", ") + id;
  throw UsageError("unknown --base '" + std::string(base) + "': valid base images are " + valid,
                   "devcert snippet dockerfile --base debian");
}

namespace {

// The Dockerfile's and compose file's placeholders: the host store table's paths and commands.
std::string container_value(std::string_view name, const Target& target, const Values& values) {
  const auto& base = values.base;
  if (name == "root") return target.quote(values.root_file);
  if (name == "context_file") return std::string(kContextRootFile);
  if (!base) throw std::logic_error("snippet " + std::string(target.name) + " needs a base layout");
  if (name == "family") return base->family;
  if (name == "anchor") return (base->anchors_dir / (values.root_name + base->extension)).string();
  if (name == "bundle") return base->bundle.string();
  if (name == "update_tool") return base->update_argv.front();
  if (name == "update") {
    std::string line;
    for (const auto& word : base->update_argv) line += (line.empty() ? "" : " ") + word;
    return line;
  }
  if (name == "image_install") return base->image_install;
  throw std::logic_error("unknown placeholder {{" + std::string(name) + "}} in " + std::string(target.file));
}

}  // namespace

std::string render(const Target& target, const Values& values) {
  if (values.port == 0 && !target.any_port)
    throw UsageError(std::string(target.name) + " needs a fixed port: --port 0 is for the programs (node, python, go)");
  for (const auto* path : {&values.cert_file, &values.key_file, &values.root_file})
    if (std::any_of(path->begin(), path->end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
      cannot_express(*path, target.name, "the path holds a control character");

  auto text = templates::find("snippets/" + std::string(target.file));
  if (!text) throw std::logic_error("templates/snippets/" + std::string(target.file) + " is not embedded");
  auto value_of = [&](std::string_view name) -> std::string {
    if (target.root_only) return container_value(name, target, values);
    if (name == "cert") return target.quote(values.cert_file);
    if (name == "key") return target.quote(values.key_file);
    if (name == "port") return std::to_string(values.port);
    if (name == "upstream") {
      check_upstream(values.upstream);
      return values.upstream;
    }
    throw std::logic_error("unknown placeholder {{" + std::string(name) + "}} in " + std::string(target.file));
  };
  std::string out;
  std::string_view rest = *text;
  for (size_t open; (open = rest.find("{{")) != std::string_view::npos;) {
    size_t close = rest.find("}}", open);
    if (close == std::string_view::npos) break;
    out += rest.substr(0, open);
    out += value_of(rest.substr(open + 2, close - open - 2));
    rest.remove_prefix(close + 2);
  }
  return out + std::string(rest);
}

std::vector<std::string> certificate_problems(std::string_view pem, std::string_view origin) {
  std::vector<std::string> problems;
  ossl::X509Ptr cert;
  try {
    cert = pki::load_certificate(pem, origin);
  } catch (const Error&) {
    return problems;
  }
  auto report = pki::inspect_certificate(cert.get(), nullptr);
  for (const auto& f : report.findings)
    if (f.code == "expired" || f.code == "not_yet_valid") problems.push_back(f.message);
  // What every client checks: the SAN must name the host in the URL (never the CN).
  if (X509_check_host(cert.get(), kServedHost.data(), kServedHost.size(), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                      nullptr) != 1)
    problems.push_back("it does not name " + std::string(kServedHost) + ", the host the snippet serves on");
  return problems;
}

}  // namespace devcert::snippets
