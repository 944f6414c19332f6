#include "order_store.h"

namespace shop {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  mileage_accumulated_cents INTEGER NOT NULL,
  tracking_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders(id),
  queue TEXT NOT NULL CHECK (queue IN ('mileage', 'tracking')),
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  sent_at INTEGER,
  message_id TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(queue, seq) WHERE sent_at IS NULL;
)sql";

}  // namespace

tern::Expected<std::unique_ptr<OrderStore>, std::string> OrderStore::open(
    const std::string& path) {
  auto db = Db::open(path);
  if (!db) return tern::unexpected(db.error());
  if (auto st = (*db)->exec(kSchema); !st) {
    return tern::unexpected("cannot create the schema in " + path + ": " + st.error());
  }
  return std::unique_ptr<OrderStore>(new OrderStore(std::move(*db)));
}

tern::Expected<PlaceResult, std::string> OrderStore::place(const Order& order) {
  auto placed = place_batch(std::span<const Order>(&order, 1));
  if (!placed) return tern::unexpected(placed.error());
  return std::move(placed->front());
}

tern::Expected<std::vector<PlaceResult>, std::string> OrderStore::place_batch(
    std::span<const Order> orders) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  if (!tx.ok()) return tern::unexpected(tx.begin_error());

  auto select = db_->cached(
      "SELECT username, price_cents, mileage_accumulated_cents, tracking_id, created_at "
      "FROM orders WHERE id = ?");
  if (!select) return tern::unexpected(select.error());
  auto insert = db_->cached(
      "INSERT INTO orders (id, username, price_cents, mileage_accumulated_cents, tracking_id, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return tern::unexpected(insert.error());
  auto outbox = db_->cached(
      "INSERT INTO outbox (order_id, queue, body, created_at) VALUES (?, ?, ?, ?)");
  if (!outbox) return tern::unexpected(outbox.error());

  std::vector<PlaceResult> results;
  results.reserve(orders.size());
  int64_t now = now_ms();
  for (const Order& order : orders) {
    // An id seen before, in an earlier transaction or earlier in this one, writes nothing.
    (*select)->reset();
    (*select)->bind(1, order.id);
    auto row = (*select)->step();
    if (!row) return tern::unexpected(row.error());
    if (*row) {
      PlaceResult result;
      result.stored.id = order.id;
      result.stored.username = (*select)->column_text(0);
      result.stored.price_cents = (*select)->column_int(1);
      result.stored.mileage_accumulated_cents = (*select)->column_int(2);
      result.stored.tracking_id = (*select)->column_text(3);
      result.created_at_ms = (*select)->column_int(4);
      result.outcome =
          result.stored == order ? PlaceOutcome::kDuplicate : PlaceOutcome::kConflict;
      results.push_back(std::move(result));
      continue;
    }
    (*select)->reset();

    (*insert)->reset();
    (*insert)->bind(1, order.id).bind(2, order.username).bind(3, order.price_cents);
    (*insert)->bind(4, order.mileage_accumulated_cents).bind(5, order.tracking_id).bind(6, now);
    if (auto st = (*insert)->run(); !st) return tern::unexpected(st.error());
    for (const auto& [queue, body] :
         {std::pair<const char*, std::string>{"mileage", mileage_message_body(order, now)},
          std::pair<const char*, std::string>{"tracking", tracking_message_body(order, now)}}) {
      (*outbox)->reset();
      (*outbox)->bind(1, order.id).bind(2, queue).bind(3, body).bind(4, now);
      if (auto st = (*outbox)->run(); !st) return tern::unexpected(st.error());
    }
    results.push_back(PlaceResult{PlaceOutcome::kCreated, order, now});
  }
  if (auto st = tx.commit(); !st) return tern::unexpected(st.error());
  return results;
}

tern::Expected<std::vector<OutboxRow>, std::string> OrderStore::pending(const std::string& queue,
                                                                         size_t limit) {
  std::lock_guard lock(mu_);
  auto stmt = db_->cached(
      "SELECT o.seq, o.order_id, r.username, o.body, o.attempts FROM outbox o "
      "JOIN orders r ON r.id = o.order_id "
      "WHERE o.queue = ? AND o.sent_at IS NULL ORDER BY o.seq LIMIT ?");
  if (!stmt) return tern::unexpected(stmt.error());
  (*stmt)->bind(1, queue).bind(2, static_cast<int64_t>(limit));
  std::vector<OutboxRow> rows;
  while (true) {
    auto r = (*stmt)->step();
    if (!r) return tern::unexpected(r.error());
    if (!*r) break;
    rows.push_back({(*stmt)->column_int(0), (*stmt)->column_text(1), (*stmt)->column_text(2), queue,
                    (*stmt)->column_text(3), (*stmt)->column_int(4)});
  }
  return rows;
}

Status OrderStore::mark_sent(const std::vector<std::pair<int64_t, std::string>>& sent) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  if (!tx.ok()) return tern::unexpected(tx.begin_error());
  auto stmt = db_->cached(
      "UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1 WHERE seq = ?");
  if (!stmt) return tern::unexpected(stmt.error());
  int64_t now = now_ms();
  for (const auto& [seq, message_id] : sent) {
    (*stmt)->reset();
    (*stmt)->bind(1, now).bind(2, message_id).bind(3, seq);
    if (auto st = (*stmt)->run(); !st) return st;
  }
  return tx.commit();
}

Status OrderStore::mark_failed(int64_t seq, const std::string& error) {
  std::lock_guard lock(mu_);
  auto stmt = db_->cached(
      "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?");
  if (!stmt) return tern::unexpected(stmt.error());
  (*stmt)->bind(1, error).bind(2, seq);
  return (*stmt)->run();
}

tern::Expected<std::optional<OrderStatus>, std::string> OrderStore::find(
    const std::string& order_id) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT username, price_cents, mileage_accumulated_cents, tracking_id, created_at, "
      "(SELECT COUNT(*) FROM outbox WHERE order_id = orders.id AND sent_at IS NULL) "
      "FROM orders WHERE id = ?");
  if (!stmt) return tern::unexpected(stmt.error());
  stmt->bind(1, order_id);
  auto r = stmt->step();
  if (!r) return tern::unexpected(r.error());
  if (!*r) return std::optional<OrderStatus>();
  OrderStatus s;
  s.order = {order_id, stmt->column_text(0), stmt->column_int(1), stmt->column_int(2),
             stmt->column_text(3)};
  s.created_at_ms = stmt->column_int(4);
  s.messages_pending = stmt->column_int(5);
  return std::optional<OrderStatus>(std::move(s));
}

tern::Expected<int64_t, std::string> OrderStore::pending_count() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
  if (!stmt) return tern::unexpected(stmt.error());
  auto r = stmt->step();
  if (!r) return tern::unexpected(r.error());
  return stmt->column_int(0);
}

}  // namespace shop
