#include "relay.h"

#include <algorithm>
#include <iterator>
#include <map>

namespace shop {

Relay::Relay(OrderStore& store, QueueSender& sender, RelayOptions options)
    : store_(store), sender_(sender), options_(std::move(options)) {}

Relay::~Relay() { stop(); }

void Relay::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void Relay::notify() {
  std::lock_guard lock(mu_);
  notified_ = true;
  cv_.notify_one();
}

void Relay::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Relay::log(const std::string& text) {
  if (options_.log) options_.log(text);
}

SendReport QueueSender::send_all(const std::vector<OutboxRow>& rows, size_t batch) {
  SendReport all;
  batch = std::clamp<size_t>(batch, 1, 10);
  for (const char* queue : {"mileage", "tracking"}) {
    std::vector<OutboxRow> chunk;
    auto flush = [&] {
      if (chunk.empty()) return;
      SendReport r = send(queue, chunk);
      all.sent.insert(all.sent.end(), r.sent.begin(), r.sent.end());
      all.failed.insert(all.failed.end(), r.failed.begin(), r.failed.end());
      chunk.clear();
    };
    for (const auto& row : rows) {
      if (row.queue != queue) continue;
      chunk.push_back(row);
      if (chunk.size() == batch) flush();
    }
    flush();
  }
  return all;
}

bool Relay::run_once() {
  did_work_ = false;
  std::vector<OutboxRow> rows;
  for (const char* queue : {"mileage", "tracking"}) {
    auto some = store_.pending(queue, options_.max_rows);
    if (!some) {
      log(std::string("outbox read failed: ") + some.error());
      return false;
    }
    rows.insert(rows.end(), std::make_move_iterator(some->begin()),
                std::make_move_iterator(some->end()));
  }
  if (rows.empty()) return true;
  SendReport report = sender_.send_all(rows, options_.batch);
  if (!report.sent.empty()) {
    if (auto st = store_.mark_sent(report.sent); !st) {
      // They were sent: worst case they are sent again, and consumers deduplicate.
      log("outbox update failed (rows will be re-sent): " + st.error());
    }
    sent_ += static_cast<int64_t>(report.sent.size());
    did_work_ = true;
  }
  if (report.failed.empty()) return true;
  std::map<int64_t, const OutboxRow*> by_seq;
  for (const auto& row : rows) by_seq[row.seq] = &row;
  std::map<std::string, std::pair<size_t, std::string>> per_queue;  // count, first error
  for (const auto& [seq, error] : report.failed) {
    (void)store_.mark_failed(seq, error);
    ++failed_;
    auto it = by_seq.find(seq);
    auto& q = per_queue[it != by_seq.end() ? it->second->queue : "?"];
    if (q.first++ == 0) q.second = error;
  }
  for (const auto& [queue, q] : per_queue) {
    log("send to " + queue + " queue failed for " + std::to_string(q.first) +
        " message(s), will retry: " + q.second);
  }
  return false;
}

void Relay::loop() {
  auto backoff = options_.min_backoff;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      notified_ = false;
    }
    bool ok = run_once();
    std::unique_lock lock(mu_);
    if (stopping_) break;
    if (!ok) {
      // Failing: wait out the backoff even if new orders arrive; they will be sent together.
      cv_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.min_backoff;
    if (did_work_) continue;  // maybe more than one batch is waiting
    cv_.wait_for(lock, options_.idle_poll, [this] { return stopping_ || notified_; });
  }
}

}  // namespace shop
