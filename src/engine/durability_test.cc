// The engine over the durable log: what a client was told survives a crash (power loss in the
// fault-injecting Env), deletes stay deleted, receive counts are kept, fsync failure makes the
// server refuse writes, bodies are read back from the log, and compaction reclaims segments.
#include <gtest/gtest.h>

#include <future>

#include "engine/log_journal.h"
#include "storage/fault_injection_env.h"

namespace tern::engine {
namespace {

class DurabilityTest : public ::testing::Test {
 protected:
  struct Node {
    std::unique_ptr<LogJournal> journal;
    std::unique_ptr<Engine> engine;
    storage::RecoveryReport report;
  };
  Node open(LogJournalOptions o = {}) {
    Node n;
    n.journal = std::make_unique<LogJournal>();
    EngineOptions eo;
    eo.clock = &clock_;
    eo.base_url = "http://h";
    eo.journal = n.journal.get();
    n.engine = std::make_unique<Engine>(eo);
    o.dir = "/data";
    o.compaction_interval_ms = 0;
    if (o.segment_bytes == (64ull << 20)) o.segment_bytes = 1 << 20;
    auto st = n.journal->open(&env_, o, *n.engine, &n.report);
    EXPECT_TRUE(st.ok()) << st.to_string();
    return n;
  }
  // What the server does before answering: wait for this thread's ticket.
  static bool durable(LogJournal& j) {
    uint64_t t = j.take_ticket();
    if (t == 0) return true;
    std::promise<bool> p;
    j.on_durable(t, [&](bool ok) { p.set_value(ok); });
    return p.get_future().get();
  }
  std::string send(Node& n, const std::string& url, const std::string& body) {
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = body;
    auto res = n.engine->send_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    EXPECT_TRUE(durable(*n.journal));
    return res ? res->message_id : "";
  }
  std::vector<Message> receive(Node& n, const std::string& url, int max = 10, int vis = 30) {
    ReceiveMessageRequest r;
    r.queue_url = url;
    r.max_number_of_messages = max;
    r.visibility_timeout = vis;
    r.attribute_names = {"ApproximateReceiveCount"};
    auto res = n.engine->receive_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    EXPECT_TRUE(durable(*n.journal));
    return res ? res->messages : std::vector<Message>{};
  }
  std::string count(Node& n, const std::string& url, const std::string& name) {
    auto r = n.engine->get_queue_attributes({url, {name}});
    return r && !r->attributes.empty() ? r->attributes[0].second : "?";
  }
  void crash(storage::FaultInjectionEnv::Torn torn = storage::FaultInjectionEnv::Torn::kPrefix) {
    env_.crash({torn, 7});
  }

  ManualClock clock_;
  storage::FaultInjectionEnv env_;
  const std::string url_ = "http://h/000000000000/q";
};

TEST_F(DurabilityTest, AcknowledgedState_SurvivesPowerLoss) {
  {
    auto n = open();
    ASSERT_TRUE(n.engine->create_queue({"q", {{"VisibilityTimeout", "60"}}, {{"team", "a"}}}));
    ASSERT_TRUE(durable(*n.journal));
    send(n, url_, "one");
    send(n, url_, "two");
    send(n, url_, "three");
    auto got = receive(n, url_, 2);
    ASSERT_EQ(got.size(), 2u);
    ASSERT_TRUE(n.engine->delete_message({url_, got[0].receipt_handle}));
    ASSERT_TRUE(durable(*n.journal));
    crash();
    n.journal.reset();  // the process dies with the machine
  }
  env_.restart();
  auto n = open();
  EXPECT_EQ(count(n, url_, "VisibilityTimeout"), "60");
  EXPECT_EQ(n.engine->list_queue_tags({url_})->tags.at("team"), "a");
  // The in-flight message is visible again; the deleted one stays deleted.
  EXPECT_EQ(count(n, url_, "ApproximateNumberOfMessages"), "2");
  auto again = receive(n, url_, 10);
  ASSERT_EQ(again.size(), 2u);
  std::map<std::string, std::string> counts;
  for (auto& m : again) counts[m.body] = m.attributes[0].second;
  EXPECT_EQ(counts.count("one") + counts.count("two"), 1u);  // exactly one of the first two left
  EXPECT_EQ(counts["three"], "1");
  for (auto& [body, c] : counts) {
    if (body != "three") EXPECT_EQ(c, "2") << "receive count kept across the restart";
  }
}

TEST_F(DurabilityTest, DeletedQueueAndPurge_StayDoneAfterRestart) {
  {
    auto n = open();
    ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
    ASSERT_TRUE(n.engine->create_queue({"gone", {}, {}}));
    send(n, url_, "x");
    send(n, "http://h/000000000000/gone", "y");
    ASSERT_TRUE(n.engine->purge_queue({url_}));
    ASSERT_TRUE(n.engine->delete_queue({"http://h/000000000000/gone"}));
    ASSERT_TRUE(durable(*n.journal));
    crash();
  }
  env_.restart();
  auto n = open();
  EXPECT_EQ(count(n, url_, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(n.engine->get_queue_url({"gone", {}}).error().code, ErrorCode::kQueueDoesNotExist);
  EXPECT_EQ(n.engine->purge_queue({url_}).error().code, ErrorCode::kPurgeQueueInProgress);
}

TEST_F(DurabilityTest, FsyncFailure_RefusesWritesButServesReads) {
  auto n = open();
  ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
  ASSERT_TRUE(durable(*n.journal));
  env_.fail_next_sync();
  SendMessageRequest r;
  r.queue_url = url_;
  r.message_body = "lost?";
  ASSERT_TRUE(n.engine->send_message(r));
  EXPECT_FALSE(durable(*n.journal)) << "the client must not be told it is durable";
  auto again = n.engine->send_message(r);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_TRUE(n.engine->get_queue_attributes({url_, {"All"}}));
  EXPECT_TRUE(n.engine->list_queues({}));
}

TEST_F(DurabilityTest, Bodies_AreReadBackFromTheLog_WhenOverTheResidentBudget) {
  LogJournalOptions o;
  o.resident_body_budget = 0;
  auto n = open(o);
  ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
  std::string big(10'000, 'b');
  send(n, url_, big);
  send(n, url_, "small");
  auto got = receive(n, url_, 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body.size() + got[1].body.size(), big.size() + 5);
}

TEST_F(DurabilityTest, Compaction_ReclaimsDeadSegments_AndKeepsLiveMessages) {
  LogJournalOptions o;
  o.segment_bytes = 8 * 1024;
  o.resident_body_budget = 0;
  std::set<std::string> keep;
  {
    auto n = open(o);
    ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
    ASSERT_TRUE(durable(*n.journal));
    for (int i = 0; i < 400; ++i) send(n, url_, "message-" + std::to_string(i) + std::string(100, '.'));
    size_t before = n.journal->log()->list_segments().size();
    ASSERT_GT(before, 5u);
    // Consume everything but two messages.
    for (;;) {
      auto got = receive(n, url_, 10);
      if (got.empty()) break;
      for (auto& m : got) {
        if (keep.size() < 2 && m.body.rfind("message-1", 0) == 0) {
          keep.insert(m.body);
          continue;
        }
        ASSERT_TRUE(n.engine->delete_message({url_, m.receipt_handle}));
      }
      ASSERT_TRUE(durable(*n.journal));
    }
    ASSERT_EQ(keep.size(), 2u);
    int deleted = 0;
    for (int i = 0; i < 100; ++i) {
      auto r = n.journal->compact_once();
      ASSERT_TRUE(r) << r.error().to_string();
      if (!*r) break;
      ++deleted;
    }
    size_t after = n.journal->log()->list_segments().size();
    EXPECT_GT(deleted, 0);
    EXPECT_LE(after, 3u) << "disk use should track the live backlog";
    crash();
  }
  env_.restart();
  clock_.advance_ms(60'000);  // the two kept messages' visibility has long expired
  auto n = open(o);
  auto got = receive(n, url_, 10);
  std::set<std::string> bodies;
  for (auto& m : got) bodies.insert(m.body);
  EXPECT_EQ(bodies, keep);
}

TEST_F(DurabilityTest, FifoDeduplication_SurvivesRestart) {
  const std::string f = "http://h/000000000000/f.fifo";
  std::string first_id;
  {
    auto n = open();
    ASSERT_TRUE(n.engine->create_queue({"f.fifo", {{"FifoQueue", "true"}}, {}}));
    SendMessageRequest r;
    r.queue_url = f;
    r.message_body = "x";
    r.message_group_id = "g";
    r.message_deduplication_id = "d1";
    auto s = n.engine->send_message(r);
    ASSERT_TRUE(s);
    first_id = s->message_id;
    ASSERT_TRUE(durable(*n.journal));
    crash();
  }
  env_.restart();
  auto n = open();
  SendMessageRequest r;
  r.queue_url = f;
  r.message_body = "x";
  r.message_group_id = "g";
  r.message_deduplication_id = "d1";
  auto s = n.engine->send_message(r);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->message_id, first_id);
  EXPECT_EQ(count(n, f, "ApproximateNumberOfMessages"), "1");
}

}  // namespace
}  // namespace tern::engine

namespace tern::engine {
namespace {

// Regression: compaction re-appends a queue's snapshot at the head of the log while its
// messages' records may stay in the next segment, so replay met MessageSent records before the
// queue's only surviving snapshot and dropped them: the live messages vanished after a restart.
TEST_F(DurabilityTest, RecordsBeforeTheSurvivingSnapshot_AreAppliedWhenItArrives) {
  LogJournalOptions o;
  o.segment_bytes = 4 * 1024;
  o.resident_body_budget = 0;
  {
    auto n = open(o);
    ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
    ASSERT_TRUE(durable(*n.journal));
    send(n, url_, "keep-" + std::string(1500, 'k'));
    // Fill several segments with messages that are then deleted.
    for (int round = 0; round < 6; ++round) {
      for (int i = 0; i < 8; ++i) send(n, url_, "drop-" + std::string(300, 'd'));
      for (;;) {
        auto got = receive(n, url_, 10, 0);
        bool any = false;
        for (auto& m : got) {
          if (m.body.rfind("drop-", 0) == 0) {
            ASSERT_TRUE(n.engine->delete_message({url_, m.receipt_handle}));
            any = true;
          }
        }
        ASSERT_TRUE(durable(*n.journal));
        if (!any) break;
      }
      for (int i = 0; i < 10; ++i) {
        auto r = n.journal->compact_once();
        ASSERT_TRUE(r);
        if (!*r) break;
      }
    }
    crash();
  }
  env_.restart();
  auto n = open(o);
  auto got = receive(n, url_, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body.substr(0, 5), "keep-");
}

}  // namespace
}  // namespace tern::engine

namespace tern::engine {
namespace {

// Regression: the next sequence number was rebuilt only from surviving MessageSent records, so
// after the highest ones were deleted and compacted away a restart reused their seqs, and an old
// receipt handle (a retried DeleteMessage) could delete a different, new message.
TEST_F(DurabilityTest, SequenceNumbers_AreNotReusedAfterCompactionAndRestart) {
  LogJournalOptions o;
  o.segment_bytes = 4 * 1024;
  std::string old_handle;
  {
    auto n = open(o);
    ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
    ASSERT_TRUE(durable(*n.journal));
    for (int i = 0; i < 40; ++i) send(n, url_, "old-" + std::string(200, 'o'));
    for (;;) {
      auto got = receive(n, url_, 10, 0);
      if (got.empty()) break;
      for (auto& m : got) {
        old_handle = m.receipt_handle;
        ASSERT_TRUE(n.engine->delete_message({url_, m.receipt_handle}));
      }
      ASSERT_TRUE(durable(*n.journal));
    }
    for (int i = 0; i < 20; ++i) {
      auto r = n.journal->compact_once();
      ASSERT_TRUE(r);
      if (!*r) break;
    }
    crash();
  }
  env_.restart();
  auto n = open(o);
  for (int i = 0; i < 40; ++i) send(n, url_, "new");
  ASSERT_TRUE(n.engine->delete_message({url_, old_handle}));  // succeeds, as on AWS...
  ASSERT_TRUE(durable(*n.journal));
  EXPECT_EQ(count(n, url_, "ApproximateNumberOfMessages"), "40");  // ...but deletes nothing new
}

}  // namespace
}  // namespace tern::engine

namespace tern::engine {
namespace {

// The queue keeps only a 44-byte index entry per message once its record is durable (budget 0
// here); a receive and a peek read every other field back from the log record.
TEST_F(DurabilityTest, IndexOnlyMessages_AreReadBackWhole_ByReceiveAndPeek) {
  LogJournalOptions o;
  o.resident_body_budget = 0;
  Node n = open(o);
  ASSERT_TRUE(n.engine->create_queue({"q", {}, {}}));
  SendMessageRequest r;
  r.queue_url = url_;
  r.message_body = "whole";
  r.message_attributes["color"] = MessageAttributeValue{"String", "blue", {}, {}, {}};
  r.message_system_attributes["AWSTraceHeader"] =
      MessageAttributeValue{"String", "Root=1-5759e988-bd862e3fe1be46a994272793", {}, {}, {}};
  r.message_group_id = "g";
  r.sender_id = "AKIDSENDER";
  auto sent = n.engine->send_message(r);
  ASSERT_TRUE(sent);
  ASSERT_TRUE(durable(*n.journal));
  auto q = n.engine->all_queues().front();
  {
    std::lock_guard lock(q->mu);
    EXPECT_EQ(q->resident_body_bytes, 0);
    auto u = q->memory_use();
    EXPECT_EQ(u.entries, 1u);
    EXPECT_EQ(u.resident_copies, 0u) << "only the index entry is kept";
  }
  auto p = n.engine->peek_messages({"q", 0, 10, 0});
  ASSERT_TRUE(p);
  ASSERT_EQ(p->messages.size(), 1u);
  EXPECT_EQ(p->messages[0].message_id, sent->message_id);
  EXPECT_EQ(p->messages[0].body, "whole");
  EXPECT_EQ(p->messages[0].sender_id, "AKIDSENDER");
  EXPECT_EQ(p->messages[0].group_id, "g");
  EXPECT_EQ(p->messages[0].message_attributes.at("color").string_value, "blue");
  ReceiveMessageRequest rr;
  rr.queue_url = url_;
  rr.attribute_names = {"All"};
  rr.message_attribute_names = {"All"};
  auto got = n.engine->receive_message(rr);
  ASSERT_TRUE(got);
  ASSERT_TRUE(durable(*n.journal));
  ASSERT_EQ(got->messages.size(), 1u);
  const Message& m = got->messages[0];
  EXPECT_EQ(m.message_id, sent->message_id);
  EXPECT_EQ(m.md5_of_body, sent->md5_of_message_body);
  EXPECT_EQ(m.body, "whole");
  EXPECT_EQ(m.md5_of_message_attributes, sent->md5_of_message_attributes);
  EXPECT_EQ(m.message_attributes.at("color").string_value, "blue");
  std::map<std::string, std::string> attrs(m.attributes.begin(), m.attributes.end());
  EXPECT_EQ(attrs["SenderId"], "AKIDSENDER");
  EXPECT_EQ(attrs["MessageGroupId"], "g");
  EXPECT_EQ(attrs["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_EQ(attrs["SentTimestamp"], std::to_string(clock_.now_ms()));
  EXPECT_EQ(attrs["ApproximateFirstReceiveTimestamp"], std::to_string(clock_.now_ms()));
  EXPECT_EQ(attrs["ApproximateReceiveCount"], "1");
}

}  // namespace
}  // namespace tern::engine
