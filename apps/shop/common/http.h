#pragma once
// A small HTTP/1.1 server for the shop services' JSON endpoints (Beast, one coroutine per
// connection, keep-alive, a body limit on the parser, an idle timeout re-armed per read).
//
// Handlers are plain functions from a request to a response; they run on an io_context thread
// and may block briefly (a SQLite transaction), which is why each service runs a few threads.
// An AsyncHttpHandler is a coroutine instead, for handlers that wait on other threads.
//
// stop() closes the acceptor, closes idle connections at once, and lets a request being handled
// finish and be answered before its connection closes; wait_idle() then returns when the last
// connection is gone.
// Thread-safety: start()/stop()/wait_idle() from any thread (wait_idle not from an io thread).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/expected.h"

namespace shop {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  std::string query;   // raw, without '?'
  std::string body;
  std::string content_type;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// A handler that waits without blocking a thread (e.g. for a group commit); it runs on the
// connection's strand.
using AsyncHttpHandler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see port())
  uint64_t body_limit = 16 * 1024;
  std::chrono::seconds idle_timeout{30};
};

// {"error": code, "message": message}
HttpResponse json_error(int status, std::string_view code, std::string_view message);

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpServerOptions options, HttpHandler handler);
  HttpServer(boost::asio::io_context& ioc, HttpServerOptions options, AsyncHttpHandler handler);
  ~HttpServer();

  // Binds and listens; an error message (e.g. "127.0.0.1:3000: Address already in use").
  tern::Expected<bool, std::string> start();
  void stop();
  bool wait_idle(std::chrono::milliseconds timeout);
  uint16_t port() const { return port_; }

  struct Session;

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> run_session(std::shared_ptr<Session> session);

  boost::asio::io_context& ioc_;
  HttpServerOptions options_;
  HttpHandler handler_;
  AsyncHttpHandler async_handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::set<std::shared_ptr<Session>> sessions_;
};

}  // namespace shop
