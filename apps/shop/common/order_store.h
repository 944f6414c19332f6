#pragma once
// OrderStore: the purchase service's SQLite database, holding ORDERS and the OUTBOX of messages
// still to be sent to the mileage and tracking queues.
//
// place() writes the order and both of its messages in ONE transaction: once it returns
// kCreated, the order and its two messages are durable together, and the relay (relay.h) will
// deliver them however often SQS fails in between. Neither message can be sent without the
// other, and a client retry is answered from ORDERS without new messages.
// An outbox row names its queue by role ("mileage"/"tracking"), not URL, so pending rows follow
// a configuration change across a restart.
// Thread-safety: all methods may be called from any thread; a mutex serializes them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "order.h"
#include "sqlite.h"

namespace shop {

enum class PlaceOutcome {
  kCreated,    // new order: stored with its two messages
  kDuplicate,  // same id, same content: nothing written
  kConflict,   // same id, different content: nothing written
};

struct PlaceResult {
  PlaceOutcome outcome = PlaceOutcome::kCreated;
  Order stored;  // the order as stored (the earlier one for kDuplicate/kConflict)
  int64_t created_at_ms = 0;
};

struct OutboxRow {
  int64_t seq = 0;
  std::string order_id;
  std::string username;
  std::string queue;  // "mileage" or "tracking"
  std::string body;
  int64_t attempts = 0;
};

struct OrderStatus {
  Order order;
  int64_t created_at_ms = 0;
  int64_t messages_pending = 0;  // outbox rows not yet accepted by SQS
};

class OrderStore {
 public:
  static tern::Expected<std::unique_ptr<OrderStore>, std::string> open(const std::string& path);

  tern::Expected<PlaceResult, std::string> place(const Order& order);
  // Places several orders in ONE transaction (one commit, one fsync: group commit), in order;
  // an id repeated within the batch is a duplicate (or conflict) of its first occurrence. An
  // error fails the whole batch and writes nothing.
  tern::Expected<std::vector<PlaceResult>, std::string> place_batch(std::span<const Order> orders);
  // Up to `limit` unsent rows of `queue`, oldest first.
  tern::Expected<std::vector<OutboxRow>, std::string> pending(const std::string& queue,
                                                              size_t limit);
  // Marks rows accepted by SQS (seq, message id), in one transaction. Losing this write in a
  // crash only means the rows are sent again, which the consumers deduplicate.
  Status mark_sent(const std::vector<std::pair<int64_t, std::string>>& sent);
  Status mark_failed(int64_t seq, const std::string& error);
  tern::Expected<std::optional<OrderStatus>, std::string> find(const std::string& order_id);
  tern::Expected<int64_t, std::string> pending_count();

 private:
  explicit OrderStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace shop
