#pragma once
// Clock: where the engine reads the time. Tests inject a ManualClock so that visibility,
// delay and retention are exercised without sleeping. Thread-safety: both implementations may be
// called from any thread.

#include <atomic>
#include <cstdint>

namespace tern {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock: it is reported to clients as SentTimestamp).
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
  static SystemClock& instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t now_ms() const override { return now_.load(std::memory_order_relaxed); }
  void advance_ms(int64_t d) { now_.fetch_add(d, std::memory_order_relaxed); }
  void set_ms(int64_t t) { now_.store(t, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace tern
