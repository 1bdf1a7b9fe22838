#include "wss/self_test.h"

#include <mutex>

#include "error.h"
#include "pki/ca.h"
#include "pki/keys.h"
#include "wss/identity.h"
#include "wss/server.h"

namespace devcert::wss {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

CheckItem::Status from_step(Step::Status status) {
  switch (status) {
    case Step::Status::ok: return CheckItem::Status::ok;
    case Step::Status::failed: return CheckItem::Status::failed;
    case Step::Status::skipped: break;
  }
  return CheckItem::Status::skipped;
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

}  // namespace

bool SelfTestReport::ok() const {
  for (const auto& item : items)
    if (item.status == CheckItem::Status::failed) return false;
  return true;
}

const char* status_name(CheckItem::Status status) {
  switch (status) {
    case CheckItem::Status::ok: return "ok";
    case CheckItem::Status::failed: return "failed";
    case CheckItem::Status::warning: return "warning";
    case CheckItem::Status::skipped: return "skipped";
  }
  return "skipped";
}

SelfTestReport run_self_test(const SelfTestOptions& options) {
  SelfTestReport report;
  auto add = [&](std::string group, std::string name, CheckItem::Status status, std::string detail,
                 Clock::time_point start, std::string fix = {}) {
    report.items.push_back({std::move(group), std::move(name), status, std::move(detail),
                            std::move(fix), since(start)});
  };

  // 1. The CA.
  auto start = Clock::now();
  pki::CaRoot root(options.caroot);
  pki::CertificateAuthority ca;
  try {
    ca = root.load();
  } catch (const Error& e) {
    add("setup", "ca", CheckItem::Status::failed, e.what(), start,
        e.fix().empty() ? "devcert init" : e.fix());
    return report;
  }
  add("setup", "ca", CheckItem::Status::ok, "loaded " + root.cert_path().string(), start);
  std::string root_pem = pki::certificate_pem(ca.cert.get());

  // 2. The leaf.
  start = Clock::now();
  ServerIdentity identity;
  try {
    bool own = !options.cert_file.empty() || !options.key_file.empty();
    identity = own ? load_identity(options.cert_file, options.key_file)
                   : mint_identity(ca, kLoopbackNames);
    add("setup", "leaf", CheckItem::Status::ok,
        own ? "using " + options.cert_file + " and " + options.key_file
            : "minted in memory for localhost, 127.0.0.1, ::1",
        start);
  } catch (const Error& e) {
    add("setup", "leaf", CheckItem::Status::failed, e.what(), start, e.fix());
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
  add("setup", "server", CheckItem::Status::ok,
      "listening on 127.0.0.1:" + std::to_string(port) +
          (have_v6 ? " and [::1]:" + std::to_string(port) : " (no IPv6 loopback here)"),
      start);

  // 4. A client trusting only the devcert root, for each loopback name.
  for (const std::string& host : kLoopbackNames) {
    if (host == "::1" && !have_v6) {
      report.items.push_back({host, "tcp", CheckItem::Status::skipped,
                              "this machine has no IPv6 loopback", "", {}});
      continue;
    }
    ClientOptions client;
    client.host = host;
    client.port = port;
    client.trust = Trust::only(root_pem);
    client.timeout = options.timeout;
    for (const Step& step : run_echo_check(client)) {
      std::string fix;
      if (step.status == Step::Status::failed && step.name == "certificate")
        fix = "the certificate is not issued by the devcert CA in " + options.caroot.string() +
              ": mint one with `devcert issue localhost 127.0.0.1 ::1`";
      else if (step.status == Step::Status::failed && step.name == "hostname")
        fix = "devcert issue localhost 127.0.0.1 ::1";
      report.items.push_back({host, step.name, from_step(step.status), step.detail, fix,
                              step.elapsed});
    }
  }

  // 5. A client trusting only the system store: is the CA installed?
  ClientOptions system_client;
  system_client.host = "localhost";
  system_client.port = port;
  system_client.trust = Trust::system();
  system_client.timeout = options.timeout;
  const std::string group = "system trust store";
  for (const Step& step : run_trust_check(system_client)) {
    CheckItem item{group, step.name, from_step(step.status), step.detail, "", step.elapsed};
    if (step.status == Step::Status::failed && step.name == "certificate") {
      item.status = options.require_trust ? CheckItem::Status::failed : CheckItem::Status::warning;
      item.detail = "the system store does not trust this server (" + step.detail + ")";
      item.fix = "devcert install";
    } else if (step.status == Step::Status::ok && step.name == "certificate") {
      item.detail = "trusted by the system store: " + step.detail;
    }
    report.items.push_back(std::move(item));
  }

  server.stop();
  return report;
}

}  // namespace devcert::wss
