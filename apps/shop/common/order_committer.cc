#include "order_committer.h"

#include <algorithm>
#include <iterator>

namespace shop {

OrderCommitter::OrderCommitter(OrderStore& store, std::function<void()> on_created,
                               size_t max_batch)
    : store_(store), on_created_(std::move(on_created)), max_batch_(std::max<size_t>(1, max_batch)) {}

OrderCommitter::~OrderCommitter() { stop(); }

void OrderCommitter::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void OrderCommitter::submit(Order order, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!exited_) {
      queue_.emplace_back(std::move(order), std::move(done));
      cv_.notify_one();
      return;
    }
  }
  done(tern::unexpected(std::string("the purchase service is stopping")));
}

void OrderCommitter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  // Never started: whatever was submitted is refused, not dropped.
  std::vector<std::pair<Order, Done>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& [order, done] : left) done(tern::unexpected(std::string("the purchase service is stopping")));
}

void OrderCommitter::loop() {
  std::vector<std::pair<Order, Done>> group;
  std::vector<Order> orders;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping, and everything is committed
        exited_ = true;
        break;
      }
      size_t n = std::min(max_batch_, queue_.size());
      group.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    }
    orders.clear();
    for (const auto& [order, done] : group) orders.push_back(order);
    auto placed = store_.place_batch(orders);
    bool created = false;
    for (size_t i = 0; i < group.size(); ++i) {
      if (!placed) {
        group[i].second(tern::unexpected(placed.error()));
      } else {
        created |= (*placed)[i].outcome == PlaceOutcome::kCreated;
        group[i].second(std::move((*placed)[i]));
      }
    }
    group.clear();
    if (created && on_created_) on_created_();
  }
}

}  // namespace shop
