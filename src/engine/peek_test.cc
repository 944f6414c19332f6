// Engine::peek_messages and Engine::queue_stats: a peek shows messages in every state without
// changing them (visibility, receive counts, residency, the journal), pages in send order, and
// reads bodies kept in the log.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "engine/engine.h"

namespace tern::engine {
namespace {

// A journal that keeps bodies "in the log" (a map), so the engine drops them from memory, and
// counts every record written.
class SpyJournal final : public Journal {
 public:
  void queue_snapshot(Queue&) override { ++records; }
  void queue_deleted(Queue&) override { ++records; }
  void queue_purged(Queue&) override { ++records; }
  void message_sent(Queue&, MessageRecord& m) override {
    ++records;
    std::lock_guard lock(mu_);
    uint64_t offset = next_offset_++;
    bodies_[offset] = m.body;
    m.body_ref = BodyRef{1, offset, static_cast<uint32_t>(m.body.size())};
  }
  void message_received(Queue&, const MessageRecord&) override { ++records; }
  void message_deleted(Queue&, const MessageRecord&) override { ++records; }
  std::optional<std::string> read_body(const BodyRef& ref) override {
    ++body_reads;
    std::lock_guard lock(mu_);
    auto it = bodies_.find(ref.offset);
    if (it == bodies_.end()) return std::nullopt;
    return it->second;
  }
  uint64_t take_ticket() override { return 0; }
  void on_durable(uint64_t, std::function<void(bool)> done) override { done(true); }
  bool writable() const override { return true; }

  std::atomic<int> records{0};
  std::atomic<int> body_reads{0};

 private:
  std::mutex mu_;
  std::map<uint64_t, std::string> bodies_;
  uint64_t next_offset_ = 1;
};

class PeekTest : public ::testing::Test {
 protected:
  PeekTest() : engine_(make_options()) {}
  EngineOptions make_options() {
    EngineOptions o;
    o.clock = &clock_;
    o.base_url = "http://localhost:9324";
    o.journal = &journal_;
    return o;
  }
  std::string create(const std::string& name, AttributeMap attrs = {}) {
    auto r = engine_.create_queue({name, std::move(attrs), {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->queue_url : "";
  }
  std::string send(const std::string& url, const std::string& body,
                   std::optional<int64_t> delay = std::nullopt,
                   std::optional<std::string> group = std::nullopt) {
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = body;
    r.delay_seconds = delay;
    r.message_group_id = group;
    auto res = engine_.send_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    return res ? res->message_id : "";
  }
  std::vector<Message> receive(const std::string& url, int max, int64_t visibility) {
    ReceiveMessageRequest r;
    r.queue_url = url;
    r.max_number_of_messages = max;
    r.visibility_timeout = visibility;
    r.attribute_names = {"ApproximateReceiveCount"};
    auto res = engine_.receive_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    return res ? res->messages : std::vector<Message>{};
  }
  PeekResult peek(const std::string& name, uint64_t after = 0, size_t limit = 20,
                  size_t max_body = 0) {
    auto r = engine_.peek_messages({name, after, limit, max_body});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : PeekResult{};
  }
  std::string count(const std::string& url, const std::string& name) {
    auto r = engine_.get_queue_attributes({url, {name}});
    return r && !r->attributes.empty() ? r->attributes[0].second : "?";
  }

  ManualClock clock_;
  SpyJournal journal_;
  Engine engine_;
};

TEST_F(PeekTest, Peek_ChangesNoVisibilityReceiveCountOrJournal) {
  auto url = create("q");
  std::vector<std::string> ids = {send(url, "one"), send(url, "two"), send(url, "three")};
  const int records_before = journal_.records.load();
  for (int i = 0; i < 3; ++i) {
    auto p = peek("q");
    ASSERT_EQ(p.messages.size(), 3u);
    for (size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(p.messages[j].message_id, ids[j]);
      EXPECT_EQ(p.messages[j].state, PeekState::kVisible);
      EXPECT_EQ(p.messages[j].receive_count, 0);
      EXPECT_EQ(p.messages[j].first_receive_ms, 0);
    }
  }
  EXPECT_EQ(journal_.records.load(), records_before);
  EXPECT_EQ(count(url, "ApproximateNumberOfMessages"), "3");
  EXPECT_EQ(count(url, "ApproximateNumberOfMessagesNotVisible"), "0");
  // Every message is still receivable, for the first time.
  auto got = receive(url, 10, 30);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& m : got) {
    ASSERT_EQ(m.attributes.size(), 1u);
    EXPECT_EQ(m.attributes[0].second, "1");
  }
}

TEST_F(PeekTest, BodiesKeptInTheLog_AreReadBack_AndStayOutOfMemory) {
  auto url = create("q");
  send(url, "kept in the log");
  auto q = engine_.all_queues().front();
  {
    std::lock_guard lock(q->mu);
    ASSERT_EQ(q->resident_body_bytes, 0);
    q->for_each_message([](MessageRecord& m) { ASSERT_TRUE(m.body.empty()); });
  }
  auto p = peek("q");
  ASSERT_EQ(p.messages.size(), 1u);
  EXPECT_EQ(p.messages[0].body, "kept in the log");
  EXPECT_EQ(p.messages[0].body_bytes, 15u);
  EXPECT_EQ(journal_.body_reads.load(), 1);
  std::lock_guard lock(q->mu);
  q->for_each_message([](MessageRecord& m) {
    EXPECT_TRUE(m.body.empty());
    EXPECT_TRUE(m.body_ref.valid());
  });
}

TEST_F(PeekTest, InFlightAndDelayed_AreShownWithStateAndDeadline) {
  auto url = create("q");
  send(url, "received");
  auto got = receive(url, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  send(url, "delayed", 10);
  send(url, "ready");
  const int64_t t0 = clock_.now_ms();
  auto p = peek("q");
  ASSERT_EQ(p.messages.size(), 3u);
  EXPECT_EQ(p.total, 3u);
  EXPECT_EQ(p.messages[0].body, "received");
  EXPECT_EQ(p.messages[0].state, PeekState::kInFlight);
  EXPECT_EQ(p.messages[0].receive_count, 1);
  EXPECT_EQ(p.messages[0].first_receive_ms, t0);
  EXPECT_EQ(p.messages[0].visible_at_ms, t0 + 30'000);
  EXPECT_EQ(p.messages[1].state, PeekState::kDelayed);
  EXPECT_EQ(p.messages[1].visible_at_ms, t0 + 10'000);
  EXPECT_EQ(p.messages[2].state, PeekState::kVisible);
  EXPECT_EQ(p.messages[2].visible_at_ms, 0);
  EXPECT_STREQ(peek_state_name(p.messages[0].state), "in_flight");

  // Once the deadlines pass, a peek shows them visible although no operation applied the timers.
  clock_.advance_ms(30'000);
  p = peek("q");
  for (const auto& m : p.messages) EXPECT_EQ(m.state, PeekState::kVisible) << m.body;
  // The in-flight message was not re-received by the peek: its next receive is its second.
  got = receive(url, 10, 30);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& m : got) {
    EXPECT_EQ(m.attributes[0].second, m.body == "received" ? "2" : "1") << m.body;
  }
}

TEST_F(PeekTest, Pages_FollowSendOrder_AndSkipDeletedMessages) {
  auto url = create("q");
  for (int i = 0; i < 25; ++i) send(url, "m" + std::to_string(i));
  std::vector<std::string> seen;
  uint64_t after = 0;
  int pages = 0;
  for (;;) {
    auto p = peek("q", after, 10);
    ++pages;
    for (const auto& m : p.messages) seen.push_back(m.body);
    if (!p.next_after) break;
    EXPECT_EQ(*p.next_after, p.messages.back().seq);
    after = *p.next_after;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "m" + std::to_string(i));

  // A page of exactly the remaining messages has no next cursor.
  auto last = peek("q", 0, 25);
  EXPECT_EQ(last.messages.size(), 25u);
  EXPECT_FALSE(last.next_after);

  // Delete every second message: pages skip the holes.
  auto got = receive(url, 10, 30);
  for (size_t i = 0; i < got.size(); i += 2) {
    ASSERT_TRUE(engine_.delete_message({url, got[i].receipt_handle}));
  }
  auto p = peek("q", 0, 3);
  ASSERT_EQ(p.messages.size(), 3u);
  EXPECT_EQ(p.messages[0].body, "m1");
  EXPECT_EQ(p.messages[1].body, "m3");
  EXPECT_EQ(p.messages[2].body, "m5");
}

TEST_F(PeekTest, LongGapsOfDeletedSeqs_StillGiveTheRightPage) {
  // 600 sends, the first 590 deleted: probing seqs one by one would take 590 lookups, so the
  // peek falls back to one pass over the 10 live messages.
  auto url = create("q");
  for (int i = 0; i < 600; ++i) send(url, "m" + std::to_string(i));
  for (int round = 0; round < 59; ++round) {
    auto got = receive(url, 10, 30);
    ASSERT_EQ(got.size(), 10u);
    for (const auto& m : got) ASSERT_TRUE(engine_.delete_message({url, m.receipt_handle}));
  }
  auto p = peek("q", 0, 4);
  ASSERT_EQ(p.messages.size(), 4u);
  EXPECT_EQ(p.messages[0].body, "m590");
  EXPECT_EQ(p.messages[3].body, "m593");
  ASSERT_TRUE(p.next_after);
  p = peek("q", *p.next_after, 10);
  ASSERT_EQ(p.messages.size(), 6u);
  EXPECT_EQ(p.messages[0].body, "m594");
  EXPECT_EQ(p.messages[5].body, "m599");
  EXPECT_FALSE(p.next_after);
  EXPECT_TRUE(peek("q", p.messages.back().seq, 10).messages.empty());
}

TEST_F(PeekTest, Fifo_ShowsGroupDedupIdAndSequenceNumber_InSendOrder) {
  auto url = create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send(url, "a1", std::nullopt, "A");
  send(url, "b1", std::nullopt, "B");
  send(url, "a2", std::nullopt, "A");
  auto got = receive(url, 1, 30);  // takes a1 and blocks group A
  ASSERT_EQ(got.size(), 1u);
  auto p = peek("f.fifo");
  ASSERT_EQ(p.messages.size(), 3u);
  EXPECT_EQ(p.messages[0].body, "a1");
  EXPECT_EQ(p.messages[0].state, PeekState::kInFlight);
  EXPECT_EQ(p.messages[1].body, "b1");
  EXPECT_EQ(p.messages[1].group_id, "B");
  EXPECT_EQ(p.messages[2].body, "a2");
  EXPECT_EQ(p.messages[2].group_id, "A");
  // a2 waits behind a1 but is not in flight itself: its state is visible.
  EXPECT_EQ(p.messages[2].state, PeekState::kVisible);
  ASSERT_TRUE(p.messages[0].sequence_number);
  ASSERT_TRUE(p.messages[1].sequence_number);
  EXPECT_LT(*p.messages[0].sequence_number, *p.messages[1].sequence_number);
  ASSERT_TRUE(p.messages[1].deduplication_id);
  EXPECT_EQ(p.messages[1].deduplication_id->size(), 64u);  // SHA-256 of the body
  // The group is still blocked: the next receive gets b1 and not a2.
  got = receive(url, 10, 30);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "b1");
}

TEST_F(PeekTest, LongBodies_AreCutAtACharacterBoundary) {
  auto url = create("q");
  send(url, "ab\xC3\xA9" "cd");  // "abécd": é is two bytes at offsets 2-3
  auto p = peek("q", 0, 20, 3);
  ASSERT_EQ(p.messages.size(), 1u);
  EXPECT_EQ(p.messages[0].body, "ab");
  EXPECT_TRUE(p.messages[0].body_truncated);
  EXPECT_EQ(p.messages[0].body_bytes, 6u);
  p = peek("q", 0, 20, 4);
  EXPECT_EQ(p.messages[0].body, "ab\xC3\xA9");
  p = peek("q", 0, 20, 6);
  EXPECT_FALSE(p.messages[0].body_truncated);
  EXPECT_EQ(p.messages[0].body, "ab\xC3\xA9" "cd");
}

TEST_F(PeekTest, AttributesSenderAndSentTime_AreShown) {
  auto url = create("q");
  SendMessageRequest r;
  r.queue_url = url;
  r.message_body = "with attributes";
  r.message_attributes["color"] = MessageAttributeValue{"String", "blue", {}, {}, {}};
  r.sender_id = "AKIDSENDER";
  ASSERT_TRUE(engine_.send_message(r));
  auto p = peek("q");
  ASSERT_EQ(p.messages.size(), 1u);
  const auto& m = p.messages[0];
  EXPECT_EQ(m.sender_id, "AKIDSENDER");
  EXPECT_EQ(m.sent_ms, clock_.now_ms());
  ASSERT_EQ(m.message_attributes.count("color"), 1u);
  EXPECT_EQ(m.message_attributes.at("color").string_value, "blue");
  EXPECT_EQ(m.md5_of_body.size(), 32u);
}

TEST_F(PeekTest, MessagesPastRetention_AreNotShown) {
  auto url = create("q", {{"MessageRetentionPeriod", "60"}});
  send(url, "old");
  clock_.advance_ms(30'000);
  send(url, "new");
  clock_.advance_ms(31'000);
  auto p = peek("q");
  ASSERT_EQ(p.messages.size(), 1u);
  EXPECT_EQ(p.messages[0].body, "new");
}

TEST_F(PeekTest, BadLimitOrUnknownQueue_AreErrors) {
  create("q");
  auto r = engine_.peek_messages({"q", 0, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  r = engine_.peek_messages({"q", 0, kMaxPeekLimit + 1, 0});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  r = engine_.peek_messages({"missing", 0, 10, 0});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kQueueDoesNotExist);
  EXPECT_TRUE(engine_.peek_messages({"q", 0, kMaxPeekLimit, 0}));
}

TEST_F(PeekTest, QueueStats_CountEveryStateAndMessagesIn) {
  auto dlq = create("dlq");
  auto url = create("src", {{"RedrivePolicy",
                             R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"})"}});
  send(url, "a");
  send(url, "b");
  send(url, "c", 60);
  ASSERT_EQ(receive(url, 1, 30).size(), 1u);
  auto stats = engine_.queue_stats();
  ASSERT_EQ(stats.size(), 2u);
  const QueueStats& d = stats[0].name == "dlq" ? stats[0] : stats[1];
  const QueueStats& s = stats[0].name == "src" ? stats[0] : stats[1];
  EXPECT_EQ(s.visible, 1);
  EXPECT_EQ(s.in_flight, 1);
  EXPECT_EQ(s.delayed, 1);
  EXPECT_EQ(s.entered, 3u);
  EXPECT_EQ(s.dead_letter_target_arn, "arn:aws:sqs:us-east-1:000000000000:dlq");
  EXPECT_EQ(s.max_receive_count, 3);
  EXPECT_EQ(s.url, url);
  EXPECT_FALSE(s.fifo);
  EXPECT_EQ(d.entered, 0u);
  EXPECT_FALSE(d.dead_letter_target_arn);
  // Due timers count as what a consumer sees: after 60 s all three are visible.
  clock_.advance_ms(60'000);
  stats = engine_.queue_stats();
  const QueueStats& s2 = stats[0].name == "src" ? stats[0] : stats[1];
  EXPECT_EQ(s2.visible, 3);
  EXPECT_EQ(s2.in_flight, 0);
  EXPECT_EQ(s2.delayed, 0);
}

}  // namespace
}  // namespace tern::engine
