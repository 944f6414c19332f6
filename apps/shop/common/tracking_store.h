#pragma once
// TrackingStore: which order (and user) each product tracking id belongs to, in SQLite.
//
// record() is idempotent per order id (INSERT OR IGNORE in one statement): redelivery of the same
// message changes nothing. A tracking id shared by several orders lists them all.
// Thread-safety: all methods from any thread; a mutex serializes them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "order.h"
#include "sqlite.h"

namespace shop {

struct TrackingRecord {
  std::string tracking_id;
  std::string order_id;
  std::string username;
  int64_t recorded_at_ms = 0;
};

class TrackingStore {
 public:
  static tern::Expected<std::unique_ptr<TrackingStore>, std::string> open(const std::string& path);

  // True if new, false if this order's tracking was already recorded.
  tern::Expected<bool, std::string> record(const TrackingMessage& message,
                                           const std::string& message_id);
  // Several in ONE transaction (one commit, one fsync); true for each that was new.
  tern::Expected<std::vector<bool>, std::string> record_batch(
      const std::vector<std::pair<TrackingMessage, std::string>>& messages);
  // Oldest first; empty when the tracking id is unknown.
  tern::Expected<std::vector<TrackingRecord>, std::string> find(const std::string& tracking_id);

 private:
  explicit TrackingStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace shop
