#include "diagnose/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>

#include <cerrno>
#include <cstring>

#include "ossl/check.h"

namespace devcert::diagnose {

Resolution resolve(const std::string& host, std::uint16_t port) {
  Resolution out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
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

Dial dial(const Address& address, std::chrono::milliseconds timeout) {
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
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n == 0) {
      ::close(fd);
      d.outcome = DialOutcome::timeout;
      d.detail = "no answer within " + std::to_string(timeout.count() / 1000.0).substr(0, 4) + " s";
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
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  d.outcome = DialOutcome::connected;
  d.fd = fd;
  return d;
}

Connection::Connection(int fd, std::chrono::milliseconds timeout) : fd_(fd) { set_timeout(timeout); }

void Connection::set_timeout(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Connection::~Connection() {
  if (ssl_) SSL_shutdown(ssl_.get());
  ::close(fd_);
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
  static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx_.get(), alpn, sizeof alpn);
  ssl_.reset(SSL_new(ctx_.get()));
  SSL_set_fd(ssl_.get(), fd_);
  if (send_sni) SSL_set_tlsext_host_name(ssl_.get(), sni.c_str());
  ERR_clear_error();
  errno = 0;
  int rc = SSL_connect(ssl_.get());
  if (rc == 1) return "";
  int err = SSL_get_error(ssl_.get(), rc);
  std::string why = ossl::drain_errors();
  if (why.empty()) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      timed_out_ = true;
      why = "the server sent nothing back";
    } else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
      why = "the server closed the connection during the handshake";
    } else {
      why = "handshake failed";
    }
  }
  ssl_.reset();
  return why;
}

bool Connection::write_all(std::string_view data) {
  while (!data.empty()) {
    long n = ssl_ ? SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()))
                  : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (!ssl_ && n < 0 && errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

long Connection::read_some(char* buf, size_t n) {
  errno = 0;
  long got = ssl_ ? SSL_read(ssl_.get(), buf, static_cast<int>(n)) : ::recv(fd_, buf, n, 0);
  if (got > 0) return got;
  if (ssl_) {
    int err = SSL_get_error(ssl_.get(), static_cast<int>(got));
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) return 0;
    if (err == SSL_ERROR_SYSCALL && errno == 0) return 0;  // EOF without close_notify
  } else if (got == 0) {
    return 0;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) timed_out_ = true;
  return -1;
}

std::optional<std::string> Connection::read_exact(size_t n) {
  std::string out(n, '\0');
  size_t have = 0;
  while (have < n) {
    long got = read_some(out.data() + have, n - have);
    if (got <= 0) return std::nullopt;
    have += static_cast<size_t>(got);
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
