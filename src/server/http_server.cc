#include "server/http_server.h"

#include <ctime>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/metrics.h"

namespace tern::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// RFC 7231 date, cached per second per thread (SDKs correct clock skew from it).
const std::string& http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_at = now;
  }
  return cached;
}

// Answers a request that cannot be parsed (limits) and lets the caller close the connection.
asio::awaitable<void> write_error(beast::tcp_stream& stream, http::status status,
                                  std::string text) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::connection, "close");
  res.set(http::field::content_type, "text/plain");
  res.body() = std::move(text);
  res.prepare_payload();
  co_await http::async_write(stream, res, kTuple);
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

struct InFlight {
  std::atomic<int64_t>& n;
  explicit InFlight(std::atomic<int64_t>& c) : n(c) { ++n; }
  ~InFlight() { --n; }
};

}  // namespace

HttpServer::HttpServer(asio::io_context& ioc, Dispatcher& dispatcher, HttpServerOptions options)
    : ioc_(ioc),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      admin_(options_.dashboard ? std::make_unique<AdminApi>(dispatcher) : nullptr),
      acceptor_(ioc) {}

HttpServer::HttpServer(asio::io_context& ioc, std::vector<asio::io_context*> workers,
                       Dispatcher& dispatcher, HttpServerOptions options)
    : ioc_(ioc),
      workers_(std::move(workers)),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      admin_(options_.dashboard ? std::make_unique<AdminApi>(dispatcher) : nullptr),
      acceptor_(ioc) {}

std::string HttpServer::metrics_text() const {
  MetricsSnapshot snapshot = collect_metrics(dispatcher_, options_.journal);
  snapshot.open_connections = counters_->connections.load(std::memory_order_relaxed);
  snapshot.requests_in_flight = counters_->in_flight.load(std::memory_order_relaxed);
  return render_prometheus(snapshot);
}

void HttpServer::start() {
  tcp::endpoint ep(asio::ip::make_address(options_.host), options_.port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  dispatcher_.shutdown();
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (!stopping_) {
    asio::any_io_executor target =
        workers_.empty() ? asio::any_io_executor(asio::make_strand(ioc_))
                         : asio::any_io_executor(workers_[next_worker_++ % workers_.size()]->get_executor());
    auto [ec, socket] = co_await acceptor_.async_accept(target, kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto ex = socket.get_executor();
    asio::co_spawn(ex, session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::session(tcp::socket socket) {
  // The frame keeps the counters alive: it may be destroyed after the server (see Counters).
  const std::shared_ptr<Counters> counters = counters_;
  ++counters->connections;
  struct Count {
    std::atomic<int64_t>& n;
    ~Count() { --n; }
  } count{counters->connections};
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  auto too_large_text = [this] {
    return "Request body larger than " + std::to_string(options_.body_limit) + " bytes\n";
  };
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(options_.header_limit);
    stream.expires_after(options_.idle_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (ec) {
      if (ec == http::error::header_limit) {
        co_await write_error(stream, http::status::request_header_fields_too_large,
                             "Request header fields too large\n");
      } else if (ec == http::error::body_limit) {  // Content-Length already over the limit
        co_await write_error(stream, http::status::payload_too_large, too_large_text());
      }
      break;
    }
    InFlight in_flight(counters->in_flight);
    {
      auto& hdr = parser.get();
      auto expect = hdr[http::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] =
            co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()), kTuple);
        if (wec) break;
      }
    }
    stream.expires_after(std::chrono::seconds(60));
    std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec) {
      if (ec == http::error::body_limit) {
        co_await write_error(stream, http::status::payload_too_large, too_large_text());
      }
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    auto req = parser.release();
    const uint64_t bytes_in = req.body().size();  // before the body moves to the dispatcher
    http::response<http::string_body> res;
    res.version(req.version());
    RequestInfo info;
    if (req.method() == http::verb::get && (req.target() == "/health" || req.target() == "/health/")) {
      res.result(http::status::ok);
      res.set(http::field::content_type, "application/json");
      res.body() = dispatcher_.stopping() ? "{\"status\":\"stopping\"}\n" : "{\"status\":\"ok\"}\n";
    } else if (req.method() == http::verb::get && path_of(req.target()) == "/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, kPrometheusContentType);
      res.body() = metrics_text();
    } else {
      HttpRequest hr;
      hr.method = std::string(req.method_string());
      hr.target = std::string(req.target());
      hr.headers.reserve(8);
      for (const auto& f : req) hr.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      hr.body = std::move(req.body());
      // No idle timeout while the dispatcher works: a long poll may legitimately take 20 s.
      stream.expires_never();
      protocol::WireResponse wr;
      if (admin_ && AdminApi::handles(hr.target)) {
        wr = co_await admin_->handle(hr);
      } else {
        wr = co_await dispatcher_.handle(hr, {}, &info);
      }
      res.result(static_cast<http::status>(wr.status));
      res.set(http::field::content_type, wr.content_type);
      for (auto& [k, v] : wr.headers) res.set(k, v);
      res.body() = std::move(wr.body);
    }
    res.set(http::field::date, http_date());
    res.set(http::field::server, "tern");
    const bool keep_alive = req.keep_alive() && !stopping_;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(60));
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (options_.request_log) {
      RequestLogEntry e;
      e.method = req.method_string();
      e.path = path_of(req.target());
      e.action = info.action;
      e.status = res.result_int();
      e.duration = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started);
      e.bytes_in = bytes_in;
      e.bytes_out = res.body().size();
      options_.request_log(e);
    }
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace tern::server
