#include "wss/self_test.h"

#include <mutex>

#include "error.h"
#include "pki/ca.h"
#include "pki/keys.h"
#include "util/text.h"
#include "wss/identity.h"
#include "wss/server.h"

namespace devcert::wss {
namespace {

using Clock = std::chrono::steady_clock;
using diagnose::Stage;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Binds 127.0.0.1 and ::1 on one ephemeral port, so "localhost" reaches the same server
// whichever address it resolves to first. False when this machine has no IPv6 loopback.
bool listen_on_loopback(Server& server) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    tcp::endpoint v4 = server.listen({asio::ip::address_v4::loopback(), 0});
    try {
      server.listen({asio::ip::address_v6::loopback(), v4.port()});
      return true;
    } catch (const Error&) {
      error_code ec;
      tcp::socket probe(asio::system_executor{});
      probe.open(tcp::v6(), ec);
      if (!ec) probe.bind({asio::ip::address_v6::loopback(), 0}, ec);
      if (ec) return false;  // no ::1 at all: IPv4 only
      // ::1 exists but that port is taken there: start over (the v4 acceptor stays, unused).
    }
  }
  throw Error("cannot find a free port on both 127.0.0.1 and ::1");
}

std::string url_for(const std::string& host, std::uint16_t port) {
  return "wss://" + text::host_port(host, port) + "/";
}

}  // namespace

bool SelfTestReport::ok() const {
  for (const auto& s : setup)
    if (s.status != Stage::Status::ok) return false;
  for (const auto& walk : walks)
    if (walk.required && !walk.diagnosis.ok) return false;
  return true;
}

SelfTestReport run_self_test(const SelfTestOptions& options) {
  SelfTestReport report;
  auto add = [&](std::string name, bool ok, std::string detail, Clock::time_point start) {
    report.setup.push_back({std::move(name), ok ? Stage::Status::ok : Stage::Status::failed, std::move(detail), ms_since(start)});
  };

  // 1. The CA.
  auto start = Clock::now();
  pki::CaRoot root(options.caroot);
  pki::CertificateAuthority ca;
  try {
    ca = root.load();
  } catch (const Error& e) {
    add("ca", false, e.what(), start);
    report.setup_fix = e.fix().empty() ? "devcert init" : e.fix();
    return report;
  }
  add("ca", true, "loaded " + root.cert_path().string(), start);
  std::string root_pem = pki::certificate_pem(ca.cert.get());

  // 2. The leaf.
  start = Clock::now();
  ServerIdentity identity;
  try {
    bool own = !options.cert_file.empty() || !options.key_file.empty();
    identity = own ? load_identity(options.cert_file, options.key_file) : mint_identity(ca, kLoopbackNames);
    add("leaf", true,
        own ? "using " + options.cert_file + " and " + options.key_file : "minted in memory for localhost, 127.0.0.1, ::1",
        start);
  } catch (const Error& e) {
    add("leaf", false, e.what(), start);
    report.setup_fix = e.fix();
    return report;
  }

  // 3. The server, on loopback.
  start = Clock::now();
  std::mutex log_mutex;
  Server server(make_server_context(identity), ServerLimits{}, [&](const ConnectionRecord& rec) {
    std::lock_guard lock(log_mutex);
    report.server_log.push_back(format_log_line(rec));
  });
  bool have_v6 = listen_on_loopback(server);
  std::uint16_t port = server.endpoints().front().port();
  server.start();
  add("server", true,
      "listening on " + text::host_port("127.0.0.1", port) +
          (have_v6 ? " and " + text::host_port("::1", port) : " (no IPv6 loopback here: ::1 is not walked)"),
      start);

  // 4. The walk trusting only the devcert root, for each loopback name, with every echo stage.
  for (const std::string& host : kLoopbackNames) {
    if (host == "::1" && !have_v6) continue;
    diagnose::DiagnoseOptions walk;
    walk.url = url_for(host, port);
    walk.ca_pem = root_pem;
    walk.ca_name = root.cert_path().string();
    walk.timeout = options.timeout;
    walk.extent = diagnose::DiagnoseOptions::Extent::self_test;
    report.walks.push_back({host, true, diagnose::diagnose(walk)});
  }

  // 5. The walk trusting only the system store, through hostname: is the CA installed?
  diagnose::DiagnoseOptions system;
  system.url = url_for("localhost", port);
  system.devcert_ca_pem = root_pem;
  system.timeout = options.timeout;
  system.extent = diagnose::DiagnoseOptions::Extent::trust;
  report.walks.push_back({std::string(kSystemWalkName), options.require_trust, diagnose::diagnose(system)});

  server.stop();
  return report;
}

}  // namespace devcert::wss
