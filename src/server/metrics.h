#pragma once
// Metrics for `GET /metrics`: the request counters and latency histograms the dispatcher keeps
// (RequestMetrics), the snapshot that gathers them with the engine's queue figures, the storage
// figures and the process's (MetricsSnapshot), and its rendering in the Prometheus text
// exposition format 0.0.4 (render_prometheus). No sockets: tests collect and render in-process.
// Every metric name, label and unit is listed in docs/METRICS.md.
//
// Thread-safety: RequestMetrics::record() may be called from any number of threads at once;
// snapshot() and collect_metrics() from any thread (they read relaxed atomics: a snapshot is a
// set of recent values, not a transaction). render_prometheus() is a pure function.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sqs_actions.h"
#include "engine/engine.h"
#include "engine/log_journal.h"

namespace tern::server {

class Dispatcher;

// Upper bounds of the request latency buckets, in microseconds: 100 µs to 25 s, so that a
// full-length 20 s long poll lands in a bucket of its own (le="25") and one ended early by a
// message below it.
inline constexpr std::array<uint64_t, 18> kLatencyBucketsUs = {
    100,     250,     500,     1'000,     2'500,     5'000,     10'000,     25'000,     50'000,
    100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 20'000'000, 25'000'000};

enum class Outcome : uint8_t { kSuccess, kClientError, kServerError };
inline constexpr size_t kOutcomes = 3;
std::string_view outcome_name(Outcome o);
// By HTTP status: below 400 success (a batch with failed entries is a 200), 4xx client_error,
// 5xx server_error.
Outcome outcome_of_status(int http_status);

// Actions are counted by their index in kSqsActions; requests that name no known action (bad
// protocol, failed authentication before parsing) share the last slot, labelled "unknown".
inline constexpr size_t kUnknownAction = kSqsActions.size();
inline constexpr size_t kActionSlots = kSqsActions.size() + 1;
// kUnknownAction when `action` is not an SQS action.
size_t action_index(std::string_view action);
std::string_view action_label(size_t index);

// A histogram as read: per-bucket (not cumulative) counts, the last one above every bound.
struct HistogramSnapshot {
  std::vector<double> bounds;    // upper bounds in the metric's unit, ascending
  std::vector<uint64_t> counts;  // bounds.size() + 1 entries
  double sum = 0;
  uint64_t count() const;
};

struct ActionSnapshot {
  std::string_view action;                     // kSqsActions entry or "unknown"
  std::array<uint64_t, kOutcomes> requests{};  // by Outcome
  HistogramSnapshot latency;                   // seconds
};

// Per-action request counters and latency histograms. Cells are sharded by thread (each thread
// picks a shard once), so concurrent requests on different threads do not share cache lines;
// a record() is a handful of relaxed atomic adds and no lock.
class RequestMetrics {
 public:
  RequestMetrics();
  ~RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // REQUIRES: action < kActionSlots.
  void record(size_t action, Outcome outcome, std::chrono::nanoseconds duration);
  // Actions that have seen at least one request, in kSqsActions order ("unknown" last).
  std::vector<ActionSnapshot> snapshot() const;

  // ReceiveMessage calls parked waiting for a message right now. Shared, because a parked poll's
  // coroutine frame may be destroyed after the dispatcher (with its io_context) and still counts
  // itself out.
  const std::shared_ptr<std::atomic<int64_t>> long_polls_waiting =
      std::make_shared<std::atomic<int64_t>>(0);

 private:
  struct Cell {
    std::array<std::atomic<uint64_t>, kOutcomes> requests{};
    std::array<std::atomic<uint64_t>, kLatencyBucketsUs.size() + 1> buckets{};
    std::atomic<uint64_t> sum_ns{0};
  };
  struct alignas(64) Shard {
    std::array<Cell, kActionSlots> cells;
  };
  static constexpr size_t kShards = 8;
  std::unique_ptr<Shard[]> shards_;
};

// What the process itself uses, from /proc (-1 where unavailable).
struct ProcessSnapshot {
  int64_t resident_bytes = -1;
  double start_time_seconds = 0;  // Unix time the process started
  double uptime_seconds = 0;
};
ProcessSnapshot read_process_stats();

struct MetricsSnapshot {
  std::vector<engine::QueueStats> queues;
  std::vector<ActionSnapshot> actions;
  int64_t open_connections = 0;
  int64_t requests_in_flight = 0;
  int64_t long_polls_waiting = 0;
  std::optional<engine::LogJournalStats> storage;  // absent without a durable log (memory mode)
  ProcessSnapshot process;
};

// Queues, actions and long polls from the dispatcher (and its engine), storage from `journal`
// (may be null), the process from /proc. Connection figures are the HTTP server's to fill in.
MetricsSnapshot collect_metrics(Dispatcher& dispatcher, const engine::LogJournal* journal);

// The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` for each family,
// counters ending in `_total`, seconds and bytes as base units, histograms as cumulative
// `_bucket{le=…}` series with `_sum` and `_count`.
std::string render_prometheus(const MetricsSnapshot& snapshot);

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace tern::server
