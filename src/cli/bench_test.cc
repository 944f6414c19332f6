#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "cli/bench_histogram.h"
#include "cli/bench_options.h"

namespace tern::cli {
namespace {

TEST(Histogram, IsEmpty_WhenNothingRecorded) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_TRUE(h.cdf().empty());
}

TEST(Histogram, BucketsAreContiguous_WhenWalkedInOrder) {
  for (size_t i = 0; i + 1 < 58 * Histogram::kSub; ++i) {
    ASSERT_LE(Histogram::bucket_low(i), Histogram::bucket_high(i)) << i;
    ASSERT_EQ(Histogram::bucket_high(i) + 1, Histogram::bucket_low(i + 1)) << i;
  }
  EXPECT_EQ(Histogram::bucket_high(58 * Histogram::kSub - 1), UINT64_MAX);
}

TEST(Histogram, ValueFallsInItsBucket_ForManyMagnitudes) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    size_t b = Histogram::bucket_of(v);
    ASSERT_LE(Histogram::bucket_low(b), v);
    ASSERT_GE(Histogram::bucket_high(b), v);
  }
  EXPECT_EQ(Histogram::bucket_of(0), 0u);
  EXPECT_EQ(Histogram::bucket_of(255), 255u);
  EXPECT_EQ(Histogram::bucket_of(256), 256u);
  EXPECT_LT(Histogram::bucket_of(UINT64_MAX), 58 * Histogram::kSub);
}

TEST(Histogram, SmallValuesAreExact_WhenBelow256) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(0.5), 50u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.percentile(1.0), 100u);
  EXPECT_EQ(h.percentile(0.0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, PercentilesWithinRelativeError_WhenUniformMicroseconds) {
  Histogram h;
  // 1..1,000,000 ns: the true p-th percentile is p * 1e6.
  for (uint64_t v = 1; v <= 1000000; ++v) h.record(v);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double want = q * 1e6;
    double got = static_cast<double>(h.percentile(q));
    EXPECT_GE(got, want) << q;                      // highest equivalent value: never below
    EXPECT_LE(got, want * (1 + 1.0 / 128) + 1) << q;  // at most one sub-bucket above
  }
  EXPECT_EQ(h.percentile(1.0), 1000000u);  // clamped to the exact max
}

TEST(Histogram, TailIsSeen_WhenOneOutlierInAThousand) {
  Histogram h;
  for (int i = 0; i < 999; ++i) h.record(1000);
  h.record(5'000'000);
  EXPECT_LE(h.percentile(0.99), 1000u + 8);
  EXPECT_EQ(h.percentile(0.999), h.percentile(0.99));  // rank 999 is still the bulk
  EXPECT_EQ(h.percentile(0.9991), 5'000'000u);
  EXPECT_EQ(h.max(), 5'000'000u);
}

TEST(Histogram, MergeEqualsRecordingEverything_WhenSplitAcrossThreads) {
  Histogram a, b, all;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t v = rng() % 10'000'000;
    (i % 2 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.percentile(q), all.percentile(q));
  a.reset();
  EXPECT_EQ(a.count(), 0u);
}

TEST(Histogram, CdfEndsAtOne_AndIsMonotonic) {
  Histogram h;
  for (uint64_t v = 1; v < 100000; v += 7) h.record(v);
  auto c = h.cdf();
  ASSERT_FALSE(c.empty());
  EXPECT_DOUBLE_EQ(c.back().second, 1.0);
  for (size_t i = 1; i < c.size(); ++i) {
    EXPECT_GT(c[i].first, c[i - 1].first);
    EXPECT_GT(c[i].second, c[i - 1].second);
  }
}

BenchOptions valid(const char* scenario) {
  BenchOptions o;
  o.scenario = scenario;
  return o;
}

TEST(BenchOptions, Accepted_WhenDefaultsForEveryScenario) {
  for (const char* s : {"send", "receive-delete", "e2e"}) {
    EXPECT_EQ(validate_bench_options(valid(s)), "") << s;
  }
  auto f = valid("fanin");
  f.rate = 10;
  EXPECT_EQ(validate_bench_options(f), "");
}

TEST(BenchOptions, Rejected_WhenValuesOutOfRange) {
  auto check = [](auto mutate, const char* what) {
    BenchOptions o = valid("send");
    mutate(o);
    EXPECT_NE(validate_bench_options(o), "") << what;
  };
  check([](BenchOptions& o) { o.scenario = "bogus"; }, "scenario");
  check([](BenchOptions& o) { o.batch = 0; }, "batch 0");
  check([](BenchOptions& o) { o.batch = 11; }, "batch 11");
  check([](BenchOptions& o) { o.connections = 0; }, "connections");
  check([](BenchOptions& o) { o.threads = 0; }, "threads");
  check([](BenchOptions& o) { o.body_size = 10; }, "body too small");
  check([](BenchOptions& o) { o.body_size = 262145; }, "body too large");
  check([](BenchOptions& o) { o.body_size = 100000, o.batch = 3; }, "batch payload");
  check([](BenchOptions& o) { o.duration = 5, o.count = 10; }, "duration and count");
  check([](BenchOptions& o) { o.duration = -1; }, "negative duration");
  check([](BenchOptions& o) { o.rate = -1; }, "negative rate");
  check([](BenchOptions& o) { o.protocol = "xml"; }, "protocol");
  check([](BenchOptions& o) { o.endpoint = "https://x:1"; }, "https");
  check([](BenchOptions& o) { o.endpoint = "127.0.0.1:9324"; }, "no scheme");
  check([](BenchOptions& o) { o.wait_seconds = 21; }, "wait");
  check([](BenchOptions& o) { o.producers = 4; }, "producers for send");
  check([](BenchOptions& o) { o.queue = "has space"; }, "queue chars");
  check([](BenchOptions& o) { o.queue = std::string(81, 'a'); }, "queue length");
  check([](BenchOptions& o) { o.sign = true, o.secret_key = ""; }, "sign without key");
}

TEST(BenchOptions, FifoNeedsFifoName_AndGroups) {
  BenchOptions o = valid("send");
  o.queue_type = "fifo";
  EXPECT_EQ(validate_bench_options(o), "");  // default name gets .fifo
  o.queue = "orders";
  EXPECT_NE(validate_bench_options(o), "");
  o.queue = "orders.fifo";
  EXPECT_EQ(validate_bench_options(o), "");
  o.groups = 0;
  EXPECT_NE(validate_bench_options(o), "");
  BenchOptions s = valid("send");
  s.queue = "orders.fifo";
  EXPECT_NE(validate_bench_options(s), "");  // standard queue with a .fifo name
}

TEST(BenchOptions, ScenarioRules_WhenReceiveDeleteOrFanin) {
  BenchOptions rd = valid("receive-delete");
  rd.duration = 5;
  EXPECT_NE(validate_bench_options(rd), "");  // bounded by the prefill count
  rd.duration = 0;
  rd.rate = 100;
  EXPECT_NE(validate_bench_options(rd), "");
  BenchOptions f = valid("fanin");
  EXPECT_NE(validate_bench_options(f), "");  // needs --rate
}

TEST(BenchOptions, Defaults_WhenDerived) {
  BenchOptions e = valid("e2e");
  e.connections = 64;
  EXPECT_EQ(effective_producers(e), 32);
  EXPECT_EQ(effective_consumers(e), 32);
  EXPECT_EQ(effective_duration(e), 10);
  EXPECT_EQ(effective_count(e), 0);
  e.producers = 8;
  EXPECT_EQ(effective_consumers(e), 56);
  BenchOptions rd = valid("receive-delete");
  EXPECT_EQ(effective_count(rd), 100000);
  EXPECT_EQ(effective_duration(rd), 0);
  BenchOptions f = valid("fanin");
  EXPECT_EQ(effective_producers(f), 1);
  EXPECT_EQ(effective_consumers(f), 1000);
  BenchOptions c = valid("send");
  c.count = 500;
  EXPECT_EQ(effective_duration(c), 0);
}

TEST(BenchOptions, CliParses_WhenGivenFlags) {
  CLI::App app;
  BenchOptions o;
  add_bench_command(app, o);
  std::vector<std::string> args = {"tern", "bench", "e2e", "--batch", "10", "--rate", "5000",
                                   "--queue-type", "fifo", "--groups", "4", "--json"};
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(o.scenario, "e2e");
  EXPECT_EQ(o.batch, 10);
  EXPECT_EQ(o.rate, 5000);
  EXPECT_EQ(o.queue_type, "fifo");
  EXPECT_EQ(o.groups, 4);
  EXPECT_TRUE(o.json);
  EXPECT_EQ(validate_bench_options(o), "");
  CLI::App app2;
  BenchOptions o2;
  add_bench_command(app2, o2);
  std::vector<const char*> bad = {"tern", "bench", "nope"};
  EXPECT_THROW(app2.parse(3, bad.data()), CLI::ParseError);
}

}  // namespace
}  // namespace tern::cli
