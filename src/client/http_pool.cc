#include "client/http_pool.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/text.h"

namespace tern::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Ten 1 MiB messages, JSON-escaped, fit with room to spare.
constexpr uint64_t kResponseBodyLimit = 64ull * 1024 * 1024;

bool is_timeout(const beast::error_code& ec) { return ec == beast::error::timeout; }
bool is_cancel(const beast::error_code& ec) { return ec == asio::error::operation_aborted; }

tern::Unexpected<ClientError> io_error(std::string_view what, const beast::error_code& ec) {
  if (is_timeout(ec)) return client_fail(ErrorKind::kTimeout, "RequestTimeout", std::string(what) + ": timed out");
  if (is_cancel(ec)) return client_fail(ErrorKind::kCancelled, "Cancelled", std::string(what) + ": cancelled");
  return client_fail(ErrorKind::kTransport, "TransportError", std::string(what) + ": " + ec.message());
}
}  // namespace

struct HttpPool::Connection {
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool reused = false;
  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *tcp; }
};

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

HttpPool::HttpPool(PoolOptions options)
    : options_(std::move(options)), tls_(asio::ssl::context::tls_client) {
  boost::system::error_code ec;
  tls_.set_default_verify_paths(ec);
  if (!ec && !options_.ca_file.empty()) tls_.load_verify_file(options_.ca_file, ec);
  if (!ec) tls_.set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) {
    tls_error_ = ec.message();
  } else {
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
    tls_ready_ = true;
  }
}

HttpPool::~HttpPool() = default;

size_t HttpPool::idle_connections() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [k, v] : idle_) n += v.size();
  return n;
}

std::unique_ptr<HttpPool::Connection> HttpPool::take(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  auto c = std::move(it->second.back());  // most recently used: least likely to be stale
  it->second.pop_back();
  c->reused = true;
  return c;
}

void HttpPool::give_back(const std::string& key, std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  auto& list = idle_[key];
  if (list.size() >= options_.max_idle_per_endpoint) return;  // bounded: close the extra one
  list.push_back(std::move(c));
}

asio::awaitable<Result<std::unique_ptr<HttpPool::Connection>>> HttpPool::open(
    const Endpoint& ep) {
  auto ex = co_await asio::this_coro::executor;
  if (ep.tls && !tls_ready_) {
    co_return client_fail(ErrorKind::kConfig, "TlsSetupFailed", "TLS context: " + tls_error_);
  }
  tcp::resolver resolver(ex);
  auto [rec, results] = co_await resolver.async_resolve(ep.host, std::to_string(ep.port), kTuple);
  if (rec) co_return io_error("resolve " + ep.host, rec);

  auto c = std::make_unique<Connection>();
  if (ep.tls) {
    c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls_);
  } else {
    c->tcp = std::make_unique<beast::tcp_stream>(ex);
  }
  auto& low = c->lowest();
  low.expires_after(options_.connect_timeout);
  auto [cec, connected] = co_await low.async_connect(results, kTuple);
  if (cec) co_return io_error("connect " + ep.key(), cec);
  low.socket().set_option(tcp::no_delay(true));
  if (ep.tls) {
    // SNI, then hostname verification of the peer certificate (RFC 6125 rules).
    if (!SSL_set_tlsext_host_name(c->tls->native_handle(), ep.host.c_str())) {
      co_return client_fail(ErrorKind::kTransport, "TlsSetupFailed", "cannot set SNI");
    }
    c->tls->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    auto [hec] = co_await c->tls->async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) co_return io_error("TLS handshake with " + ep.key(), hec);
  }
  low.expires_never();
  opened_.fetch_add(1);
  co_return c;
}

namespace {

struct ExchangeOutcome {
  beast::error_code ec;
  bool got_response_bytes = false;
  bool keep_alive = false;
};

template <class Stream>
asio::awaitable<ExchangeOutcome> exchange(Stream& stream, beast::tcp_stream& low,
                                          beast::flat_buffer& buffer,
                                          http::request<http::string_body>& req,
                                          http::response_parser<http::string_body>& parser,
                                          std::chrono::milliseconds timeout) {
  ExchangeOutcome out;
  low.expires_after(timeout);
  auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
  if (wec) {
    out.ec = wec;
    co_return out;
  }
  auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kTuple);
  out.got_response_bytes = parser.got_some() || buffer.size() > 0;
  if (rec) {
    out.ec = rec;
    co_return out;
  }
  low.expires_never();
  out.keep_alive = parser.get().keep_alive();
  co_return out;
}

}  // namespace

asio::awaitable<Result<HttpResponse>> HttpPool::send(const Endpoint& ep, const HttpRequest& request,
                                                     std::chrono::milliseconds timeout) {
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  req.set(http::field::host, ep.host_header());
  for (const auto& [k, v] : request.headers) {
    if (iequals(k, "host")) continue;
    req.set(k, v);
  }
  req.keep_alive(true);
  req.body() = request.body;
  req.prepare_payload();

  const std::string key = ep.key();
  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<Connection> c = take(key);
    if (!c) {
      auto opened = co_await open(ep);
      if (!opened) co_return tern::unexpected(std::move(opened).error());
      c = std::move(opened.value());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyLimit);
    ExchangeOutcome out = c->tls ? co_await exchange(*c->tls, c->lowest(), c->buffer, req, parser,
                                                     timeout)
                                 : co_await exchange(*c->tcp, c->lowest(), c->buffer, req, parser,
                                                     timeout);
    if (out.ec) {
      // A pooled connection the server closed while it sat idle fails at once with no response
      // byte: the request never reached a handler, so one fresh connection is tried.
      if (c->reused && !out.got_response_bytes && !is_timeout(out.ec) && !is_cancel(out.ec)) {
        continue;
      }
      co_return io_error("HTTP exchange with " + key, out.ec);
    }
    auto msg = parser.release();
    HttpResponse res;
    res.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) res.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    res.body = std::move(msg.body());
    if (out.keep_alive) {
      c->buffer.clear();
      give_back(key, std::move(c));
    }
    co_return res;
  }
  co_return client_fail(ErrorKind::kTransport, "TransportError", "connection to " + key + " lost");
}

}  // namespace tern::client
