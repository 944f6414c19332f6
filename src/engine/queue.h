#pragma once
// Queue: the state of one SQS queue (standard or FIFO) and the operations on it.
//
// Messages live in a hash map by sequence number. Three index structures point into it: the
// ready list (standard) or the per-group lists (FIFO), one min-heap of deadlines for delayed and
// in-flight messages (visibility expiry and delay share it), and an age list in send order for
// retention. Index entries carry the message's epoch; a state change bumps the epoch, so stale
// entries are skipped when met instead of being searched for (no scans on the hot path).
// Timers are processed lazily: every operation first moves what is due at `now`.
//
// Thread-safety: a Queue is not internally synchronized; the Engine holds `mu` around every call.

#include <cstdint>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/api.h"
#include "engine/queue_config.h"
#include "engine/stats.h"
#include "engine/waiter.h"

namespace tern::engine {

enum class MessageState : uint8_t { kDelayed, kReady, kInFlight };

// Where a message's body lives in the durable log (segment, offset of its record, length).
struct BodyRef {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
  bool valid() const { return length != 0; }
};

struct MessageRecord {
  uint64_t seq = 0;
  std::string message_id;
  std::string body;  // empty when the journal keeps it in the log (body_ref)
  BodyRef body_ref;
  std::string md5_of_body;
  std::shared_ptr<const MessageAttributes> attributes;  // null when the message has none
  std::optional<std::string> md5_of_message_attributes;
  std::optional<std::string> trace_header;
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
  std::optional<std::string> dead_letter_source_arn;
  std::string sender_id;
  int64_t sent_ms = 0;
  int64_t first_receive_ms = 0;
  int64_t visible_at_ms = 0;  // delayed: when it becomes visible; in flight: when it returns
  int64_t received_ms = 0;    // time of the receive that issued the current handle
  int32_t receive_count = 0;
  uint32_t epoch = 0;
  MessageState state = MessageState::kReady;
};

// What a receipt handle names: which queue incarnation, which message, which receive.
struct ReceiptHandle {
  uint64_t queue_uid = 0;
  uint64_t seq = 0;
  uint32_t receive_count = 0;
};
std::string encode_receipt_handle(const ReceiptHandle& h);
std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text);

inline constexpr int64_t kTakeAll = -1;

struct Queue : std::enable_shared_from_this<Queue> {
  // uid 0 picks a random incarnation id (recovery passes the journaled one).
  Queue(std::string name, std::string arn, std::string url, QueueConfig config, int64_t now_ms,
        uint64_t uid = 0);

  std::mutex mu;
  const std::string name;
  const std::string arn;
  const std::string url;
  const uint64_t uid;  // distinguishes incarnations of the same name (old handles are invalid)
  QueueConfig config;
  TagMap tags;
  int64_t created_s;
  int64_t last_modified_s;
  int64_t last_purge_ms = -1;
  bool deleted = false;
  // Bytes of bodies kept in memory although the log has them (LogJournal's budget).
  int64_t resident_body_bytes = 0;
  // Monitoring counters (engine/stats.h): written under mu, readable without it.
  QueueCounters counters;

  // Moves delayed and in-flight messages that are due at `now` to ready, and drops messages
  // past the retention period.
  void process_due(int64_t now_ms);

  // Adds a message; assigns seq unless rec.seq was reserved. Returns the record.
  MessageRecord& add(MessageRecord rec, int64_t delay_s, int64_t now_ms);
  // Reserves a sequence number without the queue's lock, so that a message moving here from
  // another queue can be journaled (under the source's lock) before it is added.
  uint64_t reserve_seq() { return next_seq_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t next_seq() const { return next_seq_.load(std::memory_order_relaxed); }
  // Recovery: never hand out a seq below `seq`.
  void raise_next_seq(uint64_t seq);
  // Recovery: re-adds a journaled message with its own seq, visible at rec.visible_at_ms (or now).
  MessageRecord& restore(MessageRecord rec, int64_t now_ms);
  // Recovery: rebuilds the ordered indices (ready list, groups, age list) in sequence order, since
  // compaction may have re-journaled old messages after newer ones.
  void finish_restore();
  // Calls f(record) for every message (recovery bookkeeping, compaction).
  template <class F>
  void for_each_message(F&& f) {
    for (auto& [seq, m] : messages_) f(m);
  }

  // Takes up to `max` ready messages, makes them in flight for `visibility_s` and increments
  // their receive counts. Messages whose new receive count exceeds `move_after` (when > 0) are
  // removed and appended to `moved` instead (dead-letter redrive). With move_after == kTakeAll
  // every message taken is removed into `moved` (message move tasks).
  void receive(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
               std::vector<MessageRecord*>& out, std::vector<MessageRecord>& moved);

  MessageRecord* find(uint64_t seq);
  void erase(uint64_t seq);
  // Sets an in-flight (or expired, for standard queues) message's visibility deadline.
  void set_visibility(MessageRecord& m, int64_t visible_at_ms, int64_t now_ms);
  void purge();

  // Earliest pending deadline (delay or visibility), or INT64_MAX.
  int64_t next_due_ms() const;

  // Registers a long poll. Expired registrations (polls that timed out) are pruned here, so the
  // list stays proportional to the live pollers even when no message is ever sent.
  void add_waiter(const std::shared_ptr<Waiter>& w);
  // Wakes up to `n` registered waiters.
  void wake(size_t n);
  void wake_all();

  size_t ready_count() const { return ready_count_; }
  size_t inflight_count() const { return inflight_count_; }
  size_t delayed_count() const { return delayed_count_; }
  size_t size() const { return messages_.size(); }
  // Send time of the message at the head of the retention order, or -1 when there is none.
  int64_t oldest_sent_ms() const;

  // FIFO deduplication: returns the remembered send for this key, if still in its window.
  struct DedupEntry {
    std::string message_id;
    std::string sequence_number;
    int64_t expires_ms;
  };
  const DedupEntry* find_dedup(const std::string& key, int64_t now_ms);
  void remember_dedup(const std::string& key, DedupEntry e);

  // FIFO receive-request-attempt memory.
  struct Attempt {
    std::vector<std::pair<uint64_t, uint32_t>> messages;  // seq, epoch after the receive
    int64_t expires_ms;
  };
  std::unordered_map<std::string, Attempt> attempts;

  std::string sequence_number(uint64_t seq) const;

 private:
  struct Deadline {
    int64_t at_ms;
    uint64_t seq;
    uint32_t epoch;
    bool operator>(const Deadline& o) const { return at_ms > o.at_ms; }
  };
  struct Ref {
    uint64_t seq;
    uint32_t epoch;
  };
  struct Group {
    std::deque<uint64_t> pending;  // undeleted messages of the group, in send order
    int inflight = 0;
    bool queued = false;  // listed in ready_groups_
  };

  void forget_resident(const MessageRecord& m);
  bool expired(const MessageRecord& m, int64_t now_ms) const {
    return m.sent_ms + config.message_retention_period * 1000 <= now_ms;
  }
  void make_ready(MessageRecord& m);
  void leave_state(MessageRecord& m);
  void enter_inflight(MessageRecord& m, int64_t until_ms);
  void maybe_compact_deadlines();
  void receive_standard(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                        std::vector<MessageRecord*>& out, std::vector<MessageRecord>& moved);
  void receive_fifo(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                    std::vector<MessageRecord*>& out, std::vector<MessageRecord>& moved);
  void queue_group(const std::string& gid, Group& g);
  void group_unblock_check(const std::string& gid);

  std::atomic<uint64_t> next_seq_{1};
  std::unordered_map<uint64_t, MessageRecord> messages_;
  std::deque<Ref> ready_;  // standard queues
  std::unordered_map<std::string, Group> groups_;  // FIFO queues
  std::deque<std::string> ready_groups_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::deque<std::pair<uint64_t, int64_t>> by_age_;  // seq, sent_ms
  size_t ready_count_ = 0, inflight_count_ = 0, delayed_count_ = 0;
  std::deque<std::weak_ptr<Waiter>> waiters_;
  size_t waiter_sweep_at_ = 64;
  std::unordered_map<std::string, DedupEntry> dedup_;
  std::deque<std::pair<std::string, int64_t>> dedup_order_;
};

}  // namespace tern::engine
