#pragma once
// Test helpers for client_test: an in-process tern broker on 127.0.0.1 (port 0) and a scripted
// fake HTTP server that answers each request with whatever the test decides (or drops it).
// Not part of tern_client. Thread-safety: each helper runs its own I/O thread; the recorded
// requests are guarded by a mutex.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "client/sqs_client.h"
#include "engine/engine.h"
#include "server/dispatcher.h"
#include "server/http_server.h"

namespace tern::client::testing {

class Broker {
 public:
  Broker() : engine_(engine::EngineOptions{}), dispatcher_(engine_) {
    server::HttpServerOptions o;
    o.port = 0;
    server_ = std::make_unique<server::HttpServer>(ioc_, dispatcher_, o);
    server_->start();
    engine_.set_base_url(url());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~Broker() {
    server_->stop();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  engine::Engine& engine() { return engine_; }

 private:
  boost::asio::io_context ioc_;
  engine::Engine engine_;
  server::Dispatcher dispatcher_;
  std::unique_ptr<server::HttpServer> server_;
  std::vector<std::thread> threads_;
};

// What the fake server does with one request.
struct FakeReply {
  bool drop = false;  // close the connection without answering
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body = "{}";
};

class FakeServer {
 public:
  using Script = std::function<FakeReply(const boost::beast::http::request<
                                             boost::beast::http::string_body>&,
                                         int index)>;
  explicit FakeServer(Script script)
      : script_(std::move(script)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { run(); });
  }
  ~FakeServer() {
    stopping_ = true;
    boost::system::error_code ec;
    {
      // shutdown() (unlike close()) wakes a read blocked in another thread.
      std::lock_guard lock(mu_);
      for (auto* s : open_) s->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
    {
      // Wakes the blocking accept().
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket waker(io);
      waker.connect(acceptor_.local_endpoint(), ec);
    }
    thread_.join();
    acceptor_.close(ec);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  int requests() const { return count_.load(); }
  std::vector<boost::beast::http::request<boost::beast::http::string_body>> recorded() {
    std::lock_guard lock(mu_);
    return recorded_;
  }

 private:
  void run() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket s(ioc_);
      acceptor_.accept(s, ec);
      if (ec || stopping_) return;
      {
        std::lock_guard lock(mu_);
        open_.push_back(&s);
      }
      boost::beast::flat_buffer buf;
      for (;;) {
        http::request<http::string_body> req;
        http::read(s, buf, req, ec);
        if (ec) break;
        int index = count_.fetch_add(1);
        {
          std::lock_guard lock(mu_);
          recorded_.push_back(req);
        }
        FakeReply r = script_(req, index);
        if (r.drop) break;
        http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
        res.set(http::field::content_type, "application/x-amz-json-1.0");
        res.set("x-amzn-RequestId", "fake-" + std::to_string(index));
        for (auto& [k, v] : r.headers) res.set(k, v);
        res.body() = r.body;
        res.prepare_payload();
        res.keep_alive(true);
        http::write(s, res, ec);
        if (ec) break;
      }
      std::lock_guard lock(mu_);
      open_.erase(std::find(open_.begin(), open_.end(), &s));
      s.close(ec);
    }
  }

  Script script_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> count_{0};
  std::mutex mu_;
  std::vector<boost::asio::ip::tcp::socket*> open_;
  std::vector<boost::beast::http::request<boost::beast::http::string_body>> recorded_;
};

// Sources with nothing in them: tests state every setting explicitly.
inline ConfigSources empty_sources() {
  ConfigSources s;
  s.getenv = [](const std::string&) { return std::optional<std::string>(); };
  return s;
}

inline ClientOptions options_for(const std::string& endpoint) {
  ClientOptions o;
  o.endpoint = endpoint;
  o.region = "us-east-1";
  o.access_key_id = "AKIDTEST";
  o.secret_access_key = "secret";
  o.retry.base_delay = std::chrono::milliseconds(5);
  o.retry.throttle_base_delay = std::chrono::milliseconds(5);
  return o;
}

}  // namespace tern::client::testing
