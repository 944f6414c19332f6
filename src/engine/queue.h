#pragma once
// Queue: the state of one SQS queue (standard or FIFO) and the operations on it.
//
// The index. Every message is one 44-byte Entry (MessageEntry) in a ring of fixed-size chunks
// indexed by sequence number (seqs are handed out in order per queue, so position = seq and the
// seq itself is not stored). An entry holds only what the queue needs to schedule the message:
// state, epoch, receive count, sent time (retention), first-receive and current-receive times
// as millisecond offsets from the sent time, and where the message is: either the position of
// its MessageSent record in the durable log (segment, offset, length), or a pointer to a
// resident copy (ResidentMessage: body, id and digests as raw bytes, rare fields behind one
// pointer) while the log does not hold it yet, while the queue's resident budget allows, or
// always when there is no log. Everything else (MessageId, MD5s, SenderId, attributes, trace
// header, deduplication id, dead-letter source) is read back from the log record with the body
// when a message is received. Chunks whose messages are mostly gone are emptied into a small
// ordered overflow map, so an old straggler does not pin the chunks sent after it.
//
// Three further index structures point into the entries: the ready list (standard: seq + low
// epoch bits, 8 bytes) or the per-group lists (FIFO), one min-heap of deadlines for delayed and
// in-flight messages (visibility expiry and delay share it), and the ring order itself, which
// is send order, for retention. Index entries carry the message's epoch; a state change bumps
// the epoch, so stale entries are skipped when met instead of being searched for (no scans on
// the hot path). Timers are processed lazily: every operation first moves what is due at `now`.
//
// Pointers to entries (MessageEntry*) stay valid until the next process_due() or purge(): only
// those move or free entries (chunks are emptied or released there).
//
// Thread-safety: a Queue is not internally synchronized; the Engine holds `mu` around every call.

#include <cstdint>
#include <atomic>
#include <cstring>
#include <deque>
#include <map>
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

// Where a message's MessageSent record lives in the durable log (segment, offset of its record,
// payload length). The index keeps the offset in 32 bits (LogJournal's segments are at most
// 4 GiB); a ref whose offset does not fit is not taken: the message stays resident.
struct BodyRef {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
  bool valid() const { return length != 0; }
  bool indexable() const { return offset <= UINT32_MAX; }
};

// A whole message, as sent, journaled, recovered and delivered. Transient: the queue keeps a
// MessageEntry per message, not this; Queue::materialize() and Engine::hydrate() rebuild it.
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

struct ResidentMessage;  // queue.cc

// One message in the queue's index: 44 bytes, 4-byte aligned (the 64-bit fields are stored as
// two words). The sequence number is the entry's position in the ring.
class MessageEntry {
 public:
  static constexpr uint32_t kEpochMask = (1u << 28) - 1;

  MessageState state() const { return static_cast<MessageState>((bits_ >> 28) & 3); }
  // 28 bits, wrapping: compared only against copies taken from the same entry.
  uint32_t epoch() const { return bits_ & kEpochMask; }
  int32_t receive_count() const { return static_cast<int32_t>(receive_count_); }
  int64_t sent_ms() const { return get64(sent_); }
  // 0 when never received (as in MessageRecord).
  int64_t first_receive_ms() const;
  // Time of the receive that issued the current handle.
  int64_t received_ms() const { return sent_ms() + received_; }
  bool resident() const { return (bits_ & kResident) != 0; }

 private:
  friend struct Queue;
  static constexpr uint32_t kResident = 1u << 30;
  static constexpr uint32_t kLive = 1u << 31;
  static constexpr int32_t kNever = INT32_MIN;

  static int64_t get64(const uint32_t (&w)[2]) {
    int64_t v;
    std::memcpy(&v, w, 8);
    return v;
  }
  static void set64(uint32_t (&w)[2], int64_t v) { std::memcpy(w, &v, 8); }
  bool live() const { return (bits_ & kLive) != 0; }
  void set_state(MessageState s) {
    bits_ = (bits_ & ~(3u << 28)) | (static_cast<uint32_t>(s) << 28);
  }
  void bump_epoch() { bits_ = (bits_ & ~kEpochMask) | ((bits_ + 1) & kEpochMask); }
  ResidentMessage* resident_copy() const {
    ResidentMessage* p;
    std::memcpy(&p, where_, sizeof p);
    return p;
  }
  void set_resident(ResidentMessage* p) {
    std::memcpy(where_, &p, sizeof p);
    offset_ = length_ = 0;
    bits_ |= kResident;
  }
  void set_logged(const BodyRef& r) {  // REQUIRES: r.indexable()
    set64(where_, static_cast<int64_t>(r.segment));
    offset_ = static_cast<uint32_t>(r.offset);
    length_ = r.length;
    bits_ &= ~kResident;
  }
  BodyRef logged_ref() const {
    return BodyRef{static_cast<uint64_t>(get64(where_)), offset_, length_};
  }
  void set_sent(int64_t ms) { set64(sent_, ms); }
  void set_first_receive(int64_t ms);
  void set_received(int64_t ms);

  uint32_t where_[2] = {0, 0};  // segment id of the log record, or the ResidentMessage*
  uint32_t offset_ = 0;         // offset of the log record (when not resident)
  uint32_t length_ = 0;         // payload length of the log record (when not resident)
  uint32_t sent_[2] = {0, 0};   // sent time, ms
  int32_t first_receive_ = kNever;  // ms after sent
  int32_t received_ = 0;            // ms after sent
  uint32_t receive_count_ = 0;
  uint32_t bits_ = 0;   // epoch (28) | state (2) | resident (1) | live (1)
  uint32_t group_ = 0;  // FIFO: index of the message's group
};
static_assert(sizeof(MessageEntry) == 44 && alignof(MessageEntry) == 4);

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
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

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
  // Bytes held by resident copies of messages that the log already has (the ones
  // LogJournal's budget keeps: body plus header and rare fields).
  int64_t resident_body_bytes = 0;
  // Monitoring counters (engine/stats.h): written under mu, readable without it.
  QueueCounters counters;

  // Moves delayed and in-flight messages that are due at `now` to ready, drops messages past
  // the retention period, and tidies the index (the only place entries move: see above).
  void process_due(int64_t now_ms);

  // Adds a message; assigns seq unless rec.seq was reserved. Its body and other static fields
  // stay resident until attach_ref(). When rec.body_ref is already valid, the log has the
  // message: with `index_only` (a journal that keeps_whole_messages()) only the index entry is
  // kept, otherwise its fields and whatever body rec still carries.
  MessageEntry& add(MessageRecord rec, int64_t delay_s, int64_t now_ms, bool index_only = true);
  // Reserves a sequence number without the queue's lock, so that a message can be journaled
  // (moves: under the source's lock) before it is added.
  uint64_t reserve_seq() { return next_seq_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t next_seq() const { return next_seq_.load(std::memory_order_relaxed); }
  // Recovery: never hand out a seq below `seq`.
  void raise_next_seq(uint64_t seq);
  // Recovery: re-adds a journaled message with its own seq, visible at rec.visible_at_ms (or now).
  // With a valid rec.body_ref only the index entry is kept.
  MessageEntry& restore(MessageRecord rec, int64_t now_ms);
  // Recovery: a MessageReceived record.
  void restore_received(uint64_t seq, int32_t receive_count, int64_t first_receive_ms);
  // Recovery: rebuilds the ordered indices (ring, ready list, groups) in sequence order, since
  // compaction may have re-journaled old messages after newer ones.
  void finish_restore();

  // The log holds message `seq`'s MessageSent record at `ref` (it is durable). The resident copy
  // is dropped unless keeping it leaves resident_body_bytes within `budget`. A message not added
  // yet (a move journaled before its add) gets the ref when it is added.
  void attach_ref(uint64_t seq, const BodyRef& ref, int64_t budget);
  // Compaction re-journaled message `seq` at `ref`.
  void move_ref(uint64_t seq, const BodyRef& ref);

  // The message as a MessageRecord: the entry's fields, the group id, the body_ref, and when the
  // message is resident every static field and the body it keeps (with `with_static`). A record
  // with an empty message_id was not resident: Engine::hydrate() reads the rest from the log.
  // visible_at_ms is not set (see visible_at()).
  MessageRecord materialize(uint64_t seq, const MessageEntry& e, bool with_static = true) const;
  // For delayed and in-flight messages: when they become visible, from the deadline heap (one
  // pass over it for all of `seqs`, so a few hundred cost about as much as one). Fills `at`
  // (parallel to seqs) with 0 for the others.
  void visible_at(const std::vector<uint64_t>& seqs, std::vector<int64_t>& at) const;
  // Calls f(seq, entry) for every message, in no particular order.
  template <class F>
  void for_each_entry(F&& f) const {
    visit(f);
  }
  // Calls f(record) with a materialized copy of every message (tests, tools): changes to the
  // copy are not written back.
  template <class F>
  void for_each_message(F&& f) const {
    visit([&](uint64_t seq, const MessageEntry& e) {
      MessageRecord r = materialize(seq, e);
      f(r);
    });
  }
  // Calls f(seq, ref) for every message whose record the log holds (compaction).
  template <class F>
  void for_each_ref(F&& f) const {
    visit([&](uint64_t seq, const MessageEntry& e) {
      BodyRef r = ref_of(e);
      if (r.valid()) f(seq, r);
    });
  }

  // Takes up to `max` ready messages, makes them in flight for `visibility_s` and increments
  // their receive counts (appending {seq, entry} to `out`). Messages whose new receive count
  // exceeds `move_after` (when > 0) are removed and appended, materialized, to `moved` instead
  // (dead-letter redrive). With move_after == kTakeAll every message taken is removed into
  // `moved` (message move tasks).
  struct Taken {
    uint64_t seq;
    MessageEntry* entry;
  };
  void receive(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
               std::vector<Taken>& out, std::vector<MessageRecord>& moved);

  MessageEntry* find(uint64_t seq);
  void erase(uint64_t seq);
  // Sets an in-flight (or expired, for standard queues) message's visibility deadline.
  void set_visibility(uint64_t seq, MessageEntry& m, int64_t visible_at_ms, int64_t now_ms);
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
  size_t size() const { return live_count_; }
  // Send time of the message at the head of the retention order, or -1 when there is none.
  int64_t oldest_sent_ms() const;

  // FIFO deduplication: the send remembered for this key, if still in its window.
  struct DedupHit {
    std::string message_id;
    uint64_t seq;
  };
  std::optional<DedupHit> find_dedup(const std::string& key, int64_t now_ms) const;
  void remember_dedup(const std::string& key, const std::string& message_id, uint64_t seq,
                      int64_t expires_ms);

  // FIFO receive-request-attempt memory.
  struct Attempt {
    std::vector<std::pair<uint64_t, uint32_t>> messages;  // seq, epoch after the receive
    int64_t expires_ms;
  };
  std::unordered_map<std::string, Attempt> attempts;

  std::string sequence_number(uint64_t seq) const;

  // Bytes of the message index (entries, chunk table, overflow, ready list, deadline heap,
  // groups), of the resident copies and of the FIFO deduplication table, for
  // engine_memory_bench: exact for the arrays, the payload of each node for the node-based maps
  // (overflow, groups, deduplication), allocator overhead excluded.
  struct MemoryUse {
    size_t entries = 0;
    size_t index_bytes = 0;
    size_t resident_copies = 0;
    size_t resident_copy_bytes = 0;
    size_t dedup_entries = 0;  // FIFO: sends of the last five minutes
    size_t dedup_bytes = 0;
  };
  MemoryUse memory_use() const;

 private:
  struct Deadline {
    int64_t at_ms;
    uint64_t seq;
    uint32_t epoch;
    bool operator>(const Deadline& o) const { return at_ms > o.at_ms; }
  };
  struct Group {
    const std::string* name = nullptr;  // the key in group_index_
    std::vector<uint64_t> pending;      // undeleted messages of the group from `head`, send order
    uint32_t head = 0;
    int32_t inflight = 0;
    bool queued = false;  // listed in ready_groups_
    size_t size() const { return pending.size() - head; }
    uint64_t front() const { return pending[head]; }
  };
  // The ring: chunk c holds seqs [c * kChunk, (c + 1) * kChunk). 93 entries fill a 4 KiB block.
  static constexpr uint64_t kChunk = 93;
  struct Chunk {
    std::unique_ptr<MessageEntry[]> entries;  // null: released (its live seqs are in overflow_)
    uint32_t live = 0;
  };

  template <class F>
  void visit(F&& f) const {
    for (const auto& [seq, e] : overflow_) f(seq, e);
    for (size_t i = 0; i < chunks_.size(); ++i) {
      const Chunk& c = chunks_[i];
      if (!c.entries) continue;
      const uint64_t base = (first_chunk_ + i) * kChunk;
      for (uint64_t j = 0; j < kChunk; ++j) {
        if (c.entries[j].live()) f(base + j, c.entries[j]);
      }
    }
  }
  static BodyRef ref_of(const MessageEntry& e);
  // Places a new entry for `seq` (ring or overflow) and returns it, blank but live.
  MessageEntry& place(uint64_t seq);
  // Frees what the entry owns and marks its slot free. Does not touch the other indices.
  void release(uint64_t seq, MessageEntry& e);
  void release_all();
  void fill_entry(MessageEntry& e, MessageRecord& rec, bool keep_static);
  void tidy_ring(bool all);
  void evict_chunk(size_t i);
  uint32_t intern_sender(const std::string& s);
  uint32_t group_of(const std::string& gid);
  void maybe_free_group(uint32_t g);

  bool expired(const MessageEntry& m, int64_t now_ms) const {
    return m.sent_ms() + config.message_retention_period * 1000 <= now_ms;
  }
  void push_ready(uint64_t seq, uint32_t epoch);
  void make_ready(uint64_t seq, MessageEntry& m);
  void leave_state(MessageEntry& m);
  void enter_inflight(uint64_t seq, MessageEntry& m, int64_t until_ms);
  static bool moves_on_receive(const MessageEntry& m, int64_t move_after);
  void deliver(uint64_t seq, MessageEntry& m, int64_t now_ms, int64_t visibility_s,
               std::vector<Taken>& out);
  void maybe_compact_deadlines();
  void push_deadline(const Deadline& d);
  void remove(uint64_t seq, MessageEntry& m, std::vector<MessageRecord>* moved);
  void receive_standard(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                        std::vector<Taken>& out, std::vector<MessageRecord>& moved);
  void receive_fifo(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                    std::vector<Taken>& out, std::vector<MessageRecord>& moved);
  void queue_group(uint32_t g);
  void group_unblock_check(uint32_t g);

  std::atomic<uint64_t> next_seq_{1};
  std::deque<Chunk> chunks_;
  uint64_t first_chunk_ = 0;           // chunk number of chunks_[0]
  size_t allocated_chunks_ = 0;
  std::vector<uint64_t> tidy_candidates_;  // chunks that became empty or sparse
  std::map<uint64_t, MessageEntry> overflow_;  // live entries whose chunk is not allocated
  uint64_t age_cursor_ = 0;            // retention scan: ring seqs below it are not live
  size_t live_count_ = 0;
  // Refs that arrived before their message was added (moves), with the budget to apply.
  std::unordered_map<uint64_t, std::pair<BodyRef, int64_t>> early_refs_;
  std::deque<uint64_t> early_order_;
  std::vector<std::string> senders_;  // SenderIds of resident copies, interned
  std::unordered_map<std::string, uint32_t> sender_index_;
  uint32_t last_sender_ = 0;

  std::deque<uint64_t> ready_;  // standard queues: seq << 16 | (epoch & 0xFFFF)
  std::unordered_map<std::string, uint32_t> group_index_;  // FIFO queues
  std::vector<Group> groups_;
  std::vector<uint32_t> free_groups_;
  std::deque<uint32_t> ready_groups_;
  std::vector<Deadline> deadlines_;  // a min-heap (std::push_heap with std::greater)
  size_t ready_count_ = 0, inflight_count_ = 0, delayed_count_ = 0;
  std::deque<std::weak_ptr<Waiter>> waiters_;
  size_t waiter_sweep_at_ = 64;
  // FIFO deduplication table: one node per send of the last five minutes, chained in the order
  // they were remembered (their expiry order) through `next`, which names the next node's key.
  struct DedupEntry {
    uint8_t id[16];
    uint64_t seq = 0;
    int64_t expires_ms = 0;
    const std::string* next = nullptr;
    std::unique_ptr<std::string> odd_id;  // a MessageId that is not a canonical UUID
  };
  std::unordered_map<std::string, DedupEntry> dedup_;
  const std::string* dedup_head_ = nullptr;
  DedupEntry* dedup_tail_ = nullptr;
};

}  // namespace tern::engine
