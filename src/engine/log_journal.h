#pragma once
// LogJournal: the Journal over Tern's durable log (storage::Log). Each mutation becomes one log
// record (journal_codec.h); the log's writer thread group-commits them, and a request's ticket
// is durable once the log has called back for its record. Messages live in the log: once a
// message's record is durable, the queue drops its resident copy (body, id, digests, rare fields)
// when it already holds more resident bytes than its budget, keeping a 44-byte index entry that
// points at the record, and reads the record back from the segment on receive. A compaction
// thread deletes the oldest segment once nothing in it is live, or rewrites its few live
// messages (and every queue's definition) to the head of the log first; see STORAGE_FORMAT.md.
//
// Thread-safety: every method may be called from any thread once open() has returned.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/engine.h"
#include "engine/journal.h"
#include "storage/env.h"
#include "storage/log.h"

namespace tern::engine {

struct LogJournalOptions {
  std::string dir;
  storage::Durability mode = storage::Durability::kSync;
  uint64_t segment_bytes = 64ull << 20;  // at most 4 GiB (the index keeps 32-bit offsets)
  // Bytes of resident copies (body plus a 64-byte header) of durable messages kept in RAM per
  // queue; beyond it a message's body and static fields are read back from the log on receive.
  int64_t resident_body_budget = 16ll << 20;
  // How often the compaction thread looks at the oldest segment (0: never; tests call
  // compact_once()).
  int compaction_interval_ms = 1000;
};

// What the journal has done since open(), for monitoring.
struct LogJournalStats {
  storage::LogStats log;
  uint64_t compactions = 0;          // segments compacted away (deleted)
  uint64_t compaction_failures = 0;  // compaction steps that failed (I/O, unreadable record)
  uint64_t compaction_rewrites = 0;  // live messages copied to the head of the log to do so
};

class LogJournal final : public Journal {
 public:
  LogJournal() = default;
  ~LogJournal() override;

  // Opens (or creates) the log and replays it into `engine`, which must be empty and built with
  // EngineOptions::journal = this. When this returns OK the engine holds exactly the state
  // clients were told about (in-flight messages are visible again), and writes are accepted.
  storage::Status open(storage::Env* env, const LogJournalOptions& options, Engine& engine,
                       storage::RecoveryReport* report);
  // Stops compaction and closes the log (queued records are written and synced first).
  storage::Status close();

  // One compaction step on the oldest sealed segment. Returns true when a segment was deleted.
  storage::Result<bool> compact_once();

  storage::Log* log() { return log_.get(); }
  // REQUIRES: open() returned OK.
  LogJournalStats stats() const;

  void queue_snapshot(Queue& q) override;
  void queue_deleted(Queue& q) override;
  void queue_purged(Queue& q) override;
  void message_sent(Queue& q, MessageRecord& m) override;
  void message_received(Queue& q, const MessageRecord& m) override;
  void message_deleted(Queue& q, const MessageRecord& m) override;
  std::optional<std::string> read_body(const BodyRef& ref) override;
  bool keeps_whole_messages() const override { return true; }
  std::optional<MessageRecord> read_message(const BodyRef& ref) override;
  uint64_t take_ticket() override;
  void on_durable(uint64_t ticket, std::function<void(bool ok)> done) override;
  bool writable() const override { return !failed_.load(std::memory_order_acquire); }

 private:
  using OnDurable = std::function<void(const storage::AppendResult&)>;
  // Appends a record; `on_ok` runs on the writer thread once it is durable.
  uint64_t append(uint8_t type, const std::string& payload, OnDurable on_ok = {});
  void mark(uint64_t ticket, bool ok);
  bool wait_durable(uint64_t ticket);
  storage::Status replay(const storage::LogRecord& r);
  void compaction_loop();
  // compact_once() without the bookkeeping; adds the messages it rewrote to *rewrites.
  storage::Result<bool> compact_oldest(uint64_t* rewrites);

  static inline std::atomic<uint64_t> next_id_{1};
  const uint64_t id_ = next_id_.fetch_add(1);  // keys this thread's pending ticket
  LogJournalOptions options_;
  Engine* engine_ = nullptr;
  std::unique_ptr<storage::Log> log_;

  std::mutex append_mu_;  // ticket order == log order
  uint64_t next_ticket_ = 1;
  std::mutex durable_mu_;
  uint64_t durable_upto_ = 0;
  std::multimap<uint64_t, std::function<void(bool)>> waiters_;
  std::atomic<bool> failed_{false};

  std::mutex compaction_mu_;
  std::condition_variable compaction_cv_;
  bool stop_ = false;
  std::thread compaction_thread_;
  std::map<uint64_t, int64_t> first_seen_sealed_ms_;
  std::atomic<uint64_t> compactions_{0}, compaction_failures_{0}, compaction_rewrites_{0};
};

}  // namespace tern::engine
