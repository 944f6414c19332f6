#pragma once
// SqsClient: the Amazon SQS API over AWS JSON 1.0, for AWS itself and for `tern serve`.
//
// Every action of engine/api.h is a coroutine returning Result<T> (never throwing for network,
// service or input problems): `co_await client.send_message(req)`. Each call signs the request
// with SigV4 (service `sqs`, session tokens included), sends it over a pooled keep-alive
// connection (HTTPS with certificate and hostname verification, or plain HTTP), retries under the
// SDKs' "standard" mode (docs/CLIENT.md), and checks the MD5 digests of SendMessage,
// SendMessageBatch and ReceiveMessage replies like the Java SDK does (body always; message
// attributes when sent or received). A "Signature expired" answer re-syncs the signing clock from
// the response's Date header and is retried.
//
// BlockingSqsClient wraps one SqsClient with its own I/O thread for command-line tools and simple
// producers: the same methods, returning Result<T> directly.
//
// Thread-safety: SqsClient methods may be called concurrently from coroutines running on any
// executor of the execution context the client was created with; requests passed by value.
// BlockingSqsClient methods may be called from any thread except its own I/O thread.

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "client/config.h"
#include "client/error.h"
#include "client/http_pool.h"
#include "client/json_codec.h"

namespace tern::client {

// X(method_name, RequestType): every action, in model order.
#define TERN_SQS_CLIENT_ACTIONS(X)                                 \
  X(create_queue, CreateQueueRequest)                              \
  X(get_queue_url, GetQueueUrlRequest)                             \
  X(list_queues, ListQueuesRequest)                                \
  X(delete_queue, DeleteQueueRequest)                              \
  X(purge_queue, PurgeQueueRequest)                                \
  X(get_queue_attributes, GetQueueAttributesRequest)               \
  X(set_queue_attributes, SetQueueAttributesRequest)               \
  X(tag_queue, TagQueueRequest)                                    \
  X(untag_queue, UntagQueueRequest)                                \
  X(list_queue_tags, ListQueueTagsRequest)                         \
  X(send_message, SendMessageRequest)                              \
  X(send_message_batch, SendMessageBatchRequest)                   \
  X(receive_message, ReceiveMessageRequest)                        \
  X(delete_message, DeleteMessageRequest)                          \
  X(delete_message_batch, DeleteMessageBatchRequest)               \
  X(change_message_visibility, ChangeMessageVisibilityRequest)     \
  X(change_message_visibility_batch, ChangeMessageVisibilityBatchRequest) \
  X(add_permission, AddPermissionRequest)                          \
  X(remove_permission, RemovePermissionRequest)                    \
  X(list_dead_letter_source_queues, ListDeadLetterSourceQueuesRequest) \
  X(start_message_move_task, StartMessageMoveTaskRequest)          \
  X(cancel_message_move_task, CancelMessageMoveTaskRequest)        \
  X(list_message_move_tasks, ListMessageMoveTasksRequest)

// Checks the digests of a reply against the request (kChecksum error on mismatch). Exposed for
// tests; the client calls them when ClientOptions::verify_md5 is set.
template <class Req, class Res>
tern::Expected<void, ClientError> verify_checksums(const Req&, const Res&) {
  return {};
}
tern::Expected<void, ClientError> verify_checksums(const api::SendMessageRequest& req,
                                                   const api::SendMessageResult& res);
tern::Expected<void, ClientError> verify_checksums(const api::SendMessageBatchRequest& req,
                                                   const api::SendMessageBatchResult& res);
tern::Expected<void, ClientError> verify_checksums(const api::ReceiveMessageRequest& req,
                                                   const api::ReceiveMessageResult& res);

// The backoff of the standard retry mode: a uniformly random delay in
// [0, min(max_backoff, base * 2^(attempt-1))] ("full jitter"), attempt counted from 1.
std::chrono::milliseconds retry_delay(const RetryOptions& options, int attempt, bool throttled,
                                      double random01);
// Whether an error is worth retrying: throttling codes, 5xx, transport errors and timeouts.
bool is_retryable(const ClientError& error);
bool is_throttling(std::string_view code);

class SqsClient {
 public:
  // Resolves the configuration (config.h) and builds a client; kConfig errors when it cannot.
  static Result<std::unique_ptr<SqsClient>> create(
      boost::asio::any_io_executor executor, ClientOptions options = {},
      const ConfigSources& sources = ConfigSources::system());

  SqsClient(boost::asio::any_io_executor executor, ResolvedConfig config, ClientOptions options);
  SqsClient(const SqsClient&) = delete;
  SqsClient& operator=(const SqsClient&) = delete;

  boost::asio::any_io_executor get_executor() const { return executor_; }
  const ResolvedConfig& config() const { return config_; }
  const ClientOptions& options() const { return options_; }
  HttpPool& pool() { return pool_; }

  // Any action by request type.
  template <class Req>
  boost::asio::awaitable<Result<typename Action<Req>::Result>> call(Req req) {
    using Res = typename Action<Req>::Result;
    auto reply = co_await invoke(Action<Req>::kName, boost::json::serialize(encode(req)),
                                 timeout_for(req));
    if (!reply) co_return tern::unexpected(std::move(reply).error());
    Res res;
    if (auto st = decode(*reply, res); !st) {
      co_return client_fail(ErrorKind::kProtocol, "InvalidResponse",
                            std::string(Action<Req>::kName) + " reply: " + st.error());
    }
    if (options_.verify_md5) {
      if (auto st = verify_checksums(req, res); !st) co_return tern::unexpected(st.error());
    }
    co_return res;
  }

#define TERN_DECLARE(method, Req)                                                         \
  boost::asio::awaitable<Result<typename Action<api::Req>::Result>> method(api::Req req) { \
    return call(std::move(req));                                                          \
  }
  TERN_SQS_CLIENT_ACTIONS(TERN_DECLARE)
#undef TERN_DECLARE

  // A queue URL from a name or a URL: http(s)://... is returned as is, anything else is looked up
  // with GetQueueUrl.
  boost::asio::awaitable<Result<std::string>> resolve_queue_url(std::string name_or_url);

  // The raw call under every action: signs, sends, retries; returns the reply's JSON object.
  boost::asio::awaitable<Result<boost::json::object>> invoke(std::string_view action,
                                                             std::string body,
                                                             std::chrono::milliseconds timeout);

  // Signing-clock offset learnt from the server after a skew error (server - local), ms.
  int64_t clock_skew_ms() const { return skew_ms_.load(); }
  void set_clock_skew_ms(int64_t ms) { skew_ms_.store(ms); }

 private:
  template <class Req>
  std::chrono::milliseconds timeout_for(const Req&) const {
    return options_.request_timeout;
  }
  std::chrono::milliseconds timeout_for(const api::ReceiveMessageRequest& req) const;
  bool take_retry_tokens(int cost);
  void refund_retry_tokens(int amount);

  boost::asio::any_io_executor executor_;
  ResolvedConfig config_;
  ClientOptions options_;
  HttpPool pool_;
  std::atomic<int64_t> skew_ms_{0};
  std::atomic<int> retry_tokens_;
};

class BlockingSqsClient {
 public:
  static Result<std::unique_ptr<BlockingSqsClient>> create(
      ClientOptions options = {}, const ConfigSources& sources = ConfigSources::system());
  ~BlockingSqsClient();

  template <class Req>
  Result<typename Action<Req>::Result> call(Req req) {
    return run(client_->call(std::move(req)));
  }
  // Runs any awaitable of the client on the I/O thread and waits for its value.
  template <class T>
  T run(boost::asio::awaitable<T> work) {
    std::promise<T> done;
    auto result = done.get_future();
    // Result<T> has no default constructor, which co_spawn's future completion would need.
    boost::asio::co_spawn(
        ioc_,
        [&done, w = std::move(work)]() mutable -> boost::asio::awaitable<void> {
          try {
            done.set_value(co_await std::move(w));
          } catch (...) {
            done.set_exception(std::current_exception());
          }
        },
        boost::asio::detached);
    return result.get();
  }
#define TERN_DECLARE(method, Req)                                          \
  Result<typename Action<api::Req>::Result> method(api::Req req) {        \
    return call(std::move(req));                                           \
  }
  TERN_SQS_CLIENT_ACTIONS(TERN_DECLARE)
#undef TERN_DECLARE

  Result<std::string> resolve_queue_url(std::string name_or_url);
  SqsClient& async() { return *client_; }
  const ResolvedConfig& config() const { return client_->config(); }

 private:
  BlockingSqsClient() = default;
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      ioc_.get_executor()};
  std::unique_ptr<SqsClient> client_;
  std::thread thread_;
};

}  // namespace tern::client
