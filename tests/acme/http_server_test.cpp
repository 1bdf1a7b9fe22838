// The ACME service behind Beast over real TLS on loopback: requests in, problem documents out,
// and the bounds a hostile client meets. The CLI's refusals are here too.
#include "acme/http_server.h"

#include <gtest/gtest.h>

#include "acme/store.h"
#include "error.h"
#include "pki/ca.h"
#include "support/helpers.h"
#include "wss/identity.h"
#include "wss/tls.h"

namespace devcert::acme {
namespace {

namespace asio = wss::asio;
namespace beast = wss::beast;
namespace http = wss::http;
namespace stdfs = std::filesystem;

class AcmeHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    pki::RootProfile profile;
    profile.user_host = "tester@acme-http";
    pki::CaRoot root(tmp_.path() / "ca");
    root.init(profile);
    root_pem_ = test::read_text(root.cert_path());
    store_ = std::make_unique<Store>(tmp_.path() / "ca" / "acme.db");
    service_ = std::make_unique<Service>(ServiceConfig{}, root.load(), *store_);
    HttpLimits limits;
    limits.request_timeout = std::chrono::milliseconds(300);
    server_ = std::make_unique<HttpServer>(
        wss::make_server_context(wss::mint_identity(root.load(), wss::kLoopbackNames)), *service_,
        [this](const std::string&, const std::string& line) {
          std::lock_guard lock(log_mutex_);
          log_.push_back(line);
        },
        limits);
    port_ = server_->listen({asio::ip::address_v4::loopback(), 0}).port();
    server_->start(2);
  }
  void TearDown() override { server_->stop(); }

  // A TLS connection to the server, verified against the devcert root for localhost.
  struct Connection {
    asio::io_context ioc;
    wss::ssl::context ctx;
    beast::ssl_stream<beast::tcp_stream> stream;
    explicit Connection(const std::string& root_pem, uint16_t port)
        : ctx(wss::make_client_context(wss::Trust::only(root_pem))), stream(ioc, ctx) {
      SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
      stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
      beast::get_lowest_layer(stream).connect({asio::ip::address_v4::loopback(), port});
      stream.handshake(wss::ssl::stream_base::client);
    }
    http::response<http::string_body> send(http::request<http::string_body> req) {
      req.set(http::field::host, "localhost");
      req.prepare_payload();
      http::write(stream, req);
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(stream, buffer, res);
      return res;
    }
  };

  test::TempDir tmp_;
  std::string root_pem_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_F(AcmeHttp, TheDirectoryAndNoncesComeOverOneKeptAliveConnection) {
  Connection c(root_pem_, port_);
  auto dir = c.send({http::verb::get, "/directory", 11});
  EXPECT_EQ(dir.result_int(), 200);
  EXPECT_EQ(dir[http::field::content_type], "application/json");
  EXPECT_TRUE(nlohmann::json::parse(dir.body()).contains("newNonce"));
  auto head = c.send({http::verb::head, "/new-nonce", 11});
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_FALSE(head["Replay-Nonce"].empty());
  // A query string is not part of the resource.
  auto query = c.send({http::verb::get, "/directory?x=1", 11});
  EXPECT_EQ(query.result_int(), 200);
}

TEST_F(AcmeHttp, AProblemIsAProblemDocumentWithItsStatus) {
  Connection c(root_pem_, port_);
  http::request<http::string_body> req{http::verb::post, "/new-account", 11};
  req.set(http::field::content_type, "application/jose+json");
  req.body() = "{\"protected\":1}";
  auto res = c.send(req);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["type"], "urn:ietf:params:acme:error:malformed");
  EXPECT_FALSE(res["Replay-Nonce"].empty());
  std::lock_guard lock(log_mutex_);
  ASSERT_FALSE(log_.empty());
  EXPECT_TRUE(test::has(log_.back(), "refused POST /new-account: malformed")) << log_.back();
}

TEST_F(AcmeHttp, AnOversizedBodyIs413AndTheConnectionCloses) {
  Connection c(root_pem_, port_);
  http::request<http::string_body> req{http::verb::post, "/new-account", 11};
  req.set(http::field::content_type, "application/jose+json");
  req.body() = std::string(1 << 20, 'a');
  auto res = c.send(req);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_TRUE(test::has(res.body(), "over 65536 bytes"));
}

TEST_F(AcmeHttp, AClientThatSendsNothingIsDropped) {
  Connection c(root_pem_, port_);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  // The server's request deadline (300 ms here) ends the connection; this read's own deadline
  // of 10 s is only a bound on the test.
  http::read(c.stream, buffer, res, ec);
  EXPECT_TRUE(ec) << "the server answered a request that was never sent";
  // And the server still serves others.
  Connection d(root_pem_, port_);
  EXPECT_EQ(d.send({http::verb::get, "/directory", 11}).result_int(), 200);
}

TEST(AcmeCommand, BeyondLoopbackWithoutAnExternalAccountKeyItRefusesToStart) {
  test::TempDir tmp;
  ASSERT_EQ(test::run_devcert({"init"}, tmp / "ca").exit_code, 0);
  auto r = test::run_devcert({"acme", "--host", "0.0.0.0", "--port", "0"}, tmp / "ca");
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_TRUE(test::has(r.err, "beyond loopback")) << r.err;
  EXPECT_TRUE(test::has(r.err, "devcert acme eab add NAME")) << r.err;
}

TEST(AcmeCommand, ExternalAccountKeysAreAddedListedAndRemovedByName) {
  test::TempDir tmp;
  ASSERT_EQ(test::run_devcert({"init"}, tmp / "ca").exit_code, 0);
  auto add = test::run_devcert({"acme", "eab", "add", "alice"}, tmp / "ca");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_TRUE(test::has(add.out, "key id:   kid-")) << add.out;
  EXPECT_TRUE(test::has(add.out, "--eab-kid")) << add.out;
  EXPECT_EQ(stdfs::status(tmp / "ca" / "acme.db").permissions() & stdfs::perms::all, stdfs::perms::owner_read | stdfs::perms::owner_write);
  EXPECT_EQ(test::run_devcert({"acme", "eab", "add", "alice"}, tmp / "ca").exit_code, kExitUsage);
  auto hostile = test::run_devcert({"acme", "eab", "add", "-x\x1b[31m"}, tmp / "ca");
  EXPECT_NE(hostile.exit_code, 0);
  EXPECT_FALSE(test::has(hostile.err, "\x1b")) << hostile.err;
  auto list = test::run_devcert({"acme", "eab", "list"}, tmp / "ca");
  EXPECT_TRUE(test::has(list.out, "alice")) << list.out;
  EXPECT_TRUE(test::has(list.out, "unused")) << list.out;
  EXPECT_FALSE(test::has(list.out, add.out.substr(add.out.find("HMAC key: ") + 10, 20)));  // the secret is not listed
  EXPECT_EQ(test::run_devcert({"acme", "eab", "remove", "alice"}, tmp / "ca").exit_code, 0);
  EXPECT_EQ(test::run_devcert({"acme", "eab", "remove", "alice"}, tmp / "ca").exit_code, kExitUsage);
}

TEST(AcmeCommand, WithoutACaItSaysToMakeOne) {
  test::TempDir tmp;
  auto r = test::run_devcert({"acme", "--port", "0"}, tmp / "none");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::has(r.err, "devcert init")) << r.err;
  EXPECT_FALSE(stdfs::exists(tmp / "none" / "acme.db"));
}

}  // namespace
}  // namespace devcert::acme
