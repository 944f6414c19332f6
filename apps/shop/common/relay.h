#pragma once
// Relay: moves outbox rows (order_store.h) to their queues until SQS accepts each one.
//
// One thread loops: it takes up to `max_rows` unsent rows of each queue role, hands them all to
// the QueueSender (SendMessageBatch calls of `batch` rows, all in flight at once), marks the
// accepted ones sent in one transaction and counts an attempt on the others. While sends fail it backs off exponentially (min_backoff .. max_backoff) and tries
// again, forever: an accepted order is never dropped, only delayed. A crash between SQS accepting
// a row and mark_sent() sends it again on restart, so delivery is at-least-once and the
// consumers deduplicate by order id.
//
// Thread-safety: notify() and stop() from any thread; the sender runs on the relay thread only.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "order_store.h"

namespace shop {

struct SendReport {
  std::vector<std::pair<int64_t, std::string>> sent;    // seq, message id
  std::vector<std::pair<int64_t, std::string>> failed;  // seq, error text
};

// Where relayed messages go: the SQS binding (sqs_sender.h) or a fake in tests.
class QueueSender {
 public:
  virtual ~QueueSender() = default;
  // REQUIRES: rows non-empty, at most 10, all of queue role `queue`.
  virtual SendReport send(const std::string& queue, const std::vector<OutboxRow>& rows) = 0;
  // Any number of rows of either role (each row names its queue): by default one send() per
  // `batch` rows of a role, one after the other; a sender may run them concurrently.
  virtual SendReport send_all(const std::vector<OutboxRow>& rows, size_t batch);
};

struct RelayOptions {
  size_t batch = 10;       // rows per SendMessageBatch (SQS allows 10)
  size_t max_rows = 200;   // rows per queue role and pass (sent concurrently, marked in one commit)
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds idle_poll{1000};  // re-check even without notify()
  std::function<void(const std::string&)> log;  // warnings; may be empty
};

struct RelayStats {
  int64_t sent = 0;
  int64_t failed_attempts = 0;
};

class Relay {
 public:
  Relay(OrderStore& store, QueueSender& sender, RelayOptions options = {});
  ~Relay();  // stops
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  void start();
  // Wakes the loop: new rows were committed.
  void notify();
  // Finishes the batch in progress, then joins. Unsent rows stay in the outbox for next start.
  void stop();
  // Runs one pass over both queues on the caller's thread; for tests. True if all sends passed.
  bool run_once();
  RelayStats stats() const { return {sent_.load(), failed_.load()}; }

 private:
  void loop();
  void log(const std::string& text);

  OrderStore& store_;
  QueueSender& sender_;
  RelayOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool notified_ = false;  // guarded by mu_
  bool did_work_ = false;  // last run_once() moved something
  std::thread thread_;
  std::atomic<int64_t> sent_{0}, failed_{0};
};

}  // namespace shop
