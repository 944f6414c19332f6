#include "order_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <unistd.h>
#include <map>

#include "order_committer.h"
#include "relay.h"

namespace shop {
namespace {

// Removes the test's databases when the test binary exits.
struct TempDirs {
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    for (const auto& d : dirs) std::filesystem::remove_all(d);
  }
};
TempDirs temp_dirs;

std::string temp_db(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("shop_test_" + std::to_string(::getpid()) + "_" + name);
  temp_dirs.dirs.push_back(dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "purchase.db").string();
}

// Accepts everything unless `fail` is set; remembers what it sent.
class FakeSender : public QueueSender {
 public:
  bool fail = false;
  std::map<std::string, std::vector<std::string>> sent;  // queue -> bodies
  int calls = 0;
  SendReport send(const std::string& queue, const std::vector<OutboxRow>& rows) override {
    ++calls;
    SendReport r;
    for (const auto& row : rows) {
      if (fail) {
        r.failed.emplace_back(row.seq, "ServiceUnavailable");
      } else {
        sent[queue].push_back(row.body);
        r.sent.emplace_back(row.seq, "msg-" + std::to_string(row.seq));
      }
    }
    return r;
  }
};

Order order(const std::string& id) { return {id, "kim", 1250000, 300000, "TRK-" + id}; }

TEST(OrderStore, WritesTheOrderAndBothMessagesTogether) {
  auto store = OrderStore::open(temp_db("together"));
  ASSERT_TRUE(store.has_value()) << store.error();
  auto r = (*store)->place(order("1"));
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->outcome, PlaceOutcome::kCreated);
  EXPECT_EQ(*(*store)->pending_count(), 2);
  auto m = (*store)->pending("mileage", 10);
  auto t = (*store)->pending("tracking", 10);
  ASSERT_EQ(m->size(), 1u);
  ASSERT_EQ(t->size(), 1u);
  EXPECT_NE((*m)[0].body.find(R"("id":"1")"), std::string::npos);
  EXPECT_NE((*t)[0].body.find(R"("trackingId":"TRK-1")"), std::string::npos);
}

TEST(OrderStore, RepeatedOrderIdIsIdempotent) {
  auto store = OrderStore::open(temp_db("idem"));
  ASSERT_TRUE(store.has_value());
  ASSERT_EQ((*store)->place(order("1"))->outcome, PlaceOutcome::kCreated);
  auto again = (*store)->place(order("1"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->outcome, PlaceOutcome::kDuplicate);
  EXPECT_EQ(again->stored, order("1"));
  EXPECT_EQ(*(*store)->pending_count(), 2) << "no second pair of messages";

  Order changed = order("1");
  changed.price_cents += 1;
  EXPECT_EQ((*store)->place(changed)->outcome, PlaceOutcome::kConflict);
  EXPECT_EQ(*(*store)->pending_count(), 2);
}

TEST(OrderStore, IdempotencySurvivesReopening) {
  std::string path = temp_db("reopen");
  {
    auto store = OrderStore::open(path);
    ASSERT_EQ((*store)->place(order("1"))->outcome, PlaceOutcome::kCreated);
  }
  auto store = OrderStore::open(path);
  EXPECT_EQ((*store)->place(order("1"))->outcome, PlaceOutcome::kDuplicate);
  EXPECT_EQ(*(*store)->pending_count(), 2);
}

TEST(OrderStore, PlaceBatchIsOneTransactionWithTheSameRules) {
  auto store = OrderStore::open(temp_db("batch"));
  ASSERT_TRUE(store.has_value()) << store.error();
  ASSERT_EQ((*store)->place(order("old"))->outcome, PlaceOutcome::kCreated);
  Order changed = order("b");
  changed.price_cents += 1;
  std::vector<Order> batch{order("a"), order("b"), order("a"), changed, order("old")};
  auto r = (*store)->place_batch(batch);
  ASSERT_TRUE(r.has_value()) << r.error();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].outcome, PlaceOutcome::kCreated);
  EXPECT_EQ((*r)[1].outcome, PlaceOutcome::kCreated);
  EXPECT_EQ((*r)[2].outcome, PlaceOutcome::kDuplicate) << "repeated within the batch";
  EXPECT_EQ((*r)[3].outcome, PlaceOutcome::kConflict) << "same id, other content, same batch";
  EXPECT_EQ((*r)[3].stored, order("b"));
  EXPECT_EQ((*r)[4].outcome, PlaceOutcome::kDuplicate) << "placed by an earlier transaction";
  EXPECT_EQ(*(*store)->pending_count(), 6) << "two messages for each of old, a, b";
}

TEST(OrderCommitter, CompletesEveryOrderOfConcurrentSubmitters) {
  auto store = OrderStore::open(temp_db("committer"));
  ASSERT_TRUE(store.has_value()) << store.error();
  std::atomic<int> notified{0};
  OrderCommitter committer(**store, [&] { ++notified; }, 16);
  committer.start();
  std::mutex mu;
  std::map<std::string, PlaceOutcome> outcomes;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::promise<OrderCommitter::Result> done;
        auto f = done.get_future();
        // Every id twice (once from thread t, once from t ^ 1): one creates, one is a duplicate.
        std::string id = std::to_string((t / 2) * 50 + i);
        committer.submit(order(id), [&](OrderCommitter::Result r) { done.set_value(std::move(r)); });
        auto r = f.get();
        ASSERT_TRUE(r.has_value()) << r.error();
        std::lock_guard lock(mu);
        auto key = id + (r->outcome == PlaceOutcome::kCreated ? "/created" : "/dup");
        EXPECT_EQ(outcomes.count(key), 0u) << key;
        outcomes[key] = r->outcome;
      }
    });
  }
  for (auto& th : threads) th.join();
  committer.stop();
  EXPECT_EQ(outcomes.size(), 400u);
  EXPECT_EQ(*(*store)->pending_count(), 400) << "200 orders, two messages each";
  EXPECT_GE(notified.load(), 1);
  // After stop, a submission is refused, not lost.
  bool refused = false;
  committer.submit(order("late"), [&](OrderCommitter::Result r) { refused = !r.has_value(); });
  EXPECT_TRUE(refused);
}

TEST(Relay, SendsEachMessageOnceAndMarksIt) {
  auto store = OrderStore::open(temp_db("relay"));
  FakeSender sender;
  Relay relay(**store, sender);
  for (int i = 0; i < 25; ++i) (*store)->place(order(std::to_string(i)));
  while (*(*store)->pending_count() > 0) ASSERT_TRUE(relay.run_once());
  EXPECT_EQ(sender.sent["mileage"].size(), 25u);
  EXPECT_EQ(sender.sent["tracking"].size(), 25u);
  EXPECT_TRUE(relay.run_once());
  EXPECT_EQ(sender.sent["mileage"].size(), 25u) << "nothing sent twice";
  auto found = (*store)->find("3");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->messages_pending, 0);
}

TEST(Relay, KeepsMessagesWhileSqsRefusesThemAndSendsThemLater) {
  auto store = OrderStore::open(temp_db("refuse"));
  FakeSender sender;
  sender.fail = true;
  Relay relay(**store, sender);
  (*store)->place(order("a"));
  (*store)->place(order("b"));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(relay.run_once());
  EXPECT_EQ(*(*store)->pending_count(), 4);
  EXPECT_EQ(relay.stats().failed_attempts, 12);
  sender.fail = false;
  EXPECT_TRUE(relay.run_once());
  EXPECT_EQ(*(*store)->pending_count(), 0);
  EXPECT_EQ(sender.sent["mileage"].size(), 2u);
}

TEST(Relay, ThreadDeliversAfterNotify) {
  auto store = OrderStore::open(temp_db("thread"));
  FakeSender sender;
  RelayOptions options;
  options.idle_poll = std::chrono::seconds(30);  // only notify() can wake it in time
  Relay relay(**store, sender, options);
  relay.start();
  (*store)->place(order("x"));
  relay.notify();
  for (int i = 0; i < 200 && *(*store)->pending_count() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(*(*store)->pending_count(), 0);
  relay.stop();
}

}  // namespace
}  // namespace shop
