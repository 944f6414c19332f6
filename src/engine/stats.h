#pragma once
// Per-queue event counters for monitoring, kept on the hot path. Engine::queue_stats() (peek.h)
// copies them into each queue's QueueStats; the server renders them (src/server/metrics.h).
//
// Thread-safety: a QueueCounters field is written only under its queue's mutex (so writers are
// serialized) and may be read from any thread at any time without it.

#include <atomic>
#include <cstdint>

namespace tern::engine {

// A monotonic counter with one writer at a time (the holder of the queue's lock) and any number
// of lock-free readers. The increment is a relaxed load and store rather than an atomic
// read-modify-write: the lock already serializes writers, so no `lock`-prefixed instruction is
// needed on the send/receive path, and readers never see a torn value.
class SerializedCounter {
 public:
  // REQUIRES: the caller holds the lock that guards every writer of this counter.
  void add(uint64_t n) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Events since the queue (this incarnation of its name) was created or recovered in this process.
struct QueueCounters {
  SerializedCounter sent;           // messages accepted by SendMessage(Batch), duplicates excluded
  SerializedCounter received;       // messages returned by ReceiveMessage
  SerializedCounter deleted;        // messages removed by DeleteMessage(Batch)
  SerializedCounter expired;        // messages dropped by the retention period
  SerializedCounter dead_lettered;  // messages moved to the dead-letter queue on a receive
};

}  // namespace tern::engine
