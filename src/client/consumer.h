#pragma once
// Consumer: polls one queue and runs a handler per message (or per received batch), in the spirit
// of sqs-consumer with its gaps closed (docs/CLIENT.md compares the options):
//
//  * Concurrency with back-pressure: at most `concurrency` messages are held at once. Each poller
//    reserves min(10, free permits) before a ReceiveMessage and returns the unused ones, so it
//    polls again as soon as any handler finishes, not after a whole batch.
//  * Ack: a successful message is deleted through DeleteMessageBatch, flushed at 10 entries or
//    after `ack_flush_interval`. Nack: a failure (false, exception, timeout) changes the message's
//    visibility to min(cap, base * 2^(ApproximateReceiveCount-1)) so retries back off.
//  * Heartbeats: while a handler runs, the visibility of the messages it holds is extended every
//    `heartbeat_interval` (default: half the visibility timeout), so slow work is not redelivered.
//  * Handler timeout: the message is nacked when the handler overruns.
//  * FIFO queues: the messages of one receive are grouped by MessageGroupId; each group runs in
//    order on its own task, groups in parallel. A failure nacks that message and resets the rest
//    of its group's batch to visibility 0: the failed message, still in flight, blocks the group
//    on the server, so the rest come back after it, in order.
//  * stop(deadline): stops polling at once (an in-flight long poll is cancelled; anything it had
//    fetched stays in the queue and reappears after its visibility timeout), lets running
//    handlers finish until the deadline (later ones are abandoned without ack or nack), flushes
//    the pending acks, then reports stopped.
//  * A failed ReceiveMessage is reported (on_error) and retried after `poll_error_backoff`; the
//    client's own retries come first.
//
// Handlers: coroutines (AsyncHandler, run on the consumer's strand; they must not block) or plain
// functions (Handler, run on an internal thread pool of `concurrency` threads). A plain function
// that times out keeps its thread until it returns; its message is nacked at the timeout.
//
// Thread-safety: start(), stop(), stats() and wait_stopped() may be called from any thread
// (wait_stopped() not from a thread running the client's io_context). Everything else, including
// every event callback, runs on one strand of the client's executor: callbacks must be quick.
// The SqsClient, the handlers and whatever they capture must outlive the consumer's stopped state.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "client/sqs_client.h"

namespace tern::client {

using Message = api::Message;

// What a batch handler reports: the ids of the messages that failed; the others are acked.
struct BatchOutcome {
  std::vector<std::string> failed_message_ids;
};

struct ConsumerEvents {
  std::function<void()> on_started;
  std::function<void()> on_stopped;
  std::function<void(const Message&)> on_received;   // before its handler runs
  std::function<void(const Message&)> on_processed;  // handler succeeded; ack queued
  std::function<void(const ClientError&)> on_error;  // an SQS call of the consumer failed
  // The handler failed: returned false, threw (what()), or timed out ("timeout").
  std::function<void(const Message&, const std::string& reason)> on_processing_error;
  std::function<void()> on_empty;  // a receive returned no message
};

struct ConsumerOptions {
  std::string queue_url;  // a URL, or a queue name looked up with GetQueueUrl at start()
  int concurrency = 10;  // messages held at once
  int pollers = 0;       // concurrent ReceiveMessage loops; 0: ceil(concurrency / 10), at most 8
  int wait_time_seconds = 20;
  int visibility_timeout = 30;  // seconds, sent with every receive
  std::vector<std::string> message_attribute_names = {"All"};
  bool heartbeat = true;
  std::chrono::milliseconds heartbeat_interval{0};  // 0: visibility_timeout / 2
  std::chrono::milliseconds handler_timeout{0};     // 0: none
  size_t ack_batch_size = 10;                        // 1..10
  std::chrono::milliseconds ack_flush_interval{100};
  std::chrono::seconds nack_backoff_base{1};  // visibility after a failure: base * 2^(count-1)
  std::chrono::seconds nack_backoff_cap{900};
  std::chrono::milliseconds poll_error_backoff{1000};  // pause after a failed receive
  std::optional<bool> fifo;  // default: the queue URL ends in ".fifo"
  ConsumerEvents events;
};

struct ConsumerStats {
  int64_t received = 0;
  int64_t processed = 0;  // handler succeeded
  int64_t failed = 0;     // handler failed or timed out
  int64_t deleted = 0;    // acks confirmed by DeleteMessageBatch
  int64_t heartbeats = 0; // visibility extensions sent (messages)
  int64_t receives = 0;   // ReceiveMessage calls
};

class Consumer {
 public:
  using Handler = std::function<bool(const Message&)>;
  using AsyncHandler = std::function<boost::asio::awaitable<bool>(const Message&)>;
  using BatchHandler = std::function<BatchOutcome(const std::vector<Message>&)>;
  using AsyncBatchHandler =
      std::function<boost::asio::awaitable<BatchOutcome>(const std::vector<Message>&)>;

  Consumer(SqsClient& client, ConsumerOptions options, Handler handler);
  Consumer(SqsClient& client, ConsumerOptions options, AsyncHandler handler);
  Consumer(SqsClient& client, ConsumerOptions options, BatchHandler handler);
  Consumer(SqsClient& client, ConsumerOptions options, AsyncBatchHandler handler);
  // Requests a stop (deadline 0) if still running; does not wait.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void start();
  void stop(std::chrono::milliseconds drain_deadline = std::chrono::seconds(30));
  // True once stopped (on_stopped has run), false if `timeout` passed first.
  bool wait_stopped(std::chrono::milliseconds timeout = std::chrono::hours(24));
  bool stopped() const;
  ConsumerStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tern::client
