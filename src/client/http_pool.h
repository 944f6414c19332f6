#pragma once
// HttpPool: HTTP/1.1 exchanges over keep-alive connections, one bounded idle list per endpoint.
// https endpoints use TLS with the system CA store (plus an optional extra bundle), SNI and
// hostname verification; http endpoints use plain TCP.
//
// A request takes a connection out of the pool (or opens one), owns it exclusively for one
// exchange, and puts it back only when the response was read completely and allows keep-alive.
// A reused connection that fails before any response byte (the server closed it while idle) is
// replaced by a fresh one once, transparently: that is not a retry of the request by the policy.
// Cancellation (per-operation, e.g. through awaitable operators) closes the connection.
//
// Thread-safety: send() may be called concurrently from coroutines on any executor of the same
// execution context; the idle lists are guarded by a mutex.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "client/config.h"
#include "client/error.h"

namespace tern::client {

struct HttpRequest {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // Host and Content-Length added
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First value of `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct PoolOptions {
  std::chrono::milliseconds connect_timeout{5000};
  size_t max_idle_per_endpoint = 64;
  std::string ca_file;
};

class HttpPool {
 public:
  explicit HttpPool(PoolOptions options);
  ~HttpPool();
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // One exchange. `timeout` bounds writing the request and reading the whole response. Errors:
  // kTransport (resolve/connect/TLS/IO), kTimeout, kCancelled.
  boost::asio::awaitable<Result<HttpResponse>> send(const Endpoint& endpoint,
                                                    const HttpRequest& request,
                                                    std::chrono::milliseconds timeout);

  size_t idle_connections() const;
  // Number of connections opened so far (tests check reuse with it).
  uint64_t connections_opened() const { return opened_.load(); }

  struct Connection;

 private:
  std::unique_ptr<Connection> take(const std::string& key);
  void give_back(const std::string& key, std::unique_ptr<Connection> c);
  boost::asio::awaitable<Result<std::unique_ptr<Connection>>> open(const Endpoint& endpoint);

  PoolOptions options_;
  boost::asio::ssl::context tls_;
  bool tls_ready_ = false;
  std::string tls_error_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
  std::atomic<uint64_t> opened_{0};
};

}  // namespace tern::client
