// Unit tests of Queue's compact index: the per-message entry, resident copies, the chunk ring
// with its overflow map, recovery in any order, and the FIFO deduplication table.
#include "engine/queue.h"

#include <gtest/gtest.h>

#include <set>

namespace tern::engine {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::shared_ptr<Queue> make_queue(bool fifo = false) {
  QueueConfig c;
  c.fifo = fifo;
  return std::make_shared<Queue>(fifo ? "q.fifo" : "q", "arn:aws:sqs:us-east-1:000000000000:q",
                                 "http://h/000000000000/q", c, kNow);
}

MessageRecord plain(std::string body, uint64_t seq = 0) {
  MessageRecord r;
  r.seq = seq;
  r.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  r.md5_of_body = "0123456789abcdef0123456789abcdef";
  r.body = std::move(body);
  r.sender_id = "000000000000";
  return r;
}

BodyRef ref_for(uint64_t seq) { return BodyRef{7, static_cast<uint32_t>(seq * 100), 300}; }

size_t receive_all(Queue& q, int64_t now, int64_t vis = 30) {
  size_t n = 0;
  for (;;) {
    std::vector<Queue::Taken> got;
    std::vector<MessageRecord> moved;
    q.receive(10, vis, now, 0, got, moved);
    if (got.empty()) return n;
    n += got.size();
  }
}

TEST(QueueIndex, ResidentCopy_RoundTripsEveryField) {
  auto q = make_queue();
  MessageRecord r = plain("hello");
  r.message_id = "Not-A-Uuid";  // kept as it is, through the rare-fields block
  r.md5_of_body = "5d41402abc4b2a76b9719d911017c592";
  auto attrs = std::make_shared<MessageAttributes>();
  (*attrs)["a"] = MessageAttributeValue{"String", std::string("x"), std::nullopt, {}, {}};
  r.attributes = attrs;
  r.md5_of_message_attributes = "ffffffffffffffffffffffffffffffff";
  r.trace_header = "Root=1-abc";
  r.group_id = "g1";  // a standard queue keeps a MessageGroupId per message
  r.deduplication_id = std::nullopt;
  r.dead_letter_source_arn = "arn:aws:sqs:us-east-1:000000000000:src";
  r.sender_id = "AIDAEXAMPLE";
  r.sent_ms = kNow - 5;
  std::lock_guard lock(q->mu);
  MessageEntry& e = q->add(r, 0, kNow);
  EXPECT_TRUE(e.resident());
  MessageRecord m = q->materialize(1, e);
  EXPECT_EQ(m.seq, 1u);
  EXPECT_EQ(m.message_id, "Not-A-Uuid");
  EXPECT_EQ(m.md5_of_body, r.md5_of_body);
  EXPECT_EQ(m.body, "hello");
  ASSERT_TRUE(m.attributes);
  EXPECT_EQ(m.attributes->at("a").string_value, "x");
  EXPECT_EQ(m.md5_of_message_attributes, r.md5_of_message_attributes);
  EXPECT_EQ(m.trace_header, r.trace_header);
  EXPECT_EQ(m.group_id, r.group_id);
  EXPECT_EQ(m.deduplication_id, std::nullopt);
  EXPECT_EQ(m.dead_letter_source_arn, r.dead_letter_source_arn);
  EXPECT_EQ(m.sender_id, "AIDAEXAMPLE");
  EXPECT_EQ(m.sent_ms, kNow - 5);
  EXPECT_EQ(m.first_receive_ms, 0);
  EXPECT_FALSE(m.body_ref.valid());
}

TEST(QueueIndex, LoggedMessage_KeepsOnlyItsIndexEntry_AndTimesStayExactToTheMillisecond) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  q->add(plain(std::string(256, 'x')), 0, kNow);
  q->attach_ref(1, ref_for(1), /*budget=*/0);
  std::vector<Queue::Taken> got;
  std::vector<MessageRecord> moved;
  q->receive(1, 30, kNow + 1234, 0, got, moved);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].entry->resident());
  MessageRecord m = q->materialize(got[0].seq, *got[0].entry);
  EXPECT_TRUE(m.message_id.empty()) << "the id is read back from the log";
  EXPECT_TRUE(m.body.empty());
  EXPECT_EQ(m.body_ref.segment, 7u);
  EXPECT_EQ(m.body_ref.offset, 100u);
  EXPECT_EQ(m.sent_ms, kNow);
  EXPECT_EQ(m.first_receive_ms, kNow + 1234);
  EXPECT_EQ(m.received_ms, kNow + 1234);
  EXPECT_EQ(m.receive_count, 1);
}

TEST(QueueIndex, ResidentBudget_KeepsCopiesUpToItsBytes_ThenDropsThem) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  for (int i = 0; i < 10; ++i) q->add(plain(std::string(100, 'x')), 0, kNow);
  for (uint64_t s = 1; s <= 10; ++s) q->attach_ref(s, ref_for(s), /*budget=*/3 * (64 + 100));
  EXPECT_EQ(q->resident_body_bytes, 3 * (64 + 100));
  EXPECT_EQ(q->memory_use().resident_copies, 3u);
  q->erase(1);
  EXPECT_EQ(q->resident_body_bytes, 2 * (64 + 100));
}

// Regression: a dead-letter move journals the message for its target under the source's lock
// and adds it to the target afterwards. When the record became durable in between, the
// callback did not find the message and its log position was never set: its body stayed
// resident, and compaction (which only sees messages with a position) could delete the segment
// that held its only send record, losing it at the next restart.
TEST(QueueIndex, AttachRef_BeforeTheAdd_IsAppliedWhenTheMessageArrives) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  const uint64_t seq = q->reserve_seq();
  q->attach_ref(seq, ref_for(seq), /*budget=*/0);
  MessageRecord r = plain("moved");
  r.seq = seq;
  MessageEntry& e = q->add(r, 0, kNow);
  EXPECT_FALSE(e.resident()) << "over the budget: the copy is dropped once the log has it";
  MessageRecord m = q->materialize(seq, e);
  EXPECT_EQ(m.body_ref.offset, ref_for(seq).offset);
  int with_ref = 0;
  q->for_each_ref([&](uint64_t, const BodyRef& ref) { with_ref += ref.valid(); });
  EXPECT_EQ(with_ref, 1);
}

TEST(QueueIndex, IndexBytes_StayUnder56PerMessage_WhenBodiesAreInTheLog) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  constexpr int kN = 100'000;
  for (int i = 0; i < kN; ++i) q->add(plain(std::string(256, 'x')), 0, kNow);
  for (uint64_t s = 1; s <= kN; ++s) q->attach_ref(s, ref_for(s), 0);
  auto u = q->memory_use();
  EXPECT_EQ(u.entries, static_cast<size_t>(kN));
  EXPECT_EQ(u.resident_copies, 0u);
  EXPECT_LE(u.index_bytes, 56u * kN);
}

TEST(QueueIndex, AnOldStraggler_DoesNotPinTheChunksSentAfterIt) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  constexpr int kN = 100'000;
  for (int i = 0; i < kN; ++i) q->add(plain("m"), 0, kNow);
  {  // the oldest message is received and never deleted (a poison message)
    std::vector<Queue::Taken> got;
    std::vector<MessageRecord> moved;
    q->receive(1, 3600, kNow, 0, got, moved);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].seq, 1u);
  }
  EXPECT_EQ(receive_all(*q, kNow), static_cast<size_t>(kN - 1));
  for (uint64_t s = 2; s <= kN; ++s) q->erase(s);  // the others are consumed
  for (int i = 0; i < 1000; ++i) q->add(plain("n"), 0, kNow);
  q->process_due(kNow);
  EXPECT_EQ(q->size(), 1001u);
  EXPECT_EQ(receive_all(*q, kNow), 1000u);
  // 11 chunks of 4 KiB and the deadlines of 1001 messages in flight, not 1076 chunks.
  EXPECT_LT(q->memory_use().index_bytes, 100'000u) << "the ring follows the live messages";
  ASSERT_NE(q->find(1), nullptr);
  EXPECT_EQ(q->find(1)->state(), MessageState::kInFlight);
  q->process_due(kNow + 3600 * 1000);  // every visibility ends
  EXPECT_EQ(receive_all(*q, kNow + 3600 * 1000), 1001u);
}

TEST(QueueIndex, Retention_DropsExpiredMessages_InTheRingAndInOverflow) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  const int64_t retention_ms = q->config.message_retention_period * 1000;
  for (int i = 0; i < 1000; ++i) q->add(plain("old"), 0, kNow);
  for (uint64_t s = 1; s <= 1000; ++s) {  // keep a sparse few of the old ones
    if (s % 50 != 1) q->erase(s);
  }
  for (int i = 0; i < 2000; ++i) q->add(plain("new"), 0, kNow + retention_ms / 2);
  q->process_due(kNow + retention_ms / 2);  // the sparse old chunks empty into overflow
  EXPECT_EQ(q->size(), 2020u);
  q->process_due(kNow + retention_ms);
  EXPECT_EQ(q->size(), 2000u) << "the 20 old ones are past retention";
  EXPECT_EQ(receive_all(*q, kNow + retention_ms), 2000u);
  q->process_due(kNow + retention_ms / 2 + retention_ms);
  EXPECT_EQ(q->size(), 0u);
}

TEST(QueueIndex, Restore_InAnyOrderWithLargeGaps_KeepsEveryMessage_InSeqOrder) {
  auto q = make_queue();
  std::lock_guard lock(q->mu);
  std::vector<uint64_t> seqs;
  for (uint64_t s = 1'000'000'000; s < 1'000'000'000 + 5000; ++s) seqs.push_back(s);
  seqs.insert(seqs.begin(), 5);           // an old message met first
  seqs.push_back(7);                      // compaction copies of old messages met last
  seqs.push_back(3);
  seqs.push_back(500'000);
  for (uint64_t s : seqs) {
    MessageRecord r = plain("", s);
    r.body_ref = ref_for(s);
    r.sent_ms = kNow;
    q->restore(std::move(r), kNow);
  }
  q->finish_restore();
  EXPECT_EQ(q->size(), seqs.size());
  EXPECT_LT(q->memory_use().index_bytes, 64u * seqs.size());
  for (uint64_t s : seqs) ASSERT_NE(q->find(s), nullptr) << s;
  EXPECT_GT(q->next_seq(), 1'000'000'000u + 4999);
  std::vector<uint64_t> order;
  for (;;) {
    std::vector<Queue::Taken> got;
    std::vector<MessageRecord> moved;
    q->receive(10, 30, kNow, 0, got, moved);
    if (got.empty()) break;
    for (auto& t : got) order.push_back(t.seq);
  }
  std::vector<uint64_t> sorted = seqs;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted) << "after recovery the ready list is in seq order";
}

TEST(QueueIndex, FifoGroups_AreForgottenWhenEmpty_AndTheirSlotsReused) {
  auto q = make_queue(/*fifo=*/true);
  std::lock_guard lock(q->mu);
  for (int round = 0; round < 3; ++round) {
    for (int g = 0; g < 100; ++g) {
      MessageRecord r = plain("m");
      r.group_id = "g" + std::to_string(round) + "-" + std::to_string(g);
      q->add(r, 0, kNow);
    }
    std::vector<uint64_t> seqs;
    for (int i = 0; i < 20; ++i) {
      std::vector<Queue::Taken> got;
      std::vector<MessageRecord> moved;
      q->receive(10, 30, kNow, 0, got, moved);
      for (auto& t : got) seqs.push_back(t.seq);
    }
    ASSERT_EQ(seqs.size(), 100u);
    for (uint64_t s : seqs) q->erase(s);
    q->process_due(kNow);
    EXPECT_EQ(q->size(), 0u);
  }
  EXPECT_LT(q->memory_use().index_bytes, 100 * 200u) << "100 group slots at most, reused";
}

TEST(QueueIndex, FifoDeduplication_ExpiredEntryIsNoHit_AndTheTableEmptiesInOrder) {
  auto q = make_queue(/*fifo=*/true);
  std::lock_guard lock(q->mu);
  q->remember_dedup("a", "5fea7756-0ea4-451a-a703-a558b933e274", 1, kNow + 10);
  q->remember_dedup("b", "odd-id", 2, kNow + 20);
  auto hit = q->find_dedup("b", kNow);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->message_id, "odd-id");
  EXPECT_EQ(hit->seq, 2u);
  ASSERT_TRUE(q->find_dedup("a", kNow + 9));
  EXPECT_EQ(q->find_dedup("a", kNow + 9)->message_id, "5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_FALSE(q->find_dedup("a", kNow + 10));
  q->process_due(kNow + 10);
  EXPECT_EQ(q->memory_use().dedup_entries, 1u);
  q->remember_dedup("a", "5fea7756-0ea4-451a-a703-a558b933e274", 3, kNow + 40);
  q->process_due(kNow + 20);
  EXPECT_EQ(q->memory_use().dedup_entries, 1u);
  EXPECT_EQ(q->find_dedup("a", kNow + 20)->seq, 3u);
  q->process_due(kNow + 40);
  EXPECT_EQ(q->memory_use().dedup_entries, 0u);
}

}  // namespace
}  // namespace tern::engine
