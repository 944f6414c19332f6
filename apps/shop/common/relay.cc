#include "relay.h"

#include <algorithm>

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

bool Relay::run_once() {
  bool all_ok = true;
  did_work_ = false;
  for (const char* queue : {"mileage", "tracking"}) {
    auto rows = store_.pending(queue, options_.batch);
    if (!rows) {
      log(std::string("outbox read failed: ") + rows.error());
      return false;
    }
    if (rows->empty()) continue;
    SendReport report = sender_.send(queue, *rows);
    if (!report.sent.empty()) {
      if (auto st = store_.mark_sent(report.sent); !st) {
        // They were sent: worst case they are sent again, and consumers deduplicate.
        log("outbox update failed (rows will be re-sent): " + st.error());
      }
      sent_ += static_cast<int64_t>(report.sent.size());
      did_work_ = true;
    }
    for (const auto& [seq, error] : report.failed) {
      (void)store_.mark_failed(seq, error);
      ++failed_;
      all_ok = false;
    }
    if (!report.failed.empty()) {
      log("send to " + std::string(queue) + " queue failed for " +
          std::to_string(report.failed.size()) + " message(s), will retry: " +
          report.failed.front().second);
    }
  }
  return all_ok;
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
