#include "tracking_store.h"

namespace shop {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS tracking (
  order_id TEXT PRIMARY KEY,
  tracking_id TEXT NOT NULL,
  username TEXT NOT NULL,
  message_id TEXT,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tracking_by_id ON tracking(tracking_id);
)sql";

}  // namespace

tern::Expected<std::unique_ptr<TrackingStore>, std::string> TrackingStore::open(
    const std::string& path) {
  auto db = Db::open(path);
  if (!db) return tern::unexpected(db.error());
  if (auto st = (*db)->exec(kSchema); !st) {
    return tern::unexpected("cannot create the schema in " + path + ": " + st.error());
  }
  return std::unique_ptr<TrackingStore>(new TrackingStore(std::move(*db)));
}

tern::Expected<bool, std::string> TrackingStore::record(const TrackingMessage& m,
                                                        const std::string& message_id) {
  std::vector<std::pair<TrackingMessage, std::string>> one{{m, message_id}};
  auto r = record_batch(one);
  if (!r) return tern::unexpected(r.error());
  return static_cast<bool>(r->front());
}

tern::Expected<std::vector<bool>, std::string> TrackingStore::record_batch(
    const std::vector<std::pair<TrackingMessage, std::string>>& messages) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  if (!tx.ok()) return tern::unexpected(tx.begin_error());
  auto stmt = db_->cached(
      "INSERT OR IGNORE INTO tracking (order_id, tracking_id, username, message_id, "
      "recorded_at) VALUES (?, ?, ?, ?, ?)");
  if (!stmt) return tern::unexpected(stmt.error());
  std::vector<bool> added;
  added.reserve(messages.size());
  int64_t now = now_ms();
  for (const auto& [m, message_id] : messages) {
    (*stmt)->reset();
    (*stmt)->bind(1, m.order_id).bind(2, m.tracking_id).bind(3, m.username).bind(4, message_id);
    (*stmt)->bind(5, now);
    if (auto st = (*stmt)->run(); !st) return tern::unexpected(st.error());
    added.push_back(db_->changes() > 0);
  }
  if (auto st = tx.commit(); !st) return tern::unexpected(st.error());
  return added;
}

tern::Expected<std::vector<TrackingRecord>, std::string> TrackingStore::find(
    const std::string& tracking_id) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT order_id, username, recorded_at FROM tracking WHERE tracking_id = ? "
      "ORDER BY recorded_at, rowid");
  if (!stmt) return tern::unexpected(stmt.error());
  stmt->bind(1, tracking_id);
  std::vector<TrackingRecord> out;
  while (true) {
    auto r = stmt->step();
    if (!r) return tern::unexpected(r.error());
    if (!*r) break;
    out.push_back({tracking_id, stmt->column_text(0), stmt->column_text(1), stmt->column_int(2)});
  }
  return out;
}

}  // namespace shop
