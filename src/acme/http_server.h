// The ACME service over HTTPS: Beast parses each request and writes each response; the service
// decides. Bounded like the echo server: a handshake and a request each have a deadline, a
// request body a size limit, the connections a count.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acme/service.h"
#include "wss/asio.h"

namespace devcert::acme {

struct HttpLimits {
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
  // Between requests on a kept-alive connection, and for one request to arrive whole.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  std::size_t max_header = 8 * 1024;
  // A finalize with an RSA 8192 CSR is under 3 KiB of JSON; a keyChange nests two JWSs.
  std::size_t max_body = 64 * 1024;
  std::size_t max_connections = 512;
};

class HttpServer {
 public:
  // `log` gets (peer, line) for each outcome the service names.
  using Log = std::function<void(const std::string& peer, const std::string& line)>;
  HttpServer(wss::ssl::context tls, Service& service, Log log, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds before start(); port 0 picks a free port. Throws devcert::Error with the fix.
  wss::tcp::endpoint listen(const wss::tcp::endpoint& endpoint);
  // Serves on `threads` background threads until stop(). Each thread has its own io_context and
  // keeps the connections it is given: a request is read, handled and answered on one thread,
  // with no hand-over between threads (each costs a futex wake, dear on a virtual machine).
  void start(unsigned threads = 2);
  void stop();
  // New connections present this from now on; open ones keep theirs. The server's own leaf
  // is short-lived, and a server that runs for days renews it this way.
  void set_tls(wss::ssl::context tls);

 private:
  wss::awaitable<void> accept_loop(wss::tcp::acceptor& acceptor);
  wss::awaitable<void> session(wss::tcp::socket socket);

  wss::asio::io_context& next_context();

  wss::asio::io_context ioc_{1};  // the acceptors', and the first thread's
  std::vector<std::unique_ptr<wss::asio::io_context>> more_;  // the other threads'
  std::vector<wss::asio::executor_work_guard<wss::asio::io_context::executor_type>> idle_;
  std::size_t next_ = 0;  // round robin over ioc_ and more_, from the accept loop only
  std::mutex tls_mutex_;
  std::shared_ptr<wss::ssl::context> tls_;
  Service& service_;
  Log log_;
  HttpLimits limits_;
  std::vector<std::unique_ptr<wss::tcp::acceptor>> acceptors_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> open_{0};
  bool started_ = false;
};

}  // namespace devcert::acme
