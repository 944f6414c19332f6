#include "http.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/pct_string_view.hpp>

#include "json_fields.h"

namespace shop {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Session {
  explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // guarded by the session's strand
};

HttpResponse json_error(int status, std::string_view code, std::string_view message) {
  return {status, R"({"error":)" + json_quote(code) + R"(,"message":)" + json_quote(message) + "}"};
}

HttpServer::HttpServer(asio::io_context& ioc, HttpServerOptions options, HttpHandler handler)
    : ioc_(ioc), options_(std::move(options)), handler_(std::move(handler)), acceptor_(ioc) {}

HttpServer::HttpServer(asio::io_context& ioc, HttpServerOptions options, AsyncHttpHandler handler)
    : ioc_(ioc), options_(std::move(options)), async_handler_(std::move(handler)), acceptor_(ioc) {}

HttpServer::~HttpServer() = default;

tern::Expected<bool, std::string> HttpServer::start() {
  boost::system::error_code ec;
  std::string where = options_.host + ":" + std::to_string(options_.port);
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return tern::unexpected(where + ": not an IP address");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return tern::unexpected(where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
  return true;
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  std::lock_guard lock(mu_);
  for (const auto& s : sessions_) {
    // Idle connections (waiting for a request) close now; a busy one closes after answering.
    asio::post(s->stream.get_executor(), [s] {
      if (!s->busy) s->stream.socket().close();
    });
  }
}

bool HttpServer::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return sessions_.empty(); });
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(
        asio::make_strand(ioc_), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    auto session = std::make_shared<Session>(std::move(socket));
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      sessions_.insert(session);
    }
    asio::co_spawn(session->stream.get_executor(), run_session(session), asio::detached);
  }
}

asio::awaitable<void> HttpServer::run_session(std::shared_ptr<Session> session) {
  beast::flat_buffer buffer;
  while (!stopping_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(options_.body_limit);
    session->stream.expires_after(options_.idle_timeout);
    auto [ec, n] = co_await http::async_read(session->stream, buffer, parser,
                                             asio::as_tuple(asio::use_awaitable));
    HttpResponse out;
    bool keep_alive = false;
    unsigned version = 11;
    if (ec == http::error::body_limit) {
      out = json_error(413, "PayloadTooLarge",
                       "the request body is larger than " + std::to_string(options_.body_limit) +
                           " bytes");
    } else if (ec) {
      break;  // closed, timed out or unparseable framing: nothing sensible to answer
    } else {
      session->busy = true;
      auto& req = parser.get();
      version = req.version();
      keep_alive = req.keep_alive();
      HttpRequest in;
      in.method = std::string(req.method_string());
      std::string_view target = req.target();
      auto q = target.find('?');
      std::string_view raw_path = target.substr(0, q);
      if (q != std::string_view::npos) in.query = std::string(target.substr(q + 1));
      auto decoded = boost::urls::make_pct_string_view(raw_path);
      in.path = decoded ? decoded->decode() : std::string(raw_path);
      in.body = std::move(req.body());
      in.content_type = std::string(req[http::field::content_type]);
      try {
        if (async_handler_) {
          out = co_await async_handler_(std::move(in));
        } else {
          out = handler_(in);
        }
      } catch (const std::exception& e) {
        // Handlers return errors as values; this is the last line so one bug is one 500.
        out = json_error(500, "InternalError", e.what());
      }
    }
    http::response<http::string_body> res{static_cast<http::status>(out.status), version};
    res.set(http::field::server, "tern-shop");
    res.set(http::field::content_type, out.content_type);
    res.keep_alive(keep_alive && !stopping_);
    res.body() = std::move(out.body);
    res.prepare_payload();
    session->stream.expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await http::async_write(session->stream, res,
                                                asio::as_tuple(asio::use_awaitable));
    session->busy = false;
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  session->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  session->stream.socket().close(ignored);
  std::lock_guard lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) idle_cv_.notify_all();
}

}  // namespace shop
