#include "mileage_store.h"

#include "money.h"

namespace shop {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS balances (
  username TEXT PRIMARY KEY,
  balance_cents INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS credits (
  order_id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  opening_cents INTEGER NOT NULL,
  credit_cents INTEGER NOT NULL,
  balance_after_cents INTEGER NOT NULL,
  message_id TEXT,
  credited_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS credits_by_user ON credits(username, credited_at);
)sql";

}  // namespace

tern::Expected<std::unique_ptr<MileageStore>, std::string> MileageStore::open(
    const std::string& path) {
  auto db = Db::open(path);
  if (!db) return tern::unexpected(db.error());
  if (auto st = (*db)->exec(kSchema); !st) {
    return tern::unexpected("cannot create the schema in " + path + ": " + st.error());
  }
  return std::unique_ptr<MileageStore>(new MileageStore(std::move(*db)));
}

tern::Expected<CreditResult, std::string> MileageStore::credit(const MileageMessage& m,
                                                               const std::string& message_id) {
  std::vector<std::pair<MileageMessage, std::string>> one{{m, message_id}};
  auto r = credit_batch(one);
  if (!r) return tern::unexpected(r.error());
  return r->front();
}

tern::Expected<std::vector<CreditResult>, std::string> MileageStore::credit_batch(
    const std::vector<std::pair<MileageMessage, std::string>>& messages) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  if (!tx.ok()) return tern::unexpected(tx.begin_error());

  auto seen = db_->cached("SELECT credit_cents, balance_after_cents FROM credits "
                          "WHERE order_id = ?");
  if (!seen) return tern::unexpected(seen.error());
  auto balance = db_->cached("SELECT balance_cents FROM balances WHERE username = ?");
  if (!balance) return tern::unexpected(balance.error());
  auto upsert = db_->cached(
      "INSERT INTO balances (username, balance_cents, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT(username) DO UPDATE SET balance_cents = excluded.balance_cents, "
      "updated_at = excluded.updated_at");
  if (!upsert) return tern::unexpected(upsert.error());
  auto ledger = db_->cached(
      "INSERT INTO credits (order_id, username, price_cents, opening_cents, credit_cents, "
      "balance_after_cents, message_id, credited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ledger) return tern::unexpected(ledger.error());

  std::vector<CreditResult> results;
  results.reserve(messages.size());
  int64_t now = now_ms();
  for (const auto& [m, message_id] : messages) {
    // Credited before (in an earlier transaction, or earlier in this one): nothing to write.
    (*seen)->reset();
    (*seen)->bind(1, m.order_id);
    auto row = (*seen)->step();
    if (!row) return tern::unexpected(row.error());
    if (*row) {
      CreditResult dup;
      dup.credit_cents = (*seen)->column_int(0);
      dup.balance_cents = (*seen)->column_int(1);
      results.push_back(dup);
      continue;
    }

    (*balance)->reset();
    (*balance)->bind(1, m.username);
    row = (*balance)->step();
    if (!row) return tern::unexpected(row.error());
    CreditResult result;
    result.applied = true;
    result.opened = !*row;
    int64_t before = *row ? (*balance)->column_int(0) : m.mileage_accumulated_cents;
    result.credit_cents = mileage_credit_cents(m.price_cents);
    result.balance_cents = before + result.credit_cents;
    (*balance)->reset();

    (*upsert)->reset();
    (*upsert)->bind(1, m.username).bind(2, result.balance_cents).bind(3, now);
    if (auto st = (*upsert)->run(); !st) return tern::unexpected(st.error());

    (*ledger)->reset();
    (*ledger)->bind(1, m.order_id).bind(2, m.username).bind(3, m.price_cents);
    (*ledger)->bind(4, result.opened ? m.mileage_accumulated_cents : int64_t{0});
    (*ledger)->bind(5, result.credit_cents).bind(6, result.balance_cents).bind(7, message_id);
    (*ledger)->bind(8, now);
    if (auto st = (*ledger)->run(); !st) return tern::unexpected(st.error());
    results.push_back(result);
  }
  if (auto st = tx.commit(); !st) return tern::unexpected(st.error());
  return results;
}

tern::Expected<std::optional<MileageAccount>, std::string> MileageStore::account(
    const std::string& username, size_t history_limit) {
  std::lock_guard lock(mu_);
  auto bal = db_->prepare(
      "SELECT balance_cents, (SELECT COUNT(*) FROM credits WHERE username = ?1) "
      "FROM balances WHERE username = ?1");
  if (!bal) return tern::unexpected(bal.error());
  bal->bind(1, username);
  auto row = bal->step();
  if (!row) return tern::unexpected(row.error());
  if (!*row) return std::optional<MileageAccount>();
  MileageAccount acct;
  acct.username = username;
  acct.balance_cents = bal->column_int(0);
  acct.orders = bal->column_int(1);

  auto hist = db_->prepare(
      "SELECT order_id, price_cents, opening_cents, credit_cents, balance_after_cents, "
      "credited_at FROM credits WHERE username = ? ORDER BY credited_at DESC, rowid DESC "
      "LIMIT ?");
  if (!hist) return tern::unexpected(hist.error());
  hist->bind(1, username).bind(2, static_cast<int64_t>(history_limit));
  while (true) {
    auto r = hist->step();
    if (!r) return tern::unexpected(r.error());
    if (!*r) break;
    acct.history.push_back({hist->column_text(0), hist->column_int(1), hist->column_int(2),
                            hist->column_int(3), hist->column_int(4), hist->column_int(5)});
  }
  return std::optional<MileageAccount>(std::move(acct));
}

}  // namespace shop
