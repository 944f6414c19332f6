#pragma once
// OrderCommitter: group commit for the purchase service. HTTP handlers submit orders; one writer
// thread takes everything that has queued up (up to `max_batch`) and places it with
// OrderStore::place_batch, ONE SQLite transaction and so one WAL fsync for the whole group, then
// completes each submitter with its own result. Under load many orders share a commit; a lone
// order is committed at once (nobody waits for a batch to fill).
//
// Guarantees are those of OrderStore::place: a completion with kCreated means the order and both
// of its messages are durable. A failed transaction fails every order of its group (503 to each
// client; nothing of theirs was written).
// Thread-safety: submit() from any thread; completions run on the writer thread and must be quick
// (post the result to where it is needed). stop() completes everything submitted before it.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "order_store.h"

namespace shop {

class OrderCommitter {
 public:
  using Result = tern::Expected<PlaceResult, std::string>;
  using Done = std::function<void(Result)>;

  // `on_created` runs after a commit that created at least one order (the relay's notify()).
  OrderCommitter(OrderStore& store, std::function<void()> on_created, size_t max_batch = 256);
  ~OrderCommitter();  // stops
  OrderCommitter(const OrderCommitter&) = delete;
  OrderCommitter& operator=(const OrderCommitter&) = delete;

  void start();
  void submit(Order order, Done done);
  // Commits what was submitted, then joins. Later submissions fail with "stopping".
  void stop();

 private:
  void loop();

  OrderStore& store_;
  std::function<void()> on_created_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<Order, Done>> queue_;  // guarded by mu_
  bool stopping_ = false;                     // guarded by mu_
  bool exited_ = false;                       // guarded by mu_: the writer has left
  std::thread thread_;
};

}  // namespace shop
