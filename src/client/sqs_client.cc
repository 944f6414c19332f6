#include "client/sqs_client.h"

#include <algorithm>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/text.h"
#include "sigv4/signer.h"

namespace tern::client {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";
constexpr int kRetryCost = 5;
constexpr int kTimeoutRetryCost = 10;
constexpr int kNoRetryIncrement = 1;

double random01() {
  thread_local std::mt19937_64 rng(random_u64());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "Signature expired" (past) / "Signature not yet current" (future) answers, and the dedicated
// codes other AWS services use for the same thing.
bool is_clock_skew_error(const ClientError& e) {
  if (e.kind != ErrorKind::kService) return false;
  if (e.is("RequestTimeTooSkewed") || e.is("RequestExpired") || e.is("RequestInTheFuture")) {
    return true;
  }
  bool signature_code = e.is("SignatureDoesNotMatch") || e.is("InvalidSignatureException");
  return signature_code && (e.message.find("Signature expired") != std::string::npos ||
                            e.message.find("not yet current") != std::string::npos);
}

tern::Unexpected<ClientError> checksum_error(std::string message) {
  auto e = client_fail(ErrorKind::kChecksum, "InvalidChecksum", std::move(message));
  return e;
}

}  // namespace

bool is_throttling(std::string_view code) {
  static constexpr std::string_view kCodes[] = {
      "RequestThrottled", "ThrottlingException", "KMS.ThrottlingException", "KmsThrottled",
      "Throttling", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
      "ProvisionedThroughputExceededException", "RequestLimitExceeded", "SlowDown",
      "EC2ThrottledException", "PriorRequestNotComplete", "BandwidthLimitExceeded"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

bool is_retryable(const ClientError& e) {
  switch (e.kind) {
    case ErrorKind::kTransport:
    case ErrorKind::kTimeout:
      return true;
    case ErrorKind::kService:
      if (is_throttling(e.code) || is_throttling(e.shape)) return true;
      if (e.http_status >= 500 || e.http_status == 429) return true;
      // Transient codes AWS documents as retryable even when sent with a 4xx status.
      return e.is("RequestTimeout") || e.is("RequestTimeoutException") ||
             e.is("InternalFailure") || e.is("ServiceUnavailable");
    default:
      // Checksum mismatches are not retried: repeating a send could duplicate the message, and
      // repeating a receive cannot bring back the messages the failed one made invisible.
      return false;
  }
}

std::chrono::milliseconds retry_delay(const RetryOptions& o, int attempt, bool throttled,
                                      double r) {
  double base = static_cast<double>((throttled ? o.throttle_base_delay : o.base_delay).count());
  double ceiling = base * std::pow(2.0, std::max(0, attempt - 1));
  ceiling = std::min(ceiling, static_cast<double>(o.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(r * ceiling));
}

// ---- checksums ----------------------------------------------------------------------------------

tern::Expected<void, ClientError> verify_checksums(const api::SendMessageRequest& req,
                                                   const api::SendMessageResult& res) {
  if (res.md5_of_message_body != md5_hex(req.message_body)) {
    return checksum_error("SendMessage: MD5OfMessageBody " + res.md5_of_message_body +
                          " does not match the body sent (message " + res.message_id + ")");
  }
  if (!req.message_attributes.empty()) {
    std::string want = md5_of_message_attributes(req.message_attributes);
    if (res.md5_of_message_attributes.value_or("") != want) {
      return checksum_error("SendMessage: MD5OfMessageAttributes does not match the attributes "
                            "sent (message " + res.message_id + ")");
    }
  }
  return {};
}

tern::Expected<void, ClientError> verify_checksums(const api::SendMessageBatchRequest& req,
                                                   const api::SendMessageBatchResult& res) {
  std::string bad;
  for (const auto& s : res.successful) {
    auto it = std::find_if(req.entries.begin(), req.entries.end(),
                           [&](const auto& e) { return e.id == s.id; });
    if (it == req.entries.end()) {
      return checksum_error("SendMessageBatch: reply names entry " + s.id + " that was not sent");
    }
    bool ok = s.md5_of_message_body == md5_hex(it->message_body);
    if (ok && !it->message_attributes.empty()) {
      ok = s.md5_of_message_attributes.value_or("") ==
           md5_of_message_attributes(it->message_attributes);
    }
    if (!ok) bad += (bad.empty() ? "" : ", ") + s.id;
  }
  if (!bad.empty()) return checksum_error("SendMessageBatch: MD5 mismatch for entries " + bad);
  return {};
}

tern::Expected<void, ClientError> verify_checksums(const api::ReceiveMessageRequest&,
                                                   const api::ReceiveMessageResult& res) {
  std::string bad;
  for (const auto& m : res.messages) {
    bool ok = m.md5_of_body == md5_hex(m.body);
    if (ok && (!m.message_attributes.empty() || m.md5_of_message_attributes)) {
      ok = m.md5_of_message_attributes.value_or("") ==
           md5_of_message_attributes(m.message_attributes);
    }
    if (!ok) bad += (bad.empty() ? "" : ", ") + m.message_id;
  }
  if (!bad.empty()) return checksum_error("ReceiveMessage: MD5 mismatch for messages " + bad);
  return {};
}

// ---- SqsClient ----------------------------------------------------------------------------------

Result<std::unique_ptr<SqsClient>> SqsClient::create(asio::any_io_executor executor,
                                                     ClientOptions options,
                                                     const ConfigSources& sources) {
  auto config = resolve_config(options, sources);
  if (!config) return tern::unexpected(std::move(config).error());
  return std::make_unique<SqsClient>(std::move(executor), std::move(config.value()),
                                     std::move(options));
}

SqsClient::SqsClient(asio::any_io_executor executor, ResolvedConfig config, ClientOptions options)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      options_(std::move(options)),
      pool_(PoolOptions{options_.connect_timeout, options_.max_idle_connections,
                        options_.ca_file}),
      retry_tokens_(options_.retry.quota_capacity) {}

std::chrono::milliseconds SqsClient::timeout_for(const api::ReceiveMessageRequest& req) const {
  // Without an explicit wait the queue's ReceiveMessageWaitTimeSeconds applies (up to 20 s).
  int64_t wait_s = req.wait_time_seconds.value_or(20);
  auto needed = std::chrono::milliseconds(std::max<int64_t>(wait_s, 0) * 1000) +
                options_.long_poll_margin;
  return std::max(options_.request_timeout, needed);
}

bool SqsClient::take_retry_tokens(int cost) {
  int have = retry_tokens_.load();
  while (have >= cost) {
    if (retry_tokens_.compare_exchange_weak(have, have - cost)) return true;
  }
  return false;
}

void SqsClient::refund_retry_tokens(int amount) {
  int have = retry_tokens_.load();
  while (true) {
    int next = std::min(options_.retry.quota_capacity, have + amount);
    if (retry_tokens_.compare_exchange_weak(have, next)) return;
  }
}

asio::awaitable<Result<json::object>> SqsClient::invoke(std::string_view action, std::string body,
                                                        std::chrono::milliseconds timeout) {
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  int spent_tokens = 0;
  for (int attempt = 1;; ++attempt) {
    sigv4::HttpRequestView view;
    view.method = "POST";
    view.path = config_.endpoint.path;
    view.headers = {{"Host", config_.endpoint.host_header()},
                    {"Content-Type", std::string(kJsonContentType)},
                    {"X-Amz-Target", "AmazonSQS." + std::string(action)},
                    {"x-amzn-query-mode", "true"}};
    view.body = body;
    sigv4::sign(view, config_.credentials, config_.region, "sqs",
                sigv4::format_amz_date_ms(now_ms() + skew_ms_.load()));
    HttpRequest req;
    req.target = view.path;
    req.headers = std::move(view.headers);
    req.headers.emplace_back("User-Agent", "tern-client/0.1");
    req.body = std::move(view.body);

    auto sent = co_await pool_.send(config_.endpoint, req, timeout);
    ClientError err;
    if (sent) {
      const HttpResponse& res = *sent;
      if (res.status >= 200 && res.status < 300) {
        json::object out;
        if (!res.body.empty()) {
          boost::system::error_code ec;
          json::value v = json::parse(res.body, ec);
          if (ec || !v.is_object()) {
            co_return client_fail(ErrorKind::kProtocol, "InvalidResponse",
                                  std::string(action) + ": reply is not a JSON object");
          }
          out = std::move(v.get_object());
        }
        refund_retry_tokens(spent_tokens > 0 ? spent_tokens : kNoRetryIncrement);
        co_return out;
      }
      WireError w = parse_error(res.status, res.header("x-amzn-query-error"),
                                res.header("X-Amzn-ErrorType"), res.body);
      err.kind = ErrorKind::kService;
      err.code = std::move(w.code);
      err.shape = std::move(w.shape);
      err.message = std::move(w.message);
      err.sender_fault = w.sender_fault;
      err.http_status = res.status;
      err.request_id = std::string(res.header("x-amzn-RequestId"));
      if (is_clock_skew_error(err)) {
        // Re-sync from the server's Date, then retry once the offset really changed.
        auto amz = sigv4::http_date_to_amz_date(res.header("Date"));
        auto server_ms = amz ? sigv4::parse_amz_date(*amz) : std::nullopt;
        if (server_ms) {
          int64_t skew = *server_ms - now_ms();
          bool changed = std::llabs(skew - skew_ms_.load()) > 60'000;
          skew_ms_.store(skew);
          if (changed && attempt < max_attempts) continue;  // not a failure of the service
        }
      }
      err.retryable = is_retryable(err);
    } else {
      err = std::move(sent).error();
      err.retryable = is_retryable(err);
    }
    if (err.kind == ErrorKind::kCancelled) co_return tern::unexpected(std::move(err));
    if (!err.retryable || attempt >= max_attempts) co_return tern::unexpected(std::move(err));
    int cost = err.kind == ErrorKind::kTimeout ? kTimeoutRetryCost : kRetryCost;
    if (!take_retry_tokens(cost)) co_return tern::unexpected(std::move(err));
    spent_tokens += cost;
    bool throttled = is_throttling(err.code) || is_throttling(err.shape);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(retry_delay(options_.retry, attempt, throttled, random01()));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return client_fail(ErrorKind::kCancelled, "Cancelled", "cancelled during backoff");
  }
}

asio::awaitable<Result<std::string>> SqsClient::resolve_queue_url(std::string name_or_url) {
  if (starts_with_icase(name_or_url, "http://") || starts_with_icase(name_or_url, "https://")) {
    co_return name_or_url;
  }
  api::GetQueueUrlRequest req;
  req.queue_name = std::move(name_or_url);
  auto r = co_await get_queue_url(std::move(req));
  if (!r) co_return tern::unexpected(std::move(r).error());
  co_return std::move(r->queue_url);
}

// ---- BlockingSqsClient --------------------------------------------------------------------------

Result<std::unique_ptr<BlockingSqsClient>> BlockingSqsClient::create(ClientOptions options,
                                                                     const ConfigSources& sources) {
  std::unique_ptr<BlockingSqsClient> b(new BlockingSqsClient());
  auto c = SqsClient::create(b->ioc_.get_executor(), std::move(options), sources);
  if (!c) return tern::unexpected(std::move(c).error());
  b->client_ = std::move(c.value());
  b->thread_ = std::thread([io = &b->ioc_] { io->run(); });
  return b;
}

BlockingSqsClient::~BlockingSqsClient() {
  work_.reset();
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
  client_.reset();  // closes pooled connections after the I/O thread is gone
}

Result<std::string> BlockingSqsClient::resolve_queue_url(std::string name_or_url) {
  return run(client_->resolve_queue_url(std::move(name_or_url)));
}

}  // namespace tern::client
