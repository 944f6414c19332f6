#include "server/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace tern::server {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : engine_(engine::EngineOptions{}), dispatcher_(engine_) {
    HttpServerOptions o;
    o.port = 0;
    o.body_limit = 4096;
    server_ = std::make_unique<HttpServer>(ioc_, dispatcher_, o);
    server_->start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~HttpServerTest() override {
    server_->stop();
    ioc_.stop();
    thread_.join();
  }
  // Sends raw bytes on one connection and reads until the server closes or `until` is seen.
  std::string exchange(const std::string& raw, const std::string& until = "") {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    asio::write(s, asio::buffer(raw));
    std::string out;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
      if (!until.empty() && out.find(until) != std::string::npos) break;
    }
    return out;
  }
  asio::io_context ioc_;
  engine::Engine engine_;
  Dispatcher dispatcher_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, Health_AnswersOk) {
  auto r = exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK", 0), 0u) << r;
  EXPECT_NE(r.find("\"ok\""), std::string::npos);
}

TEST_F(HttpServerTest, KeepAlive_ServesTwoRequestsOnOneConnection) {
  std::string body = R"({"QueueName":"k"})";
  std::string req = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    "X-Amz-Target: AmazonSQS.CreateQueue\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  auto r = exchange(req + req, "}HTTP/1.1 200");
  size_t first = r.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos) << r;
  EXPECT_NE(r.find("HTTP/1.1 200", first + 1), std::string::npos) << r;
  EXPECT_NE(r.find("Date: "), std::string::npos);
}

TEST_F(HttpServerTest, BodyOverLimit_Gets413AndClose) {
  std::string body(5000, 'x');
  auto r = exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body);
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r.substr(0, 200);
}

TEST_F(HttpServerTest, Garbage_ClosesConnectionWithoutCrashing) {
  auto r = exchange("\x01\x02garbage\r\n\r\n");
  EXPECT_EQ(r.find("HTTP/1.1 200"), std::string::npos);
  auto ok = exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK", 0), 0u);
}

TEST_F(HttpServerTest, BareGetOnQueuePath_IsNotAnOperation) {
  auto r = exchange("GET /000000000000/q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.find("HTTP/1.1 200"), std::string::npos) << r;
}

}  // namespace
}  // namespace tern::server
