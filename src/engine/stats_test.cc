// Engine::queue_stats() (peek.h) and LogJournal::stats(): depths, the oldest message's age and
// the event counters follow known activity; expiries are counted once on every path that drops a
// message; compaction is counted.
#include <gtest/gtest.h>

#include <future>

#include "engine/engine.h"
#include "engine/log_journal.h"
#include "storage/fault_injection_env.h"

namespace tern::engine {
namespace {

class StatsTest : public ::testing::Test {
 protected:
  StatsTest() : engine_(options()) {}
  EngineOptions options() {
    EngineOptions o;
    o.clock = &clock_;
    o.base_url = "http://h";
    return o;
  }
  std::string create(const std::string& name, AttributeMap attrs = {}) {
    auto r = engine_.create_queue({name, std::move(attrs), {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->queue_url : "";
  }
  void send(const std::string& url, const std::string& body, int64_t delay = 0,
            std::optional<std::string> group = std::nullopt) {
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = body;
    if (delay > 0) r.delay_seconds = delay;
    r.message_group_id = group;
    auto res = engine_.send_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
  }
  std::vector<Message> receive(const std::string& url, int max, int vis = 30) {
    ReceiveMessageRequest r;
    r.queue_url = url;
    r.max_number_of_messages = max;
    r.visibility_timeout = vis;
    auto res = engine_.receive_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    return res ? res->messages : std::vector<Message>{};
  }
  QueueStats stats(const std::string& name) {
    for (auto& s : engine_.queue_stats()) {
      if (s.name == name) return s;
    }
    ADD_FAILURE() << "no stats for " << name;
    return {};
  }

  ManualClock clock_;
  Engine engine_;
};

TEST_F(StatsTest, QueueStats_FollowSendsReceivesDeletesAndDeadLetterMoves) {
  std::string dlq = create("dlq");
  std::string src = create(
      "src",
      {{"RedrivePolicy",
        R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1})"}});
  send(src, "a");
  send(src, "b");
  send(src, "c");
  send(src, "delayed", 60);
  clock_.advance_ms(5'000);

  auto got = receive(src, 10);
  ASSERT_EQ(got.size(), 3u);
  ASSERT_TRUE(engine_.delete_message({src, got[0].receipt_handle}));
  ASSERT_TRUE(engine_.change_message_visibility({src, got[1].receipt_handle, 0}));
  EXPECT_TRUE(receive(src, 10).empty());  // its second receive moves it to the DLQ

  QueueStats s = stats("src");
  EXPECT_EQ(s.visible, 0);
  EXPECT_EQ(s.in_flight, 1);
  EXPECT_EQ(s.delayed, 1);
  EXPECT_EQ(s.sent, 4u);
  EXPECT_EQ(s.received, 3u);
  EXPECT_EQ(s.deleted, 1u);
  EXPECT_EQ(s.dead_lettered, 1u);
  EXPECT_EQ(s.expired, 0u);
  EXPECT_EQ(s.oldest_age_ms, 5'000);
  EXPECT_FALSE(s.fifo);

  QueueStats d = stats("dlq");
  EXPECT_EQ(d.visible, 1);
  EXPECT_EQ(d.sent, 0u) << "a dead-letter move is not a send";
  EXPECT_EQ(d.oldest_age_ms, 5'000) << "a moved message keeps its send time";
}

TEST_F(StatsTest, QueueStats_EmptyQueue_HasZeroAge_AndDuplicatesAreNotSends) {
  std::string f = create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  QueueStats s = stats("f.fifo");
  EXPECT_TRUE(s.fifo);
  EXPECT_EQ(s.oldest_age_ms, 0);
  send(f, "same", 0, "g");
  send(f, "same", 0, "g");  // deduplicated: the same MessageId, no new message
  s = stats("f.fifo");
  EXPECT_EQ(s.sent, 1u);
  EXPECT_EQ(s.visible, 1);
}

TEST_F(StatsTest, Expired_IsCountedOnce_WhenRetentionDropsMessages) {
  std::string std_q = create("std", {{"MessageRetentionPeriod", "60"}});
  std::string fifo_q = create("fifo.fifo", {{"FifoQueue", "true"},
                                            {"ContentBasedDeduplication", "true"},
                                            {"MessageRetentionPeriod", "60"}});
  send(std_q, "1");
  send(std_q, "2");
  send(fifo_q, "x", 0, "g");
  send(fifo_q, "y", 0, "g");
  clock_.advance_ms(61'000);
  // A receive runs the retention pass first; a stats snapshot afterwards must not count again.
  EXPECT_TRUE(receive(std_q, 10).empty());
  EXPECT_TRUE(receive(fifo_q, 10).empty());
  EXPECT_EQ(stats("std").expired, 2u);
  EXPECT_EQ(stats("fifo.fifo").expired, 2u);
  EXPECT_EQ(stats("std").visible, 0);
  EXPECT_EQ(stats("std").expired, 2u);
}

// A dead-letter move appends a message with its original (older) send time behind newer ones,
// so retention finds it on the receive path rather than at the head of the age list.
TEST_F(StatsTest, Expired_IsCounted_WhenAMovedMessageOutlivesRetentionBehindNewerOnes) {
  for (bool fifo : {false, true}) {
    SCOPED_TRACE(fifo ? "fifo" : "standard");
    const std::string sfx = fifo ? ".fifo" : "";
    AttributeMap dlq_attrs = {{"MessageRetentionPeriod", "60"}};
    AttributeMap src_attrs = {
        {"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:old-dlq)" +
                              sfx + R"(","maxReceiveCount":1})"}};
    if (fifo) {
      for (auto* a : {&dlq_attrs, &src_attrs}) {
        (*a)["FifoQueue"] = "true";
        (*a)["ContentBasedDeduplication"] = "true";
      }
    }
    std::optional<std::string> group;
    if (fifo) group = "g";
    std::string dlq = create("old-dlq" + sfx, dlq_attrs);
    std::string src = create("old-src" + sfx, src_attrs);
    send(src, "old", 0, group);  // t = 0
    clock_.advance_ms(10'000);
    send(dlq, "new", 0, fifo ? std::optional<std::string>("h") : std::nullopt);  // t = 10 s
    auto got = receive(src, 1, 0);  // visible again at once
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(receive(src, 1).empty());  // the second receive moves it to the DLQ
    EXPECT_EQ(stats("old-src" + sfx).dead_lettered, 1u);
    clock_.advance_ms(51'000);  // t = 61 s: "old" (sent at 0) is past retention, "new" is not
    auto left = receive(dlq, 10);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].body, "new");
    QueueStats d = stats("old-dlq" + sfx);
    EXPECT_EQ(d.expired, 1u);
    EXPECT_EQ(d.received, 1u);
    EXPECT_EQ(d.in_flight, 1);
    clock_.advance_ms(40'000);  // both entries of the age list are now past retention
    d = stats("old-dlq" + sfx);
    EXPECT_EQ(d.expired, 2u) << "\"new\" expires; \"old\" is not counted a second time";
    EXPECT_EQ(d.in_flight, 0);
  }
}

TEST_F(StatsTest, QueueStats_LeaveOutDeletedQueues_AndListByName) {
  create("b");
  std::string a = create("a");
  create("c");
  ASSERT_TRUE(engine_.delete_queue({a}));
  auto all = engine_.queue_stats();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "b");
  EXPECT_EQ(all[1].name, "c");
}

TEST(LogJournalStatsTest, Compaction_IsCounted_WithTheMessagesItRewrites) {
  ManualClock clock;
  storage::FaultInjectionEnv env;
  LogJournal journal;
  EngineOptions eo;
  eo.clock = &clock;
  eo.base_url = "http://h";
  eo.journal = &journal;
  Engine engine(eo);
  LogJournalOptions o;
  o.dir = "/data";
  o.compaction_interval_ms = 0;
  o.segment_bytes = 8 * 1024;
  o.resident_body_budget = 0;
  ASSERT_TRUE(journal.open(&env, o, engine, nullptr).ok());
  auto durable = [&] {
    uint64_t t = journal.take_ticket();
    if (t == 0) return true;
    std::promise<bool> p;
    journal.on_durable(t, [&](bool ok) { p.set_value(ok); });
    return p.get_future().get();
  };
  const std::string url = "http://h/000000000000/q";
  ASSERT_TRUE(engine.create_queue({"q", {}, {}}));
  for (int i = 0; i < 200; ++i) {
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = "message-" + std::to_string(i) + std::string(100, '.');
    ASSERT_TRUE(engine.send_message(r));
  }
  ASSERT_TRUE(durable());
  // Delete all but the first message: the oldest segment keeps one live message to rewrite.
  bool kept = false;
  for (;;) {
    ReceiveMessageRequest r;
    r.queue_url = url;
    r.max_number_of_messages = 10;
    auto got = engine.receive_message(r);
    ASSERT_TRUE(got);
    if (got->messages.empty()) break;
    for (auto& m : got->messages) {
      if (!kept && m.body.rfind("message-0.", 0) == 0) {
        kept = true;
        continue;
      }
      ASSERT_TRUE(engine.delete_message({url, m.receipt_handle}));
    }
  }
  ASSERT_TRUE(durable());
  ASSERT_TRUE(kept);

  LogJournalStats before = journal.stats();
  EXPECT_EQ(before.compactions, 0u);
  EXPECT_GT(before.log.segments, 3u);
  EXPECT_GT(before.log.records, 200u);
  EXPECT_GT(before.log.fsyncs, 0u);
  int compacted = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = journal.compact_once();
    ASSERT_TRUE(r) << r.error().to_string();
    if (!*r) break;
    ++compacted;
  }
  ASSERT_GT(compacted, 0);
  LogJournalStats after = journal.stats();
  EXPECT_EQ(after.compactions, static_cast<uint64_t>(compacted));
  // One message is live; each step rewrites it at most once (again when its copy lands in a
  // segment that is compacted later, which depends on where group commits put segment bounds).
  EXPECT_GE(after.compaction_rewrites, 1u);
  EXPECT_LE(after.compaction_rewrites, static_cast<uint64_t>(compacted));
  EXPECT_EQ(after.compaction_failures, 0u);
  EXPECT_LT(after.log.segments, before.log.segments);
  EXPECT_LT(after.log.bytes_on_disk, before.log.bytes_on_disk);
  ASSERT_TRUE(journal.close().ok());
}

}  // namespace
}  // namespace tern::engine
