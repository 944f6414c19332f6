#pragma once
// MileageStore: each user's mileage balance and the CREDITS ledger, in SQLite.
//
// credit() is idempotent per order id: the ledger row (primary key: order id) and the balance
// change commit in one transaction, so a redelivered message, a second consumer racing on the
// same message, or a crash between the commit and the SQS delete can never credit twice; the
// duplicate is recognised and acknowledged.
// The first order of an unknown user opens the balance at the order's mileageAccumulated (what
// the user had before this system knew them, as the tutorial computes it); later orders only
// add 2% of their price.
// Thread-safety: all methods from any thread; a mutex serializes them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "order.h"
#include "sqlite.h"

namespace shop {

struct CreditResult {
  bool applied = false;         // false: this order was credited before (nothing changed)
  bool opened = false;          // this credit opened the user's balance
  int64_t credit_cents = 0;     // of this order
  int64_t balance_cents = 0;    // the balance right after this order's credit
};

struct MileageEntry {
  std::string order_id;
  int64_t price_cents = 0;
  int64_t opening_cents = 0;  // > 0 only on the entry that opened the balance
  int64_t credit_cents = 0;
  int64_t balance_after_cents = 0;
  int64_t credited_at_ms = 0;
};

struct MileageAccount {
  std::string username;
  int64_t balance_cents = 0;
  int64_t orders = 0;
  std::vector<MileageEntry> history;  // newest first, at most the requested number
};

class MileageStore {
 public:
  static tern::Expected<std::unique_ptr<MileageStore>, std::string> open(const std::string& path);

  tern::Expected<CreditResult, std::string> credit(const MileageMessage& message,
                                                   const std::string& message_id);
  // Several (message, SQS message id) in ONE transaction (one commit, one fsync), in order, with
  // the same per-order idempotency; an error fails them all and writes nothing.
  tern::Expected<std::vector<CreditResult>, std::string> credit_batch(
      const std::vector<std::pair<MileageMessage, std::string>>& messages);
  tern::Expected<std::optional<MileageAccount>, std::string> account(const std::string& username,
                                                                     size_t history_limit);

 private:
  explicit MileageStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace shop
