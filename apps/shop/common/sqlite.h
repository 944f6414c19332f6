#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
//
// Errors are values (tern::Expected<..., std::string>) carrying sqlite3_errmsg; nothing throws.
// Every database is opened in WAL mode with synchronous=FULL, so a committed transaction survives
// power loss, and with a busy timeout, so two connections (HTTP thread, relay) simply wait for
// each other instead of failing with SQLITE_BUSY.
// Thread-safety: a Db and its statements belong to one thread at a time; callers serialize
// (the stores hold a mutex).

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/expected.h"

namespace shop {

using Status = tern::Expected<bool, std::string>;  // value unused; `true` on success

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, int64_t value);
  Stmt& bind_null(int index);
  // Steps once: true with a row, false when done; an error otherwise.
  tern::Expected<bool, std::string> step();
  // Steps to completion, ignoring rows.
  Status run();
  Status reset();

  int64_t column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string column_text(int col) const;
  bool column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// A cached statement in use: reset (and its bindings cleared) when the lease ends, so no
// statement stays half-stepped between uses.
class StmtLease {
 public:
  explicit StmtLease(Stmt* stmt) : stmt_(stmt) {}
  StmtLease(StmtLease&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
  StmtLease& operator=(StmtLease&&) = delete;
  ~StmtLease() {
    if (stmt_ != nullptr) (void)stmt_->reset();
  }
  Stmt* operator->() const { return stmt_; }
  Stmt& operator*() const { return *stmt_; }

 private:
  Stmt* stmt_;
};

class Db {
 public:
  // Opens (creating if needed) and applies the pragmas above.
  static tern::Expected<std::unique_ptr<Db>, std::string> open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status exec(std::string_view sql);
  tern::Expected<Stmt, std::string> prepare(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept for the connection's lifetime
  // (parsing and planning is most of the cost of a small statement).
  tern::Expected<StmtLease, std::string> cached(std::string_view sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  std::string error() const { return sqlite3_errmsg(db_); }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so a read-then-write cannot
// fail halfway with SQLITE_BUSY); ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  bool ok() const { return begun_.has_value() && *begun_; }
  const std::string& begin_error() const { return begin_error_; }
  Status commit();

 private:
  Db& db_;
  std::optional<bool> begun_;
  std::string begin_error_;
  bool done_ = false;
};

// Milliseconds since the epoch, and the same as ISO 8601 UTC ("2024-05-01T12:00:00.123Z").
int64_t now_ms();
std::string iso8601(int64_t ms);

}  // namespace shop
