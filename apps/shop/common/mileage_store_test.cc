#include "mileage_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include <unistd.h>

#include "tracking_store.h"

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
  return (dir / "store.db").string();
}

MileageMessage msg(const std::string& id, const std::string& user, int64_t price,
                   int64_t accumulated) {
  return {id, user, price, accumulated};
}

TEST(MileageStore, FirstOrderOpensAtMileageAccumulated) {
  auto store = MileageStore::open(temp_db("open"));
  ASSERT_TRUE(store.has_value()) << store.error();
  auto r = (*store)->credit(msg("o1", "kim", 1250000, 300000), "m1");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_TRUE(r->applied);
  EXPECT_TRUE(r->opened);
  EXPECT_EQ(r->balance_cents, 325000);  // 3000 + 2% of 12500, as the tutorial computes
}

TEST(MileageStore, LaterOrdersAddTwoPercentOnly) {
  auto store = MileageStore::open(temp_db("later"));
  (*store)->credit(msg("o1", "kim", 1000000, 450000), "m1");  // 4500 + 200 = 4700
  auto r = (*store)->credit(msg("o2", "kim", 500000, 999999), "m2");  // + 100; 9999.99 ignored
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->opened);
  EXPECT_EQ(r->balance_cents, 480000);
  auto acct = (*store)->account("kim", 10);
  ASSERT_TRUE(acct.has_value() && acct->has_value());
  EXPECT_EQ((*acct)->balance_cents, 480000);
  EXPECT_EQ((*acct)->orders, 2);
  ASSERT_EQ((*acct)->history.size(), 2u);
  EXPECT_EQ((*acct)->history[0].order_id, "o2");
  EXPECT_EQ((*acct)->history[1].opening_cents, 450000);
}

TEST(MileageStore, RedeliveryNeverCreditsTwice) {
  std::string path = temp_db("redeliver");
  {
    auto store = MileageStore::open(path);
    ASSERT_TRUE((*store)->credit(msg("o1", "kim", 1000000, 450000), "m1")->applied);
    auto again = (*store)->credit(msg("o1", "kim", 1000000, 450000), "m1-redelivered");
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->applied);
    EXPECT_EQ(again->balance_cents, 470000);
  }
  auto store = MileageStore::open(path);  // and after a restart
  EXPECT_FALSE((*store)->credit(msg("o1", "kim", 1000000, 450000), "m1")->applied);
  EXPECT_EQ((*(*store)->account("kim", 10))->balance_cents, 470000);
}

TEST(MileageStore, ConcurrentDuplicatesCreditOnce) {
  auto store = MileageStore::open(temp_db("race"));
  std::vector<std::thread> threads;
  std::atomic<int> applied{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto r = (*store)->credit(msg("o" + std::to_string(i), "kim", 100, 0), "m");
        if (r && r->applied) ++applied;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(applied.load(), 50);
  EXPECT_EQ((*(*store)->account("kim", 1))->balance_cents, 100);  // 50 * 2
}

TEST(MileageStore, ABatchCreditsInOrderAndOncePerOrder) {
  auto store = MileageStore::open(temp_db("batch"));
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->credit(msg("o0", "kim", 100000, 100000), "m0")->applied);  // 1000 + 20
  std::vector<std::pair<MileageMessage, std::string>> batch{
      {msg("o1", "kim", 1000000, 0), "m1"},         // + 200
      {msg("o1", "kim", 1000000, 0), "m1-again"},   // duplicate within the batch
      {msg("o2", "lee", 500000, 450000), "m2"},     // opens lee at 4500 + 100
      {msg("o0", "kim", 100000, 100000), "m0-again"},  // credited by an earlier transaction
      {msg("o3", "kim", 12345, 0), "m3"}};          // + 2.47 (246.9 cents, rounded half up)
  auto r = (*store)->credit_batch(batch);
  ASSERT_TRUE(r.has_value()) << r.error();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_TRUE((*r)[0].applied);
  EXPECT_EQ((*r)[0].balance_cents, 122000);
  EXPECT_FALSE((*r)[1].applied);
  EXPECT_TRUE((*r)[2].opened);
  EXPECT_EQ((*r)[2].balance_cents, 460000);
  EXPECT_FALSE((*r)[3].applied);
  EXPECT_EQ((*r)[4].balance_cents, 122247);
  auto kim = (*store)->account("kim", 10);
  EXPECT_EQ((*kim)->orders, 3);
  EXPECT_EQ((*kim)->balance_cents, 122247);
}

TEST(MileageStore, UnknownUserHasNoAccount) {
  auto store = MileageStore::open(temp_db("unknown"));
  auto acct = (*store)->account("nobody", 10);
  ASSERT_TRUE(acct.has_value());
  EXPECT_FALSE(acct->has_value());
}

TEST(TrackingStore, RecordsOncePerOrder) {
  auto store = TrackingStore::open(temp_db("tracking"));
  ASSERT_TRUE(store.has_value());
  EXPECT_TRUE(*(*store)->record({"o1", "kim", "TRK-1"}, "m1"));
  EXPECT_FALSE(*(*store)->record({"o1", "kim", "TRK-1"}, "m1-again"));
  EXPECT_TRUE(*(*store)->record({"o2", "lee", "TRK-1"}, "m2"));
  auto found = (*store)->find("TRK-1");
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].order_id, "o1");
  EXPECT_TRUE((*store)->find("nope")->empty());
}

TEST(TrackingStore, ABatchRecordsOncePerOrder) {
  auto store = TrackingStore::open(temp_db("tracking-batch"));
  ASSERT_TRUE(store.has_value());
  std::vector<std::pair<TrackingMessage, std::string>> batch{
      {{"o1", "kim", "TRK-1"}, "m1"}, {{"o1", "kim", "TRK-1"}, "m1-again"},
      {{"o2", "lee", "TRK-2"}, "m2"}};
  auto r = (*store)->record_batch(batch);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, (std::vector<bool>{true, false, true}));
  EXPECT_EQ((*store)->find("TRK-1")->size(), 1u);
  EXPECT_FALSE(*(*store)->record({"o2", "lee", "TRK-2"}, "m2-later"));
}

}  // namespace
}  // namespace shop
