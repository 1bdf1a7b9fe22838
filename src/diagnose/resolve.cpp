#include "diagnose/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

namespace devcert::diagnose {

Resolution resolve(const std::string& host, std::uint16_t port, Clock::time_point deadline) {
  Resolution out;
  // glibc's asynchronous getaddrinfo: a resolver that never answers (a dead nameserver, a
  // firewall dropping UDP) would otherwise hold the dns stage for timeout x attempts of
  // resolv.conf, far past --timeout. The request lives on the heap because a lookup that cannot
  // be cancelled still writes into it after we return; it is then left to the exiting process.
  struct Request {
    std::string name, service;
    addrinfo hints{};
    gaicb cb{};
  };
  auto* req = new Request{host, std::to_string(port)};
  req->hints.ai_family = AF_UNSPEC;
  req->hints.ai_socktype = SOCK_STREAM;
  req->cb.ar_name = req->name.c_str();
  req->cb.ar_service = req->service.c_str();
  req->cb.ar_request = &req->hints;
  gaicb* list[] = {&req->cb};
  int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr);
  if (rc != 0) {
    out.error = gai_strerror(rc);
    delete req;
    return out;
  }
  while ((rc = gai_error(&req->cb)) == EAI_INPROGRESS) {
    auto left = std::chrono::ceil<std::chrono::nanoseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    timespec wait{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
    const gaicb* waiting[] = {&req->cb};
    gai_suspend(waiting, 1, &wait);
  }
  if (rc == EAI_INPROGRESS) {
    out.timed_out = true;
    out.error = "no answer from the resolver in time";
    if (gai_cancel(&req->cb) == EAI_CANCELED) {
      delete req;
    } else {
      // Still reachable from here, so that leak checkers do not take it for a leak.
      static std::vector<Request*> abandoned;
      abandoned.push_back(req);
    }
    return out;
  }
  addrinfo* res = req->cb.ar_result;
  delete req;
  if (rc != 0) {
    out.error = gai_strerror(rc);
    out.unanswered = rc == EAI_AGAIN;
    return out;
  }
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = static_cast<socklen_t>(ai->ai_addrlen);
    a.ipv6 = ai->ai_family == AF_INET6;
    char buf[INET6_ADDRSTRLEN] = {};
    const void* raw = a.ipv6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
                             : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    inet_ntop(ai->ai_family, raw, buf, sizeof buf);
    a.text = buf;
    bool dup = false;
    for (const auto& seen : out.addresses) dup = dup || seen.text == a.text;
    if (!dup) out.addresses.push_back(a);
  }
  freeaddrinfo(res);
  return out;
}

}  // namespace devcert::diagnose
