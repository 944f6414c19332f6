#pragma once
// Log: an append-only, segmented, checksummed record log with group commit. It is the durable
// half of Tern's broker: the engine turns each mutation into a record, appends it, and answers
// the client only when the record's callback reports it durable. On start the log replays every
// record in order; the caller rebuilds its state from them. The log knows nothing about what
// records mean: a record is a type byte (1..255) and an opaque payload.
//
// Layout: a directory of segment files, each named by the LSN of its first record; the format
// is in log_format.h and docs/STORAGE_FORMAT.md. The last segment is the active one; the others
// are sealed (fully synced, never written again) and can be deleted by the caller once it no
// longer needs their records (compaction: see delete_segment).
//
// Durability modes (LogOptions::mode):
//   kSync   (default) a callback reports OK only after its record is on disk (fdatasync). One
//           writer thread takes everything queued, writes it with one write call and syncs once
//           (group commit), so the cost of a sync is shared by all concurrent appends.
//   kAsync  a callback reports OK once its record is written to the OS (page cache); the writer
//           syncs at most every async_interval_ms. A process crash (SIGKILL) loses nothing that
//           was acknowledged; a power loss or OS crash loses the records acknowledged in the last
//           async_interval_ms plus the duration of one fdatasync.
//   kMemory nothing touches the disk: records live in an in-memory file system (so read() and
//           the segment API still work) and vanish when the Log is destroyed. The callback runs
//           inside append(), on the caller's thread.
//
// Failure: if a write or fdatasync fails, the log enters a permanent failed state: the records
// of that batch are reported failed (kIoError), and every later append, sync, roll or
// delete_segment fails with kReadOnly. The sync is never retried (after EIO Linux may have dropped
// the dirty pages, so a successful retry would prove nothing: PostgreSQL's "fsyncgate"). Reads
// keep working. Reopening the log (a restart) recovers from what is on disk.
//
// Thread-safety: every method may be called concurrently from any thread, except that open()
// and the destructor must not race with other calls. Callbacks run on the writer thread (or, in
// memory mode and for immediate failures, inside append() on the caller's thread), one at a time,
// in LSN order; they must be quick and must not call append_sync(), sync(), roll() or close()
// (those wait for the writer thread, which would be waiting for the callback). append() from a
// callback is fine.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/env.h"
#include "storage/status.h"

namespace tern::storage {

enum class Durability { kSync, kAsync, kMemory };

struct LogOptions {
  Durability mode = Durability::kSync;
  // A segment is rolled before a record would make it larger than this. A record must fit in an
  // empty segment: payload <= segment_bytes - 32 - 9.
  uint64_t segment_bytes = 64ull << 20;
  // kAsync: the longest time written records stay unsynced (and the shortest between syncs).
  int async_interval_ms = 5;
  // Operator override for a damaged last segment: truncate at the first bad record even when
  // valid records follow it (they are counted in RecoveryReport::bytes_dropped). Off by default,
  // because valid records after a bad one mean the damage is not a torn write and acknowledged
  // records would be lost.
  bool repair_last_segment = false;
  // How many bytes the recovery scan may checksum while proving that a bad tail holds no valid
  // record. If the budget runs out, open() fails with kCorruption rather than guess.
  uint64_t tail_scan_budget_bytes = 256ull << 20;
};

// Where a record is: enough to read it back without an index. 24 bytes.
struct RecordRef {
  uint64_t segment = 0;  // id (= base LSN) of the segment file
  uint64_t offset = 0;   // byte offset of the record header in the file
  uint32_t length = 0;   // payload bytes
  bool operator==(const RecordRef&) const = default;
};

struct AppendResult {
  uint64_t lsn = 0;
  RecordRef ref;
};

// A record met during recovery or scan(). payload is valid only during the visitor call.
struct LogRecord {
  uint64_t lsn = 0;
  uint8_t type = 0;
  std::string_view payload;
  RecordRef ref;
};

// Returning a non-OK status stops the replay and makes open() (or scan()) fail with it.
using RecordVisitor = std::function<Status(const LogRecord&)>;
// status.ok(): the record is durable as the mode promises, and result says where it is.
// Otherwise the record may or may not survive a crash; result is meaningless.
using AppendCallback = std::function<void(const Status& status, const AppendResult& result)>;

struct RecoveryReport {
  uint64_t segments = 0;  // segment files found
  uint64_t records = 0;   // records replayed
  uint64_t bytes = 0;     // bytes of the records replayed (headers included)
  uint64_t next_lsn = 0;  // the LSN the next append will get
  // A torn or corrupt tail of the last segment was cut off.
  bool tail_truncated = false;
  std::string truncated_file;     // path
  uint64_t truncated_offset = 0;  // the file's new size
  uint64_t bytes_dropped = 0;
  std::string truncation_reason;
  std::string to_string() const;
};

struct SegmentInfo {
  uint64_t id = 0;       // base LSN, the number in the file name
  uint64_t bytes = 0;    // file size, header included
  uint64_t records = 0;  // so the segment holds LSNs [id, id + records)
  bool active = false;   // the segment appends go to; cannot be deleted
};

struct LogStats {
  // Upper bounds (inclusive) of the fsync latency buckets, in microseconds; the last bucket
  // counts the rest.
  static constexpr std::array<uint64_t, 13> kFsyncBucketsUs = {
      50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
  // Upper bounds (inclusive) of the records-per-batch buckets; the last bucket counts the rest.
  static constexpr std::array<uint64_t, 10> kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  uint64_t records = 0;  // appended successfully since open
  uint64_t bytes = 0;    // record bytes (headers included) appended since open
  uint64_t batches = 0;  // group commits (write calls that carried records)
  uint64_t max_batch_records = 0;
  std::array<uint64_t, kBatchBuckets.size() + 1> batch_records_histogram{};
  uint64_t fsyncs = 0;  // fdatasync calls on segment files, failed ones included
  uint64_t fsync_total_us = 0;
  std::array<uint64_t, kFsyncBucketsUs.size() + 1> fsync_latency_histogram{};
  uint64_t segments = 0;
  uint64_t bytes_on_disk = 0;  // sum of segment file sizes
  bool failed = false;
};

class Log {
 public:
  // Opens (creating dir if missing) the log in dir, replays every record to visitor (may be
  // empty) in LSN order, cuts off a torn tail of the last segment, and starts the writer thread.
  // On return with a Log, every replayed record is on disk and the next append gets
  // report->next_lsn. Fails with kCorruption, naming the file and offset, if a non-last segment
  // is damaged or if a bad record in the last segment is followed by a valid one.
  // env is not owned and must outlive the Log; it is ignored in memory mode. report may be null.
  static Result<std::unique_ptr<Log>> open(Env* env, const std::string& dir,
                                           const LogOptions& options,
                                           const RecordVisitor& visitor = {},
                                           RecoveryReport* report = nullptr);

  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  // close(), ignoring its status.
  ~Log();

  // Queues a record; callback runs once it is durable (see the modes above) or has failed.
  // Never blocks on I/O. Records are durable in append order: if a record survives a crash,
  // every record with a smaller LSN does too (until the caller deletes its segment).
  // REQUIRES: type != 0; payload.size() <= max_payload(). Violations, a closed log and a failed
  // log are reported through callback before append returns.
  void append(uint8_t type, std::string_view payload, AppendCallback callback);
  // append() and wait for the callback. REQUIRES: not called from a callback.
  Result<AppendResult> append_sync(uint8_t type, std::string_view payload);

  // Waits until every record appended before the call is synced to disk, whatever the mode
  // (a no-op in memory mode). Use it in async mode before an operation that must not be lost,
  // e.g. before deleting a compacted segment. REQUIRES: not called from a callback.
  Status sync();

  // Reads the payload of the record at ref, verifying its length and checksum. Works in the
  // failed state. ref must come from an append callback, the recovery visitor or scan().
  // kNotFound if the segment was deleted; kCorruption if the bytes on disk are damaged.
  Result<std::string> read(const RecordRef& ref) const;

  // Visits every record of every present segment in LSN order, reading from disk (records
  // appended concurrently may or may not be seen). For tools and tests.
  Status scan(const RecordVisitor& visitor) const;

  // Seals the active segment (after syncing it) and starts a new one, so that the caller can
  // compact the old one. A no-op if the active segment is empty. REQUIRES: not from a callback.
  Status roll();
  // Every segment present, oldest first; the last is the active one.
  std::vector<SegmentInfo> list_segments() const;
  // Deletes a sealed segment and syncs the directory: when this returns OK the segment's records
  // will never be replayed again. Compaction order: re-append the records still needed, wait for
  // their callbacks (in async mode, also sync()), switch the caller's refs to the new copies,
  // then delete the old segment. A crash before the delete replays both copies (the caller's
  // replay must tolerate the duplicate: the later LSN wins); a crash after replays only the new.
  // kInvalidArgument for the active segment, kNotFound for an unknown id, kReadOnly if failed.
  Status delete_segment(uint64_t id);

  // Drains queued appends (their callbacks run), syncs, stops the writer. Later appends fail
  // with kInvalidArgument. Idempotent. REQUIRES: not called from a callback.
  Status close();

  // OK, or the kReadOnly status that every write now gets.
  Status failure() const;
  LogStats stats() const;
  // The largest payload append() accepts.
  uint64_t max_payload() const { return max_payload_; }
  const std::string& dir() const { return dir_; }
  Durability mode() const { return options_.mode; }

 private:
  enum class Kind : uint8_t { kRecord, kSync, kRoll };
  struct Pending {
    Kind kind;
    uint32_t length;  // payload bytes (kRecord)
    AppendCallback callback;
  };
  struct Segment {
    std::string path;
    std::shared_ptr<RandomAccessFile> reader;
    uint64_t bytes = 0;
    uint64_t records = 0;
  };

  Log(Env* env, std::string dir, const LogOptions& options);

  Status recover(const RecordVisitor& visitor, RecoveryReport* report);
  struct SegmentRecovery {
    uint64_t bytes = 0;
    uint64_t records = 0;
    bool truncated = false;       // the tail was cut off: make the new size durable
    bool rewrite_header = false;  // the header itself was torn: the file is now empty
  };
  Status recover_segment(uint64_t id, bool is_last, const RecordVisitor& visitor,
                         RecoveryReport* report, SegmentRecovery* out);
  Status open_active_for_append(uint64_t id, const SegmentRecovery& recovery);
  Status create_segment(uint64_t id);

  void enqueue(Kind kind, uint32_t length, const char* header, std::string_view payload,
               AppendCallback callback);
  Status wait_for(Kind kind);
  void writer_loop();
  // Writes, syncs and rolls for one batch; fills one status/result per entry. Writer-owned
  // state: only the writer thread (memory mode: the holder of memory_mu_) calls it.
  void process_batch(const std::vector<Pending>& entries, const std::string& buf,
                     std::vector<AppendResult>* results, Status* status);
  Status write_chunk(const std::string& buf, uint64_t begin, uint64_t end, uint64_t records);
  Status sync_active();
  Status roll_active();
  void enter_failed(const Status& cause);
  static void complete(std::vector<Pending>* entries, const std::vector<AppendResult>& results,
                       const Status& status);

  Env* env_;
  std::unique_ptr<Env> owned_env_;  // memory mode
  const std::string dir_;
  const LogOptions options_;
  uint64_t max_payload_ = 0;

  // Queue shared by appenders and the writer.
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> pending_;
  std::string pending_buf_;  // the encoded records of pending_, back to back
  bool closing_ = false;
  bool closed_ = false;
  std::thread writer_;
  std::thread::id writer_id_;
  std::mutex close_mu_;  // serializes close() callers

  // Failed state: failed_ is the fast check, failure_ (under failure_mu_) the message.
  std::atomic<bool> failed_{false};
  mutable std::mutex failure_mu_;
  Status failure_;

  // Writer-owned state.
  std::mutex memory_mu_;  // memory mode: serializes the appenders that act as the writer
  std::unique_ptr<WritableFile> active_file_;
  uint64_t active_id_ = 0;
  uint64_t active_bytes_ = 0;
  uint64_t active_records_ = 0;
  uint64_t next_lsn_ = 0;
  uint64_t unsynced_bytes_ = 0;
  std::chrono::steady_clock::time_point last_sync_;

  // The segment table, read by readers, written by the writer and delete_segment.
  mutable std::shared_mutex segments_mu_;
  std::map<uint64_t, Segment> segments_;

  // Counters (relaxed atomics: stats() is a snapshot, not a transaction).
  std::atomic<uint64_t> records_{0}, bytes_{0}, batches_{0}, max_batch_records_{0};
  std::array<std::atomic<uint64_t>, LogStats::kBatchBuckets.size() + 1> batch_hist_{};
  std::atomic<uint64_t> fsyncs_{0}, fsync_total_us_{0};
  std::array<std::atomic<uint64_t>, LogStats::kFsyncBucketsUs.size() + 1> fsync_hist_{};
};

std::string_view durability_name(Durability d);

}  // namespace tern::storage
