#pragma once
// HttpServer: the network facade. Accepts TCP connections, runs one coroutine per connection
// (HTTP/1.1 keep-alive, Beast parser with header and body limits, idle timeout re-armed per
// read) and hands each request to the Dispatcher. Also answers GET /health and GET /metrics
// (Prometheus text, metrics.h), neither of which asks for a signature, and hands /ui requests
// to the dashboard (admin_api.h).
//
// Shutdown has two phases: stop() closes the acceptor and tells the dispatcher to end long polls
// (they answer at once with no messages); requests already being handled finish and are
// answered; connections are closed after their current response. The owner stops the
// io_context once in_flight() reaches zero (or a grace deadline passes).
//
// Thread-safety: start()/stop() from any thread; sessions run on per-connection strands of the
// io_context, which may be run by several threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/admin_api.h"
#include "server/dispatcher.h"

namespace tern::server {

// One answered request, for the request log.
struct RequestLogEntry {
  std::string_view method;
  std::string_view path;    // the target without its query string (which may carry a message)
  std::string_view action;  // the SQS action; empty for /health, /metrics, /ui, unknown actions
  int status = 0;
  std::chrono::microseconds duration{0};  // from the request read in full to the response written
  uint64_t bytes_in = 0;                  // request body
  uint64_t bytes_out = 0;                 // response body
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9324;  // 0 picks a free port (see port())
  // A 1 MiB message, percent-encoded by a query client, is up to 3 MiB on the wire; batches are
  // capped at 1 MiB of payload too. Anything larger cannot be a valid request.
  uint64_t body_limit = 3 * 1024 * 1024 + 256 * 1024;
  uint32_t header_limit = 16 * 1024;
  std::chrono::seconds idle_timeout{75};  // longer than a 20 s long poll plus client slack
  bool dashboard = true;                  // serve the dashboard and its API at /ui
  // The durable log whose figures GET /metrics shows; null: no storage section (memory mode).
  const engine::LogJournal* journal = nullptr;
  // When set, called on the connection's thread after each response is written.
  std::function<void(const RequestLogEntry&)> request_log;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, Dispatcher& dispatcher, HttpServerOptions options);
  // Connections are handed out round-robin to `workers` (one io_context per thread, so a
  // connection's coroutine needs no strand); the acceptor runs on `ioc`.
  HttpServer(boost::asio::io_context& ioc, std::vector<boost::asio::io_context*> workers,
             Dispatcher& dispatcher, HttpServerOptions options);

  // Binds and starts accepting. Throws boost::system::system_error if the address is unusable.
  void start();
  void stop();
  uint16_t port() const { return port_; }
  int64_t in_flight() const { return counters_->in_flight.load(); }
  int64_t connections() const { return counters_->connections.load(); }
  // The body of GET /metrics.
  std::string metrics_text() const;

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  std::vector<boost::asio::io_context*> workers_;  // empty: strands on ioc_
  size_t next_worker_ = 0;
  Dispatcher& dispatcher_;
  HttpServerOptions options_;
  std::unique_ptr<AdminApi> admin_;  // null without the dashboard
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  // Shared with every session: a session's coroutine frame may be destroyed after the server
  // (when its io_context is destroyed last), and its destructors still count down.
  struct Counters {
    std::atomic<int64_t> in_flight{0};
    std::atomic<int64_t> connections{0};
  };
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
};

}  // namespace tern::server
