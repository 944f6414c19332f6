// Ordering stress (issue 3): 50 groups x 200 messages, 8 concurrent consumers, random visibility
// expiries and random failures to delete. Within every group, deliveries must follow send order
// (a redelivery restarts from the first undeleted message, never skips ahead), every message must
// end up deleted exactly once, and a deduplicated resend must never be delivered.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "engine/engine.h"

namespace tern::engine {
namespace {

TEST(FifoStress, NoOutOfOrderDeliveryWithinAGroup_NoDuplicateOfDeduplicatedSends) {
  ManualClock clock;
  EngineOptions o;
  o.clock = &clock;
  Engine engine(o);
  const std::string url = "http://localhost:9324/000000000000/stress.fifo";
  ASSERT_TRUE(engine.create_queue({"stress.fifo", {{"FifoQueue", "true"}}, {}}));
  constexpr int kGroups = 50, kPerGroup = 200, kConsumers = 8;

  // Producer: interleave groups; every 10th message is sent twice (same dedup id).
  for (int i = 0; i < kPerGroup; ++i) {
    for (int g = 0; g < kGroups; ++g) {
      SendMessageRequest r;
      r.queue_url = url;
      r.message_group_id = "g" + std::to_string(g);
      r.message_body = std::to_string(g) + ":" + std::to_string(i);
      r.message_deduplication_id = r.message_body;
      ASSERT_TRUE(engine.send_message(r));
      if (i % 10 == 0) ASSERT_TRUE(engine.send_message(r));  // duplicate: must be dropped
    }
  }

  std::mutex mu;
  std::vector<int> next_expected(kGroups, 0);  // lowest undeleted index per group
  std::vector<int> deleted_count(kGroups, 0);
  std::atomic<int> total_deleted{0};
  std::atomic<bool> violation{false};
  std::string first_violation;

  auto consumer = [&](int id) {
    std::mt19937 rng(id * 7919 + 1);
    while (total_deleted.load() < kGroups * kPerGroup && !violation.load()) {
      std::vector<int> before;  // lowest undeleted per group when the receive started
      {
        std::lock_guard lock(mu);
        before = next_expected;
      }
      ReceiveMessageRequest r;
      r.queue_url = url;
      r.max_number_of_messages = 1 + static_cast<int>(rng() % 10);
      r.visibility_timeout = 5;
      auto res = engine.receive_message(r);
      if (!res) {
        violation = true;
        break;
      }
      if (res->messages.empty()) {
        // Let visibility timeouts expire now and then (the fake clock is shared).
        clock.advance_ms(1000);
        std::this_thread::yield();
        continue;
      }
      // Check the batch without racing the other consumers: per group the indices must be
      // consecutive, and the first must be the lowest undeleted one at some moment during the
      // receive, i.e. between the snapshots taken before and after it (deletes only raise it).
      std::map<int, std::vector<int>> by_group;
      for (const auto& m : res->messages) {
        auto colon = m.body.find(':');
        by_group[std::stoi(m.body.substr(0, colon))].push_back(std::stoi(m.body.substr(colon + 1)));
      }
      {
        std::lock_guard lock(mu);
        for (auto& [g, idx] : by_group) {
          bool ok = idx[0] >= before[g] && idx[0] <= next_expected[g];
          for (size_t k = 1; k < idx.size(); ++k) ok = ok && idx[k] == idx[0] + static_cast<int>(k);
          if (!ok && !violation.exchange(true)) {
            first_violation = "group " + std::to_string(g) + " delivered from " +
                              std::to_string(idx[0]) + " (" + std::to_string(idx.size()) +
                              " msgs) while the lowest undeleted was between " +
                              std::to_string(before[g]) + " and " +
                              std::to_string(next_expected[g]);
          }
        }
      }
      // Delete a prefix of the batch (sometimes all, sometimes none): the rest will expire and
      // be redelivered in order.
      size_t keep = rng() % 4 == 0 ? rng() % res->messages.size() : res->messages.size();
      // Deleting must follow delivery order within a group, as a real consumer acking in order.
      for (size_t k = 0; k < keep; ++k) {
        const auto& m = res->messages[k];
        auto colon = m.body.find(':');
        int g = std::stoi(m.body.substr(0, colon));
        int idx = std::stoi(m.body.substr(colon + 1));
        std::lock_guard lock(mu);
        if (idx != next_expected[g]) continue;  // an earlier one of this group was not deleted
        if (!engine.delete_message({url, m.receipt_handle})) continue;  // expired meanwhile
        next_expected[g] = idx + 1;
        ++deleted_count[g];
        ++total_deleted;
      }
      if (rng() % 8 == 0) clock.advance_ms(6000);  // force expiries of what is in flight
    }
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < kConsumers; ++c) threads.emplace_back(consumer, c);
  for (auto& t : threads) t.join();
  ASSERT_FALSE(violation.load()) << first_violation;
  for (int g = 0; g < kGroups; ++g) EXPECT_EQ(deleted_count[g], kPerGroup) << "group " << g;
  auto left = engine.get_queue_attributes({url, {"ApproximateNumberOfMessages"}});
  EXPECT_EQ(left->attributes[0].second, "0");
}

}  // namespace
}  // namespace tern::engine
