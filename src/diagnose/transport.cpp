#include "diagnose/transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <unistd.h>

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ossl/check.h"

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

namespace {

int millis_until(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

bool is_reset(int err) { return err == ECONNRESET || err == EPIPE || err == ECONNABORTED; }

}  // namespace

Dial dial(const Address& address, Clock::time_point deadline) {
  Dial d;
  int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    d.detail = std::strerror(errno);
    return d;
  }
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length);
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int n;
    while ((n = ::poll(&p, 1, millis_until(deadline))) < 0 && errno == EINTR) {
    }
    if (n == 0) {
      ::close(fd);
      d.outcome = DialOutcome::timeout;
      d.detail = "no answer within the timeout";
      return d;
    }
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }
  if (err != 0) {
    ::close(fd);
    d.outcome = err == ECONNREFUSED ? DialOutcome::refused
                : (err == ENETUNREACH || err == EHOSTUNREACH || err == EADDRNOTAVAIL) ? DialOutcome::unreachable
                : err == ETIMEDOUT ? DialOutcome::timeout
                                   : DialOutcome::error;
    d.detail = std::strerror(err);
    return d;
  }
  d.outcome = DialOutcome::connected;
  d.fd = fd;
  return d;
}

Connection::Connection(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}

Connection::~Connection() {
  // One non-blocking attempt at close_notify: never a wait on a server that stopped reading.
  if (ssl_ && !ssl_broken_) SSL_shutdown(ssl_.get());
  ERR_clear_error();
  ::close(fd_);
}

bool Connection::wait_for(short events) {
  while (true) {
    int ms = millis_until(deadline_);
    if (ms == 0) {
      stop(IoEnd::timeout, "no answer within the timeout");
      return false;
    }
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;  // readable, writable or an error the next call reports
    if (n < 0 && errno != EINTR) {
      stop(IoEnd::failed, std::strerror(errno));
      return false;
    }
  }
}

long Connection::stop(IoEnd why, std::string detail) {
  end_ = why;
  detail_ = std::move(detail);
  if (why == IoEnd::reset || why == IoEnd::failed) ssl_broken_ = true;
  return why == IoEnd::closed ? 0 : -1;
}

long Connection::socket_error(int err) {
  return stop(is_reset(err) ? IoEnd::reset : IoEnd::failed, std::strerror(err));
}

std::string Connection::start_tls(const std::string& sni, bool send_sni) {
  ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!ctx_) return ossl::drain_errors();
  // Security level 0 and TLS 1.0 as the floor: the point is to *see* an old protocol or a weak
  // key and name it, not to fail with an opaque error. Judgement happens afterwards.
  SSL_CTX_set_security_level(ctx_.get(), 0);
  SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_VERSION);
  SSL_CTX_set_cipher_list(ctx_.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
  // A close without close_notify reads as a close (as browsers take it), not as a TLS error.
  SSL_CTX_set_options(ctx_.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx_.get(), alpn, sizeof alpn);
  ssl_.reset(SSL_new(ctx_.get()));
  SSL_set_fd(ssl_.get(), fd_);
  if (send_sni) SSL_set_tlsext_host_name(ssl_.get(), sni.c_str());
  while (true) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_connect(ssl_.get());
    if (rc == 1) return "";
    int err = SSL_get_error(ssl_.get(), rc);
    int sys = errno;
    std::string why = ossl::drain_errors();
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (wait_for(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) continue;
      why = "the server sent nothing back";
    } else if (err == SSL_ERROR_SYSCALL && sys != 0 && sys != EAGAIN) {
      socket_error(sys);
      if (why.empty())
        why = end_ == IoEnd::reset ? "the server reset the connection during the handshake" : detail_;
    } else if (why.empty()) {
      stop(IoEnd::closed, "closed");
      why = err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN
                ? "the server closed the connection during the handshake"
                : "handshake failed";
    } else {
      stop(IoEnd::failed, why);
    }
    ssl_.reset();
    return why;
  }
}

bool Connection::write_all(std::string_view data) {
  while (!data.empty()) {
    ERR_clear_error();
    errno = 0;
    // MSG_NOSIGNAL for the plain socket; OpenSSL's socket BIO writes with write(), which is why
    // main() ignores SIGPIPE for the whole process.
    long n = ssl_ ? SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()))
                  : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    short events = POLLOUT;
    int sys = errno;
    if (ssl_) {
      int err = SSL_get_error(ssl_.get(), static_cast<int>(n));
      std::string why = ossl::drain_errors();
      if (err == SSL_ERROR_WANT_READ) {
        events = POLLIN;
      } else if (err != SSL_ERROR_WANT_WRITE) {
        if (err == SSL_ERROR_SYSCALL && sys != 0) socket_error(sys);
        else if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && why.empty())) stop(IoEnd::closed, "closed");
        else stop(IoEnd::failed, why);
        return false;
      }
    } else if (sys == EINTR) {
      continue;
    } else if (sys != EAGAIN && sys != EWOULDBLOCK) {
      socket_error(sys);
      return false;
    }
    if (!wait_for(events)) return false;
  }
  return true;
}

long Connection::read_some(char* buf, size_t n) {
  while (true) {
    ERR_clear_error();
    errno = 0;
    long got = ssl_ ? SSL_read(ssl_.get(), buf, static_cast<int>(n)) : ::recv(fd_, buf, n, 0);
    if (got > 0) return got;
    short events = POLLIN;
    int sys = errno;
    if (ssl_) {
      int err = SSL_get_error(ssl_.get(), static_cast<int>(got));
      std::string why = ossl::drain_errors();
      if (err == SSL_ERROR_WANT_READ) events = POLLIN;
      else if (err == SSL_ERROR_WANT_WRITE) events = POLLOUT;
      else if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && sys == 0)) return stop(IoEnd::closed, "closed");
      else if (err == SSL_ERROR_SYSCALL) return socket_error(sys);
      else return stop(IoEnd::failed, why.empty() ? "TLS error" : why);
    } else if (got == 0) {
      return stop(IoEnd::closed, "closed");
    } else if (sys == EINTR) {
      continue;
    } else if (sys != EAGAIN && sys != EWOULDBLOCK) {
      return socket_error(sys);
    }
    if (!wait_for(events)) return -1;
  }
}

std::optional<std::string> Connection::read_exact(size_t n) {
  std::string out;
  char buf[16384];
  // In pieces: a length a server announced is not memory to reserve before its bytes arrive.
  while (out.size() < n) {
    long got = read_some(buf, std::min(sizeof buf, n - out.size()));
    if (got <= 0) return std::nullopt;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

std::string Connection::read_until(std::string_view delim, size_t max) {
  std::string out;
  char c;
  // Byte by byte: the bytes after the response head belong to the WebSocket stream.
  while (out.size() < max && read_some(&c, 1) == 1) {
    out += c;
    if (out.ends_with(delim)) break;
  }
  return out;
}

}  // namespace devcert::diagnose
