#include "server/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "server/dispatcher.h"

namespace tern::server {
namespace {

// This thread's shard of the request metrics, picked round-robin on first use.
size_t thread_shard(size_t shards) {
  static std::atomic<size_t> next{0};
  thread_local const size_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine % shards;
}

size_t latency_bucket(uint64_t us) {
  auto it = std::lower_bound(kLatencyBucketsUs.begin(), kLatencyBucketsUs.end(), us);
  return static_cast<size_t>(it - kLatencyBucketsUs.begin());
}

// Wall-clock time of the first use of this file's statics: the fallback process start time when
// /proc cannot say.
const double kLoadedAt = static_cast<double>(std::time(nullptr));

double now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The process start time from /proc/self/stat (field 22, clock ticks after boot) and the boot
// time from /proc/stat; 0 when either is unreadable.
double proc_start_time() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  auto close = line.rfind(')');  // the command name may contain spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) start_ticks = std::strtoull(field.c_str(), nullptr, 10);
  }
  if (start_ticks == 0) return 0;
  std::ifstream sys("/proc/stat");
  unsigned long long btime = 0;
  while (std::getline(sys, line)) {
    if (line.rfind("btime ", 0) == 0) {
      btime = std::strtoull(line.c_str() + 6, nullptr, 10);
      break;
    }
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  if (btime == 0 || ticks <= 0) return 0;
  return static_cast<double>(btime) + static_cast<double>(start_ticks) / static_cast<double>(ticks);
}

// ---- text exposition ---------------------------------------------------------------------------

class Writer {
 public:
  std::string take() { return std::move(out_); }

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;  // our own constant texts: no backslashes or newlines to escape
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  // One sample; `labels` are name/value pairs (values escaped here).
  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              double value) {
    out_ += name;
    labels_(labels);
    out_ += ' ';
    number(value);
    out_ += '\n';
  }
  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              uint64_t value) {
    out_ += name;
    labels_(labels);
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
  }

  // A histogram's series. `base` labels precede `le`.
  void histogram(std::string_view name, std::string_view label, std::string_view label_value,
                 const HistogramSnapshot& h) {
    const std::string bucket = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.bounds.size(); ++i) {
      cumulative += h.counts[i];
      std::string le = format_bound(h.bounds[i]);
      if (label.empty()) {
        sample(bucket, {{"le", le}}, cumulative);
      } else {
        sample(bucket, {{label, label_value}, {"le", le}}, cumulative);
      }
    }
    cumulative += h.counts.back();
    if (label.empty()) {
      sample(bucket, {{"le", "+Inf"}}, cumulative);
      sample(std::string(name) + "_sum", {}, h.sum);
      sample(std::string(name) + "_count", {}, cumulative);
    } else {
      sample(bucket, {{label, label_value}, {"le", "+Inf"}}, cumulative);
      sample(std::string(name) + "_sum", {{label, label_value}}, h.sum);
      sample(std::string(name) + "_count", {{label, label_value}}, cumulative);
    }
  }

  // A bucket bound as Prometheus's own clients write it (Go's 'g' format): 0.0001, 5e-05, 2.5.
  static std::string format_bound(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
    if (ec != std::errc()) return "NaN";
    return std::string(buf, end);
  }

  static std::string format(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (ec != std::errc()) return "NaN";
    return std::string(buf, end);
  }

 private:
  void labels_(std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
    if (labels.size() == 0) return;
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      for (char c : v) {  // the format's three escapes
        if (c == '\\') {
          out_ += "\\\\";
        } else if (c == '"') {
          out_ += "\\\"";
        } else if (c == '\n') {
          out_ += "\\n";
        } else {
          out_ += c;
        }
      }
      out_ += '"';
    }
    out_ += '}';
  }
  void number(double v) { out_ += format(v); }

  std::string out_;
};

HistogramSnapshot storage_histogram(const auto& bounds_us, const auto& counts, double sum_s) {
  HistogramSnapshot h;
  for (auto b : bounds_us) h.bounds.push_back(static_cast<double>(b) / 1e6);
  h.counts.assign(counts.begin(), counts.end());
  h.sum = sum_s;
  return h;
}

}  // namespace

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kClientError:
      return "client_error";
    case Outcome::kServerError:
      return "server_error";
  }
  return "server_error";
}

Outcome outcome_of_status(int status) {
  if (status >= 500) return Outcome::kServerError;
  if (status >= 400) return Outcome::kClientError;
  return Outcome::kSuccess;
}

size_t action_index(std::string_view action) {
  for (size_t i = 0; i < kSqsActions.size(); ++i) {
    if (kSqsActions[i] == action) return i;
  }
  return kUnknownAction;
}

std::string_view action_label(size_t index) {
  return index < kSqsActions.size() ? kSqsActions[index] : std::string_view("unknown");
}

uint64_t HistogramSnapshot::count() const {
  uint64_t n = 0;
  for (auto c : counts) n += c;
  return n;
}

RequestMetrics::RequestMetrics() : shards_(std::make_unique<Shard[]>(kShards)) {}
RequestMetrics::~RequestMetrics() = default;

void RequestMetrics::record(size_t action, Outcome outcome, std::chrono::nanoseconds duration) {
  Cell& c = shards_[thread_shard(kShards)].cells[action];
  const auto ns = static_cast<uint64_t>(std::max<int64_t>(0, duration.count()));
  c.requests[static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  c.buckets[latency_bucket((ns + 999) / 1000)].fetch_add(1, std::memory_order_relaxed);
  c.sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

std::vector<ActionSnapshot> RequestMetrics::snapshot() const {
  std::vector<ActionSnapshot> out;
  for (size_t a = 0; a < kActionSlots; ++a) {
    ActionSnapshot s;
    s.action = action_label(a);
    s.latency.counts.assign(kLatencyBucketsUs.size() + 1, 0);
    uint64_t sum_ns = 0;
    for (size_t i = 0; i < kShards; ++i) {
      const Cell& c = shards_[i].cells[a];
      for (size_t o = 0; o < kOutcomes; ++o) {
        s.requests[o] += c.requests[o].load(std::memory_order_relaxed);
      }
      for (size_t b = 0; b < c.buckets.size(); ++b) {
        s.latency.counts[b] += c.buckets[b].load(std::memory_order_relaxed);
      }
      sum_ns += c.sum_ns.load(std::memory_order_relaxed);
    }
    if (s.requests[0] + s.requests[1] + s.requests[2] == 0) continue;
    for (auto b : kLatencyBucketsUs) s.latency.bounds.push_back(static_cast<double>(b) / 1e6);
    s.latency.sum = static_cast<double>(sum_ns) / 1e9;
    out.push_back(std::move(s));
  }
  return out;
}

ProcessSnapshot read_process_stats() {
  ProcessSnapshot p;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long long size = 0, resident = 0;
    if (std::fscanf(f, "%llu %llu", &size, &resident) == 2) {
      p.resident_bytes = static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
    }
    std::fclose(f);
  }
  static const double start = [] {
    double s = proc_start_time();
    return s > 0 ? s : kLoadedAt;
  }();
  p.start_time_seconds = start;
  p.uptime_seconds = std::max(0.0, now_seconds() - start);
  return p;
}

MetricsSnapshot collect_metrics(Dispatcher& dispatcher, const engine::LogJournal* journal) {
  MetricsSnapshot s;
  s.queues = dispatcher.engine().queue_stats();
  s.actions = dispatcher.metrics().snapshot();
  s.long_polls_waiting = dispatcher.metrics().long_polls_waiting->load(std::memory_order_relaxed);
  if (journal != nullptr) s.storage = journal->stats();
  s.process = read_process_stats();
  return s;
}

std::string render_prometheus(const MetricsSnapshot& s) {
  Writer w;
  using U = uint64_t;

  // ---- queues
  w.family("tern_queues", "gauge", "Queues that exist.");
  w.sample("tern_queues", {}, static_cast<U>(s.queues.size()));
  if (!s.queues.empty()) {
    w.family("tern_queue_messages", "gauge",
             "Messages in the queue by state: visible (receivable), in_flight (received, not yet "
             "deleted or returned) and delayed.");
    for (const auto& q : s.queues) {
      w.sample("tern_queue_messages", {{"queue", q.name}, {"state", "visible"}},
               static_cast<U>(q.visible));
      w.sample("tern_queue_messages", {{"queue", q.name}, {"state", "in_flight"}},
               static_cast<U>(q.in_flight));
      w.sample("tern_queue_messages", {{"queue", q.name}, {"state", "delayed"}},
               static_cast<U>(q.delayed));
    }
    w.family("tern_queue_oldest_message_age_seconds", "gauge",
             "Age of the oldest message in the queue (any state); 0 when it is empty.");
    for (const auto& q : s.queues) {
      w.sample("tern_queue_oldest_message_age_seconds", {{"queue", q.name}},
               static_cast<double>(q.oldest_age_ms) / 1000.0);
    }
    struct Counter {
      std::string_view name, help;
      U engine::QueueStats::*field;
    };
    static const Counter kCounters[] = {
        {"tern_queue_messages_sent_total",
         "Messages accepted by SendMessage and SendMessageBatch (FIFO duplicates excluded).",
         &engine::QueueStats::sent},
        {"tern_queue_messages_received_total", "Messages returned by ReceiveMessage.",
         &engine::QueueStats::received},
        {"tern_queue_messages_deleted_total",
         "Messages removed by DeleteMessage and DeleteMessageBatch.", &engine::QueueStats::deleted},
        {"tern_queue_messages_expired_total",
         "Messages dropped at the end of the queue's retention period.",
         &engine::QueueStats::expired},
        {"tern_queue_dead_letter_moves_total",
         "Messages moved from this queue to its dead-letter queue after maxReceiveCount receives.",
         &engine::QueueStats::dead_lettered},
    };
    for (const auto& c : kCounters) {
      w.family(c.name, "counter", c.help);
      for (const auto& q : s.queues) w.sample(c.name, {{"queue", q.name}}, q.*c.field);
    }
  }

  // ---- requests
  if (!s.actions.empty()) {
    w.family("tern_requests_total", "counter",
             "SQS API requests by action and outcome (success: HTTP 2xx, client_error: 4xx, "
             "server_error: 5xx).");
    for (const auto& a : s.actions) {
      for (size_t o = 0; o < kOutcomes; ++o) {
        w.sample("tern_requests_total",
                 {{"action", a.action}, {"outcome", outcome_name(static_cast<Outcome>(o))}},
                 a.requests[o]);
      }
    }
    w.family("tern_request_duration_seconds", "histogram",
             "Time from a request's arrival at the dispatcher to its response, long polls and "
             "durability waits included.");
    for (const auto& a : s.actions) {
      w.histogram("tern_request_duration_seconds", "action", a.action, a.latency);
    }
  }
  w.family("tern_http_open_connections", "gauge", "Open client connections.");
  w.sample("tern_http_open_connections", {}, static_cast<double>(s.open_connections));
  w.family("tern_http_requests_in_flight", "gauge",
           "HTTP requests being handled (this scrape included).");
  w.sample("tern_http_requests_in_flight", {}, static_cast<double>(s.requests_in_flight));
  w.family("tern_long_polls_waiting", "gauge",
           "ReceiveMessage long polls parked waiting for a message.");
  w.sample("tern_long_polls_waiting", {}, static_cast<double>(s.long_polls_waiting));

  // ---- storage
  if (s.storage) {
    const auto& st = *s.storage;
    const auto& log = st.log;
    w.family("tern_storage_fsync_duration_seconds", "histogram",
             "fdatasync calls on log segments (failed ones included).");
    w.histogram("tern_storage_fsync_duration_seconds", "", "",
                storage_histogram(storage::LogStats::kFsyncBucketsUs, log.fsync_latency_histogram,
                                  static_cast<double>(log.fsync_total_us) / 1e6));
    w.family("tern_storage_group_commit_records", "histogram",
             "Records written per group commit (one write call, then one sync).");
    HistogramSnapshot batch;
    for (auto b : storage::LogStats::kBatchBuckets) batch.bounds.push_back(static_cast<double>(b));
    batch.counts.assign(log.batch_records_histogram.begin(), log.batch_records_histogram.end());
    batch.sum = static_cast<double>(log.records);
    w.histogram("tern_storage_group_commit_records", "", "", batch);
    w.family("tern_storage_records_appended_total", "counter", "Records appended to the log.");
    w.sample("tern_storage_records_appended_total", {}, log.records);
    w.family("tern_storage_appended_bytes_total", "counter",
             "Bytes appended to the log, record headers included.");
    w.sample("tern_storage_appended_bytes_total", {}, log.bytes);
    w.family("tern_storage_segments", "gauge", "Log segment files on disk.");
    w.sample("tern_storage_segments", {}, log.segments);
    w.family("tern_storage_disk_usage_bytes", "gauge", "Size of the log segment files on disk.");
    w.sample("tern_storage_disk_usage_bytes", {}, log.bytes_on_disk);
    w.family("tern_storage_compactions_total", "counter", "Log segments compacted away.");
    w.sample("tern_storage_compactions_total", {}, st.compactions);
    w.family("tern_storage_compaction_failures_total", "counter", "Compaction steps that failed.");
    w.sample("tern_storage_compaction_failures_total", {}, st.compaction_failures);
    w.family("tern_storage_compaction_rewritten_messages_total", "counter",
             "Live messages copied to the head of the log by compaction.");
    w.sample("tern_storage_compaction_rewritten_messages_total", {}, st.compaction_rewrites);
    w.family("tern_storage_failed", "gauge",
             "1 once a write or fdatasync has failed: the log is read-only until a restart.");
    w.sample("tern_storage_failed", {}, static_cast<U>(log.failed ? 1 : 0));
  }

  // ---- process
  if (s.process.resident_bytes >= 0) {
    w.family("tern_process_resident_memory_bytes", "gauge", "Resident set size.");
    w.sample("tern_process_resident_memory_bytes", {}, static_cast<U>(s.process.resident_bytes));
  }
  w.family("tern_process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch.");
  w.sample("tern_process_start_time_seconds", {}, s.process.start_time_seconds);
  w.family("tern_uptime_seconds", "gauge", "Seconds since the process started.");
  w.sample("tern_uptime_seconds", {}, s.process.uptime_seconds);
  return w.take();
}

}  // namespace tern::server
