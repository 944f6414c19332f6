#include "engine/queue.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <new>

#include "common/crypto.h"
#include "common/ids.h"

namespace tern::engine {

// The rare fields of a resident message, in one allocation, only when one of them is present:
// the attributes, and the present string fields packed as (tag byte, u32 length, bytes).
struct MessageExtras {
  enum Tag : uint8_t {
    kMessageId,  // only when it is not a lowercase canonical UUID
    kMd5OfBody,  // only when it is not 32 lowercase hex digits
    kMd5OfMessageAttributes,
    kTraceHeader,
    kGroupId,  // standard queues (FIFO queues keep it per group)
    kDeduplicationId,
    kDeadLetterSourceArn,
  };
  std::shared_ptr<const MessageAttributes> attributes;
  std::string fields;

  void put(Tag t, const std::string& v) {
    const auto n = static_cast<uint32_t>(v.size());
    fields += static_cast<char>(t);
    fields.append(reinterpret_cast<const char*>(&n), 4);
    fields += v;
  }
  std::optional<std::string> get(Tag t) const {
    for (size_t i = 0; i + 5 <= fields.size();) {
      uint32_t n;
      std::memcpy(&n, fields.data() + i + 1, 4);
      if (static_cast<uint8_t>(fields[i]) == t) return fields.substr(i + 5, n);
      i += 5 + n;
    }
    return std::nullopt;
  }
  size_t bytes() const {
    size_t b = sizeof(MessageExtras) + (fields.capacity() > 15 ? fields.capacity() + 1 : 0);
    if (attributes) {
      for (const auto& [k, v] : *attributes) {
        b += 96 + k.size() + v.data_type.size() + v.string_value.value_or("").size() +
             v.binary_value.value_or("").size();
      }
    }
    return b;
  }
};

// A message's static fields and body, kept in memory until the log holds them (and after, while
// the queue's resident budget allows; always without a log). One allocation: this 64-byte header
// followed by the body bytes.
struct ResidentMessage {
  // The log's copy, once durable (length 0: not yet), packed as in MessageEntry.
  uint64_t ref_segment = 0;
  uint32_t ref_offset = 0;
  uint32_t ref_length = 0;
  uint8_t id[16];
  uint8_t md5[16];
  std::unique_ptr<MessageExtras> extras;
  uint32_t sender : 31 = 0;  // index into Queue::senders_
  uint32_t counted : 1 = 0;  // in Queue::resident_body_bytes (kept by the budget)
  uint32_t body_size = 0;

  BodyRef ref() const { return BodyRef{ref_segment, ref_offset, ref_length}; }
  void set_ref(const BodyRef& r) {  // REQUIRES: r.indexable()
    ref_segment = r.segment;
    ref_offset = static_cast<uint32_t>(r.offset);
    ref_length = r.length;
  }

  char* body() { return reinterpret_cast<char*>(this + 1); }
  const char* body() const { return reinterpret_cast<const char*>(this + 1); }
  // What the resident budget counts.
  size_t bytes() const { return sizeof(ResidentMessage) + body_size + (extras ? extras->bytes() : 0); }

  static ResidentMessage* create(size_t body_size) {
    void* mem = ::operator new(sizeof(ResidentMessage) + body_size);
    auto* p = new (mem) ResidentMessage();
    p->body_size = static_cast<uint32_t>(body_size);
    return p;
  }
  static void destroy(ResidentMessage* p) {
    p->~ResidentMessage();
    ::operator delete(p);
  }
};
static_assert(sizeof(ResidentMessage) == 64);

namespace {

uint64_t mix64(uint64_t x) {  // splitmix64 finalizer
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint32_t handle_check(const ReceiptHandle& h) {
  return static_cast<uint32_t>(mix64(h.queue_uid ^ mix64(h.seq ^ (uint64_t{h.receive_count} << 40))));
}

void put_u64(std::string& s, uint64_t v) {
  for (int i = 7; i >= 0; --i) s += static_cast<char>((v >> (i * 8)) & 0xFF);
}
void put_u32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (i * 8)) & 0xFF);
}
uint64_t get_u(const std::string& s, size_t off, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(s[off + i]);
  return v;
}

constexpr char kHex[] = "0123456789abcdef";

// Lowercase hex digits only: upper case would not round-trip through format_hex16.
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) t['a' + i] = static_cast<int8_t>(10 + i);
  return t;
}();
// Where byte i's two digits start in a canonical UUID (dashes at 8, 13, 18 and 23).
constexpr uint8_t kUuidPos[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

// 32 lowercase hex digits, or a canonical lowercase UUID when `Dashed`.
template <bool Dashed>
bool parse_hex16(std::string_view s, uint8_t out[16]) {
  if (s.size() != (Dashed ? 36u : 32u)) return false;
  if (Dashed && (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')) return false;
  int bad = 0;
  for (int i = 0; i < 16; ++i) {
    const size_t p = Dashed ? kUuidPos[i] : 2 * i;
    const int hi = kHexValue[static_cast<uint8_t>(s[p])];
    const int lo = kHexValue[static_cast<uint8_t>(s[p + 1])];
    bad |= hi | lo;  // negative when either is not a digit
    out[i] = static_cast<uint8_t>(hi << 4 | (lo & 15));
  }
  return bad >= 0;
}
bool parse_uuid(std::string_view s, uint8_t out[16]) { return parse_hex16<true>(s, out); }
bool parse_md5(std::string_view s, uint8_t out[16]) { return parse_hex16<false>(s, out); }

std::string format_hex16(const uint8_t in[16], bool dashed) {
  char buf[36];
  size_t n = 0;
  for (int i = 0; i < 16; ++i) {
    if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) buf[n++] = '-';
    buf[n++] = kHex[in[i] >> 4];
    buf[n++] = kHex[in[i] & 15];
  }
  return std::string(buf, n);
}

int32_t clamp_delta(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN + 1, INT32_MAX));
}

// Ready-list entries: the seq and the low 16 bits of the epoch in one word. A stale entry whose
// truncated epoch matches by chance can only deliver a ready message from an earlier position.
constexpr uint64_t ready_ref(uint64_t seq, uint32_t epoch) { return seq << 16 | (epoch & 0xFFFF); }

}  // namespace

int64_t MessageEntry::first_receive_ms() const {
  return first_receive_ == kNever ? 0 : sent_ms() + first_receive_;
}
void MessageEntry::set_first_receive(int64_t ms) {
  first_receive_ = ms == 0 ? kNever : clamp_delta(ms - sent_ms());
}
void MessageEntry::set_received(int64_t ms) { received_ = clamp_delta(ms - sent_ms()); }

std::string encode_receipt_handle(const ReceiptHandle& h) {
  std::string raw;
  raw.reserve(24);
  put_u64(raw, h.queue_uid);
  put_u64(raw, h.seq);
  put_u32(raw, h.receive_count);
  put_u32(raw, handle_check(h));
  return "TRN1" + base64url_encode(raw);
}

std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text) {
  if (text.size() != 36 || text.substr(0, 4) != "TRN1") return std::nullopt;
  auto raw = base64url_decode(text.substr(4));
  if (!raw || raw->size() != 24) return std::nullopt;
  ReceiptHandle h;
  h.queue_uid = get_u(*raw, 0, 8);
  h.seq = get_u(*raw, 8, 8);
  h.receive_count = static_cast<uint32_t>(get_u(*raw, 16, 4));
  if (static_cast<uint32_t>(get_u(*raw, 20, 4)) != handle_check(h)) return std::nullopt;
  return h;
}

Queue::Queue(std::string n, std::string a, std::string u, QueueConfig c, int64_t now_ms,
             uint64_t id)
    : name(std::move(n)),
      arn(std::move(a)),
      url(std::move(u)),
      uid(id != 0 ? id : random_u64()),
      config(std::move(c)),
      created_s(now_ms / 1000),
      last_modified_s(now_ms / 1000) {}

Queue::~Queue() { release_all(); }

std::string Queue::sequence_number(uint64_t seq) const {
  return std::to_string(10'000'000'000'000'000'000ULL + seq);
}

// ---- the ring ---------------------------------------------------------------------------------

MessageEntry* Queue::find(uint64_t seq) {
  const uint64_t c = seq / kChunk;
  if (c >= first_chunk_ && c - first_chunk_ < chunks_.size()) {
    const Chunk& ch = chunks_[c - first_chunk_];
    if (ch.entries) {
      MessageEntry& e = ch.entries[seq % kChunk];
      return e.live() ? &e : nullptr;
    }
  }
  if (overflow_.empty()) return nullptr;
  auto it = overflow_.find(seq);
  return it == overflow_.end() ? nullptr : &it->second;
}

MessageEntry& Queue::place(uint64_t seq) {
  ++live_count_;
  const uint64_t c = seq / kChunk;
  if (chunks_.empty()) first_chunk_ = c;
  if (c >= first_chunk_) {
    size_t i = c - first_chunk_;
    if (i >= chunks_.size()) {  // past the tail: extend (gaps stay unallocated)
      if (i - chunks_.size() > std::max<size_t>(64, allocated_chunks_)) {
        // A jump far ahead of a small ring (recovery meeting an old message first): the ring
        // restarts here and what it held waits in overflow_, rather than a long run of empty
        // chunk slots.
        for (size_t j = 0; j < chunks_.size(); ++j) {
          if (chunks_[j].entries) evict_chunk(j);
        }
        chunks_.clear();
        first_chunk_ = c;
        i = 0;
      }
      chunks_.resize(i + 1);
    }
    Chunk& ch = chunks_[i];
    if (!ch.entries) {
      ch.entries = std::make_unique<MessageEntry[]>(kChunk);
      ++allocated_chunks_;
      // Entries parked in overflow_ for this chunk's seqs move in, so that a seq is in
      // overflow_ exactly when its chunk is not allocated.
      for (auto it = overflow_.lower_bound(c * kChunk);
           it != overflow_.end() && it->first < (c + 1) * kChunk;) {
        ch.entries[it->first % kChunk] = it->second;
        ++ch.live;
        it = overflow_.erase(it);
      }
    }
    MessageEntry& e = ch.entries[seq % kChunk];
    e = MessageEntry();
    e.bits_ = MessageEntry::kLive;
    ++ch.live;
    if (seq < age_cursor_) age_cursor_ = seq;
    return e;
  }
  MessageEntry& e = overflow_[seq];
  e = MessageEntry();
  e.bits_ = MessageEntry::kLive;
  return e;
}

void Queue::release(uint64_t seq, MessageEntry& e) {
  if (e.resident()) {
    ResidentMessage* p = e.resident_copy();
    if (p->counted) resident_body_bytes -= static_cast<int64_t>(p->bytes());
    ResidentMessage::destroy(p);
  }
  --live_count_;
  const uint64_t c = seq / kChunk;
  if (c >= first_chunk_ && c - first_chunk_ < chunks_.size() && chunks_[c - first_chunk_].entries) {
    Chunk& ch = chunks_[c - first_chunk_];
    e = MessageEntry();
    --ch.live;
    // An empty chunk is released, a sparse one emptied into overflow_, at the next tidy.
    if (ch.live == 0 || ch.live == kChunk / 4 - 1) tidy_candidates_.push_back(c);
    return;
  }
  overflow_.erase(seq);
}

void Queue::release_all() {
  visit([](uint64_t, const MessageEntry& e) {
    if (e.resident()) ResidentMessage::destroy(e.resident_copy());
  });
  chunks_.clear();
  overflow_.clear();
  tidy_candidates_.clear();
  allocated_chunks_ = 0;
  live_count_ = 0;
  resident_body_bytes = 0;
  age_cursor_ = 0;
}

void Queue::evict_chunk(size_t i) {
  Chunk& ch = chunks_[i];
  const uint64_t base = (first_chunk_ + i) * kChunk;
  for (uint64_t j = 0; j < kChunk; ++j) {
    if (ch.entries[j].live()) overflow_.emplace(base + j, ch.entries[j]);
  }
  ch.entries.reset();
  ch.live = 0;
  --allocated_chunks_;
}

// Keeps the ring proportional to the live messages: releases empty chunks, empties sparse old
// ones (under a quarter live) into overflow_, and bounds the span of unallocated chunk slots
// that an old but dense head chunk would otherwise pin. Only chunks that became empty or sparse
// since the last call are looked at (all of them with `all`). Entries move here, so it runs only
// from process_due() and finish_restore().
void Queue::tidy_ring(bool all) {
  if (chunks_.empty()) {
    tidy_candidates_.clear();
    return;
  }
  if (all) {
    tidy_candidates_.clear();
    for (size_t i = 0; i < chunks_.size(); ++i) tidy_candidates_.push_back(first_chunk_ + i);
  }
  const uint64_t tail = first_chunk_ + chunks_.size() - 1;  // still filling: never released
  const uint64_t newest = (next_seq() == 0 ? 0 : next_seq() - 1) / kChunk;
  constexpr uint64_t kRecentChunks = 8;  // being consumed right now: sparse is normal there
  size_t kept = 0;
  for (uint64_t c : tidy_candidates_) {
    if (c < first_chunk_ || c >= tail) continue;
    const size_t i = c - first_chunk_;
    Chunk& ch = chunks_[i];
    if (!ch.entries) continue;
    if (ch.live == 0) {
      ch.entries.reset();
      --allocated_chunks_;
    } else if (ch.live < kChunk / 4) {
      if (c + kRecentChunks > newest) {
        tidy_candidates_[kept++] = c;  // look again later
      } else {
        evict_chunk(i);
      }
    }
  }
  tidy_candidates_.resize(kept);
  while (!chunks_.empty() && !chunks_.front().entries) {
    chunks_.pop_front();
    ++first_chunk_;
  }
  while (chunks_.size() > 4 * allocated_chunks_ + 64) {
    evict_chunk(0);
    while (!chunks_.empty() && !chunks_.front().entries) {
      chunks_.pop_front();
      ++first_chunk_;
    }
  }
}

BodyRef Queue::ref_of(const MessageEntry& e) {
  return e.resident() ? e.resident_copy()->ref() : e.logged_ref();
}

uint32_t Queue::intern_sender(const std::string& s) {
  if (last_sender_ < senders_.size() && senders_[last_sender_] == s) return last_sender_;
  auto [it, inserted] = sender_index_.try_emplace(s, static_cast<uint32_t>(senders_.size()));
  if (inserted) senders_.push_back(s);
  last_sender_ = it->second;
  return it->second;
}

void Queue::fill_entry(MessageEntry& e, MessageRecord& rec, bool keep_static) {
  e.bits_ = MessageEntry::kLive | (rec.epoch & MessageEntry::kEpochMask);
  e.receive_count_ = static_cast<uint32_t>(rec.receive_count);
  e.set_sent(rec.sent_ms);
  e.set_first_receive(rec.first_receive_ms);
  e.set_received(rec.received_ms);
  const bool ref_ok = rec.body_ref.valid() && rec.body_ref.indexable();
  if (!keep_static && ref_ok) {
    e.set_logged(rec.body_ref);
    return;
  }
  ResidentMessage* p = ResidentMessage::create(rec.body.size());
  std::memcpy(p->body(), rec.body.data(), rec.body.size());
  if (ref_ok) p->set_ref(rec.body_ref);
  p->sender = intern_sender(rec.sender_id);
  auto extras = [&]() -> MessageExtras& {
    if (!p->extras) p->extras = std::make_unique<MessageExtras>();
    return *p->extras;
  };
  using T = MessageExtras::Tag;
  if (!parse_uuid(rec.message_id, p->id)) extras().put(T::kMessageId, rec.message_id);
  if (!parse_md5(rec.md5_of_body, p->md5)) extras().put(T::kMd5OfBody, rec.md5_of_body);
  if (rec.attributes) extras().attributes = std::move(rec.attributes);
  if (rec.md5_of_message_attributes) {
    extras().put(T::kMd5OfMessageAttributes, *rec.md5_of_message_attributes);
  }
  if (rec.trace_header) extras().put(T::kTraceHeader, *rec.trace_header);
  if (rec.group_id && !config.fifo) extras().put(T::kGroupId, *rec.group_id);
  if (rec.deduplication_id) extras().put(T::kDeduplicationId, *rec.deduplication_id);
  if (rec.dead_letter_source_arn) {
    extras().put(T::kDeadLetterSourceArn, *rec.dead_letter_source_arn);
  }
  if (p->extras) p->extras->fields.shrink_to_fit();
  e.set_resident(p);
}

MessageRecord Queue::materialize(uint64_t seq, const MessageEntry& e, bool with_static) const {
  MessageRecord r;
  r.seq = seq;
  r.sent_ms = e.sent_ms();
  r.first_receive_ms = e.first_receive_ms();
  r.received_ms = e.received_ms();
  r.receive_count = e.receive_count();
  r.epoch = e.epoch();
  r.state = e.state();
  if (config.fifo && e.group_ < groups_.size() && groups_[e.group_].name != nullptr) {
    r.group_id = *groups_[e.group_].name;
  }
  if (!e.resident()) {
    r.body_ref = e.logged_ref();
    return r;
  }
  const ResidentMessage* p = e.resident_copy();
  const MessageExtras* x = p->extras.get();
  using T = MessageExtras::Tag;
  r.body_ref = p->ref();
  if (!with_static) return r;
  r.body.assign(p->body(), p->body_size);
  r.sender_id = senders_[p->sender];
  if (x == nullptr) {
    r.message_id = format_hex16(p->id, true);
    r.md5_of_body = format_hex16(p->md5, false);
    return r;
  }
  r.message_id = x->get(T::kMessageId).value_or(format_hex16(p->id, true));
  r.md5_of_body = x->get(T::kMd5OfBody).value_or(format_hex16(p->md5, false));
  r.attributes = x->attributes;
  r.md5_of_message_attributes = x->get(T::kMd5OfMessageAttributes);
  r.trace_header = x->get(T::kTraceHeader);
  if (!config.fifo) r.group_id = x->get(T::kGroupId);
  r.deduplication_id = x->get(T::kDeduplicationId);
  r.dead_letter_source_arn = x->get(T::kDeadLetterSourceArn);
  return r;
}

void Queue::attach_ref(uint64_t seq, const BodyRef& ref, int64_t budget) {
  if (!ref.indexable()) return;  // the message stays resident
  MessageEntry* e = find(seq);
  if (e == nullptr) {
    // Journaled before it was added (a move), or already gone. Keep it a while for the add.
    if (early_refs_.emplace(seq, std::make_pair(ref, budget)).second) early_order_.push_back(seq);
    while (early_order_.size() > 8192) {
      early_refs_.erase(early_order_.front());
      early_order_.pop_front();
    }
    return;
  }
  if (!e->resident()) {
    e->set_logged(ref);
    return;
  }
  ResidentMessage* p = e->resident_copy();
  if (p->ref_length != 0) {  // attached already (a compaction copy)
    p->set_ref(ref);
    return;
  }
  p->set_ref(ref);
  const auto size = static_cast<int64_t>(p->bytes());
  if (resident_body_bytes + size > budget) {
    e->set_logged(ref);  // the log has it; read it back on receive
    ResidentMessage::destroy(p);
  } else {
    resident_body_bytes += size;
    p->counted = 1;
  }
}

void Queue::move_ref(uint64_t seq, const BodyRef& ref) {
  MessageEntry* e = find(seq);
  if (e == nullptr || !ref.indexable()) return;
  if (e->resident()) {
    e->resident_copy()->set_ref(ref);
  } else {
    e->set_logged(ref);
  }
}

Queue::MemoryUse Queue::memory_use() const {
  MemoryUse u;
  u.entries = live_count_;
  size_t b = allocated_chunks_ * kChunk * sizeof(MessageEntry) + chunks_.size() * sizeof(Chunk);
  b += overflow_.size() * (sizeof(MessageEntry) + sizeof(uint64_t) + 4 * sizeof(void*));
  b += ready_.size() * sizeof(uint64_t) + ready_groups_.size() * sizeof(uint32_t);
  b += deadlines_.size() * sizeof(Deadline);
  b += groups_.capacity() * sizeof(Group) + group_index_.bucket_count() * sizeof(void*);
  for (const auto& g : groups_) b += g.pending.capacity() * sizeof(uint64_t);
  for (const auto& [k, v] : group_index_) {
    b += 2 * sizeof(void*) + sizeof(k) + sizeof(v) + (k.size() > 15 ? k.capacity() + 1 : 0);
  }
  u.index_bytes = b;
  visit([&](uint64_t, const MessageEntry& e) {
    if (!e.resident()) return;
    const ResidentMessage* p = e.resident_copy();
    ++u.resident_copies;
    u.resident_copy_bytes += p->bytes();
  });
  u.dedup_entries = dedup_.size();
  u.dedup_bytes = dedup_.bucket_count() * sizeof(void*);
  for (const auto& [k, v] : dedup_) {
    u.dedup_bytes += 2 * sizeof(void*) + sizeof(k) + sizeof(v) + (k.size() > 15 ? k.capacity() + 1 : 0);
  }
  return u;
}

// ---- states -----------------------------------------------------------------------------------

void Queue::leave_state(MessageEntry& m) {
  switch (m.state()) {
    case MessageState::kDelayed: --delayed_count_; break;
    case MessageState::kReady: --ready_count_; break;
    case MessageState::kInFlight:
      --inflight_count_;
      if (config.fifo && m.group_ < groups_.size()) --groups_[m.group_].inflight;
      break;
  }
}

void Queue::push_ready(uint64_t seq, uint32_t epoch) { ready_.push_back(ready_ref(seq, epoch)); }

void Queue::make_ready(uint64_t seq, MessageEntry& m) {
  m.set_state(MessageState::kReady);
  m.bump_epoch();
  ++ready_count_;
  if (config.fifo) {
    group_unblock_check(m.group_);
  } else {
    push_ready(seq, m.epoch());
    wake(1);
  }
}

void Queue::enter_inflight(uint64_t seq, MessageEntry& m, int64_t until_ms) {
  leave_state(m);
  m.set_state(MessageState::kInFlight);
  m.bump_epoch();
  ++inflight_count_;
  if (config.fifo) ++groups_[m.group_].inflight;
  push_deadline({until_ms, seq, m.epoch()});
  maybe_compact_deadlines();
}

void Queue::maybe_compact_deadlines() {
  // Deleted messages leave their deadline behind; rebuild once stale entries dominate so the heap
  // stays proportional to the live delayed + in-flight set.
  size_t live = inflight_count_ + delayed_count_;
  if (deadlines_.size() < 4096 || deadlines_.size() < 4 * live) return;
  std::erase_if(deadlines_, [&](const Deadline& d) {
    auto* m = find(d.seq);
    return m == nullptr || m->epoch() != d.epoch;
  });
  std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
}

void Queue::push_deadline(const Deadline& d) {
  deadlines_.push_back(d);
  std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
}

void Queue::visible_at(const std::vector<uint64_t>& seqs, std::vector<int64_t>& at) const {
  at.assign(seqs.size(), 0);
  std::unordered_map<uint64_t, size_t> wanted;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const MessageEntry* e = const_cast<Queue*>(this)->find(seqs[i]);
    if (e != nullptr && e->state() != MessageState::kReady) wanted.emplace(seqs[i], i);
  }
  if (wanted.empty()) return;
  for (const Deadline& d : deadlines_) {  // the current deadline is the one of the current epoch
    auto it = wanted.find(d.seq);
    if (it == wanted.end()) continue;
    const MessageEntry* e = const_cast<Queue*>(this)->find(d.seq);
    if (e->epoch() == d.epoch) at[it->second] = d.at_ms;
  }
}

// ---- FIFO groups ------------------------------------------------------------------------------

uint32_t Queue::group_of(const std::string& gid) {
  auto [it, inserted] = group_index_.try_emplace(gid, 0);
  if (!inserted) return it->second;
  uint32_t g;
  if (!free_groups_.empty()) {
    g = free_groups_.back();
    free_groups_.pop_back();
  } else {
    g = static_cast<uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  groups_[g] = Group();
  groups_[g].name = &it->first;
  it->second = g;
  return g;
}

// A group is forgotten once it holds nothing and is not listed in ready_groups_ (a listed group
// is freed when receive_fifo takes it off the list).
void Queue::maybe_free_group(uint32_t g) {
  Group& grp = groups_[g];
  if (grp.name == nullptr || grp.size() != 0 || grp.inflight > 0 || grp.queued) return;
  group_index_.erase(*grp.name);
  grp = Group();
  free_groups_.push_back(g);
}

void Queue::queue_group(uint32_t g) {
  Group& grp = groups_[g];
  if (grp.queued) return;
  grp.queued = true;
  ready_groups_.push_back(g);
  wake(1);
}

void Queue::group_unblock_check(uint32_t g) {
  if (g >= groups_.size()) return;
  Group& grp = groups_[g];
  if (grp.name == nullptr || grp.inflight > 0 || grp.size() == 0) return;
  auto* front = find(grp.front());
  if (front != nullptr && front->state() == MessageState::kReady) queue_group(g);
}

// ---- adding and removing ----------------------------------------------------------------------

MessageEntry& Queue::add(MessageRecord rec, int64_t delay_s, int64_t now_ms, bool index_only) {
  if (rec.seq == 0) rec.seq = reserve_seq();
  if (rec.sent_ms == 0) rec.sent_ms = now_ms;  // a dead-letter move keeps the original clock
  const uint64_t seq = rec.seq;
  uint32_t g = 0;
  if (config.fifo) g = group_of(rec.group_id.value_or(""));
  MessageEntry& m = place(seq);
  fill_entry(m, rec, /*keep_static=*/!rec.body_ref.valid() || !index_only);
  m.group_ = g;
  if (config.fifo) groups_[g].pending.push_back(seq);
  if (delay_s > 0) {
    m.set_state(MessageState::kDelayed);
    ++delayed_count_;
    push_deadline({now_ms + delay_s * 1000, seq, m.epoch()});
  } else {
    make_ready(seq, m);
  }
  if (!early_refs_.empty()) {
    auto it = early_refs_.find(seq);
    if (it != early_refs_.end()) {
      auto [ref, budget] = it->second;
      early_refs_.erase(it);
      attach_ref(seq, ref, budget);
    }
  }
  return m;
}

void Queue::raise_next_seq(uint64_t want) {
  uint64_t cur = next_seq_.load();
  while (cur < want && !next_seq_.compare_exchange_weak(cur, want)) {
  }
}

MessageEntry& Queue::restore(MessageRecord rec, int64_t now_ms) {
  const uint64_t seq = rec.seq;
  raise_next_seq(seq + 1);
  const int64_t visible_at = rec.visible_at_ms;
  rec.epoch = 0;
  uint32_t g = 0;
  if (config.fifo) g = group_of(rec.group_id.value_or(""));
  MessageEntry& m = place(seq);
  fill_entry(m, rec, /*keep_static=*/!rec.body_ref.valid());
  m.group_ = g;
  if (config.fifo) groups_[g].pending.push_back(seq);
  if (visible_at > now_ms) {
    m.set_state(MessageState::kDelayed);
    ++delayed_count_;
    push_deadline({visible_at, seq, m.epoch()});
  } else {
    make_ready(seq, m);
  }
  return m;
}

void Queue::restore_received(uint64_t seq, int32_t receive_count, int64_t first_receive_ms) {
  if (MessageEntry* m = find(seq)) {
    m->receive_count_ = static_cast<uint32_t>(receive_count);
    if (m->first_receive_ms() == 0) m->set_first_receive(first_receive_ms);
  }
}

void Queue::finish_restore() {
  ready_.clear();
  ready_groups_.clear();
  for (auto& g : groups_) {
    g.pending.clear();
    g.head = 0;
    g.queued = false;
  }
  // In seq order: overflow_ holds only seqs below the ring here (nothing is evicted during
  // recovery but by place()'s restart, which parks the lower seqs).
  visit([&](uint64_t seq, const MessageEntry& m) {
    if (config.fifo) groups_[m.group_].pending.push_back(seq);
    if (!config.fifo && m.state() == MessageState::kReady) push_ready(seq, m.epoch());
  });
  for (uint32_t g = 0; g < groups_.size(); ++g) maybe_free_group(g);
  if (config.fifo) {
    for (uint32_t g = 0; g < groups_.size(); ++g) group_unblock_check(g);
  }
  age_cursor_ = 0;
  tidy_ring(/*all=*/true);
}

void Queue::process_due(int64_t now_ms) {
  while (!deadlines_.empty() && deadlines_.front().at_ms <= now_ms) {
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
    const Deadline d = deadlines_.back();
    deadlines_.pop_back();
    auto* m = find(d.seq);
    if (m == nullptr || m->epoch() != d.epoch || m->state() == MessageState::kReady) continue;
    leave_state(*m);
    make_ready(d.seq, *m);
  }
  // Retention, in send (= seq) order: stop at the first live message still within it. Messages
  // moved in with an older clock are caught when met (expired() in receive).
  while (!overflow_.empty() && expired(overflow_.begin()->second, now_ms)) {
    erase(overflow_.begin()->first);
    counters.expired.add(1);
  }
  const uint64_t limit = next_seq();
  while (!chunks_.empty()) {
    age_cursor_ = std::max(age_cursor_, first_chunk_ * kChunk);
    if (age_cursor_ >= limit) break;
    const uint64_t c = age_cursor_ / kChunk;
    if (c - first_chunk_ >= chunks_.size()) break;
    const Chunk& ch = chunks_[c - first_chunk_];
    if (!ch.entries) {
      age_cursor_ = (c + 1) * kChunk;
      continue;
    }
    const MessageEntry& e = ch.entries[age_cursor_ % kChunk];
    if (e.live()) {
      if (!expired(e, now_ms)) break;
      erase(age_cursor_);
      counters.expired.add(1);
    }
    ++age_cursor_;
  }
  if (!tidy_candidates_.empty()) tidy_ring(false);
  while (dedup_head_ != nullptr) {
    auto it = dedup_.find(*dedup_head_);
    if (it->second.expires_ms > now_ms) break;
    dedup_head_ = it->second.next;
    if (&it->second == dedup_tail_) dedup_tail_ = nullptr;
    dedup_.erase(it);
  }
  if (attempts.size() > 1024) {
    std::erase_if(attempts, [&](const auto& kv) { return kv.second.expires_ms <= now_ms; });
  }
}

void Queue::erase(uint64_t seq) {
  MessageEntry* m = find(seq);
  if (m == nullptr) return;
  leave_state(*m);
  if (config.fifo && m->group_ < groups_.size()) {
    const uint32_t g = m->group_;
    Group& grp = groups_[g];
    auto begin = grp.pending.begin() + grp.head;
    auto pos = std::find(begin, grp.pending.end(), seq);
    if (pos == begin) {
      ++grp.head;
    } else if (pos != grp.pending.end()) {
      grp.pending.erase(pos);
    }
    if (grp.head > 32 && grp.head * 2 > grp.pending.size()) {
      grp.pending.erase(grp.pending.begin(), grp.pending.begin() + grp.head);
      grp.head = 0;
    } else if (grp.size() == 0) {
      grp.pending.clear();
      grp.head = 0;
    }
    release(seq, *m);
    if (grp.size() == 0 && grp.inflight == 0) {
      maybe_free_group(g);
    } else {
      group_unblock_check(g);
    }
    return;
  }
  release(seq, *m);
}

void Queue::set_visibility(uint64_t seq, MessageEntry& m, int64_t visible_at_ms, int64_t now_ms) {
  if (visible_at_ms <= now_ms) {
    if (m.state() == MessageState::kReady) return;
    leave_state(m);
    make_ready(seq, m);
    return;
  }
  enter_inflight(seq, m, visible_at_ms);
}

void Queue::purge() {
  release_all();
  ready_.clear();
  group_index_.clear();
  groups_.clear();
  free_groups_.clear();
  ready_groups_.clear();
  deadlines_.clear();
  attempts.clear();
  early_refs_.clear();
  early_order_.clear();
  ready_count_ = inflight_count_ = delayed_count_ = 0;
}

int64_t Queue::oldest_sent_ms() const {
  // The retention order is seq order: overflow_ holds the oldest seqs, then the ring from the
  // retention cursor (after process_due, the first live entry there is where it stopped).
  if (!overflow_.empty()) return overflow_.begin()->second.sent_ms();
  for (uint64_t s = std::max(age_cursor_, first_chunk_ * kChunk), end = next_seq();
       s < end && !chunks_.empty();) {
    const uint64_t c = s / kChunk;
    if (c - first_chunk_ >= chunks_.size()) break;
    const Chunk& ch = chunks_[c - first_chunk_];
    if (!ch.entries) {
      s = (c + 1) * kChunk;
      continue;
    }
    if (ch.entries[s % kChunk].live()) return ch.entries[s % kChunk].sent_ms();
    ++s;
  }
  return -1;
}

int64_t Queue::next_due_ms() const {
  return deadlines_.empty() ? INT64_MAX : deadlines_.front().at_ms;
}

void Queue::add_waiter(const std::shared_ptr<Waiter>& w) {
  while (!waiters_.empty() && waiters_.front().expired()) waiters_.pop_front();
  if (waiters_.size() >= waiter_sweep_at_) {
    std::erase_if(waiters_, [](const auto& x) { return x.expired(); });
    waiter_sweep_at_ = std::max<size_t>(64, waiters_.size() * 2);
  }
  waiters_.push_back(w);
}

void Queue::wake(size_t n) {
  while (n > 0 && !waiters_.empty()) {
    auto w = waiters_.front().lock();
    waiters_.pop_front();
    if (w) {
      w->notify();
      --n;
    }
  }
}

void Queue::wake_all() {
  for (auto& weak : waiters_) {
    if (auto w = weak.lock()) w->notify();
  }
  waiters_.clear();
}

// ---- receiving --------------------------------------------------------------------------------

void Queue::receive(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                    std::vector<Taken>& out, std::vector<MessageRecord>& moved) {
  if (config.fifo) {
    receive_fifo(max, visibility_s, now_ms, move_after, out, moved);
  } else {
    receive_standard(max, visibility_s, now_ms, move_after, out, moved);
  }
}

// A receive that would exceed the redrive policy's maxReceiveCount moves the message instead;
// a move task (kTakeAll) moves every message it takes.
bool Queue::moves_on_receive(const MessageEntry& m, int64_t move_after) {
  return move_after == kTakeAll || (move_after > 0 && m.receive_count() + 1 > move_after);
}

// Hands a ready message to this receive: counts it, stamps the receive and puts it in flight.
void Queue::deliver(uint64_t seq, MessageEntry& m, int64_t now_ms, int64_t visibility_s,
                    std::vector<Taken>& out) {
  ++m.receive_count_;
  if (m.first_receive_ms() == 0) m.set_first_receive(now_ms);
  m.set_received(now_ms);
  enter_inflight(seq, m, now_ms + visibility_s * 1000);
  out.push_back({seq, &m});
}

void Queue::receive_standard(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                             std::vector<Taken>& out, std::vector<MessageRecord>& moved) {
  const size_t moved_before = moved.size();
  auto taken = [&] {  // a move task's take counts what it removes; a receive what it returns
    return static_cast<int>(out.size() + (move_after == kTakeAll ? moved.size() - moved_before : 0));
  };
  while (taken() < max && !ready_.empty()) {
    const uint64_t r = ready_.front();
    ready_.pop_front();
    const uint64_t seq = r >> 16;
    auto* m = find(seq);
    if (m == nullptr || (m->epoch() & 0xFFFF) != (r & 0xFFFF) ||
        m->state() != MessageState::kReady) {
      continue;
    }
    if (expired(*m, now_ms)) {  // moved in with an older clock than the ring's order
      erase(seq);
      counters.expired.add(1);
      continue;
    }
    if (moves_on_receive(*m, move_after)) {
      ++m->receive_count_;
      moved.push_back(materialize(seq, *m));
      erase(seq);
      continue;
    }
    deliver(seq, *m, now_ms, visibility_s, out);
  }
}

void Queue::receive_fifo(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                         std::vector<Taken>& out, std::vector<MessageRecord>& moved) {
  size_t budget = ready_groups_.size();  // visit each listed group at most once per call
  const size_t moved_before = moved.size();
  auto taken = [&] {
    return static_cast<int>(out.size() + (move_after == kTakeAll ? moved.size() - moved_before : 0));
  };
  // Removes pending[i] of group g (which the caller has left) from the index.
  auto drop = [&](uint32_t g, size_t i, uint64_t seq, MessageEntry& m) {
    leave_state(m);
    Group& grp = groups_[g];
    if (i == grp.head) {
      ++grp.head;
    } else {
      grp.pending.erase(grp.pending.begin() + static_cast<long>(i));
    }
    release(seq, m);
  };
  while (taken() < max && budget-- > 0 && !ready_groups_.empty()) {
    const uint32_t g = ready_groups_.front();
    ready_groups_.pop_front();
    groups_[g].queued = false;
    if (groups_[g].name == nullptr) continue;
    if (groups_[g].inflight > 0) continue;
    size_t i = groups_[g].head;
    while (i < groups_[g].pending.size() && taken() < max) {
      const uint64_t seq = groups_[g].pending[i];
      auto* m = find(seq);
      if (m == nullptr) {
        groups_[g].pending.erase(groups_[g].pending.begin() + static_cast<long>(i));
        continue;
      }
      if (m->state() != MessageState::kReady) break;
      if (expired(*m, now_ms)) {
        drop(g, i, seq, *m);
        counters.expired.add(1);
        i = std::max<size_t>(i, groups_[g].head);
        continue;
      }
      if (moves_on_receive(*m, move_after)) {
        ++m->receive_count_;
        moved.push_back(materialize(seq, *m));
        drop(g, i, seq, *m);
        i = std::max<size_t>(i, groups_[g].head);
        continue;
      }
      deliver(seq, *m, now_ms, visibility_s, out);
      ++i;
    }
    Group& grp = groups_[g];
    if (grp.size() == 0) {
      grp.pending.clear();
      grp.head = 0;
    }
    if (grp.size() == 0 && grp.inflight == 0) {
      maybe_free_group(g);
    } else {
      group_unblock_check(g);
    }
  }
}

// ---- FIFO deduplication -----------------------------------------------------------------------

// An entry past its window is not a hit; it is erased by process_due() in list order (an entry
// remembered again later keeps its place in the list, so the entries behind it may wait up to a
// window longer: find_dedup() checks the time itself).
std::optional<Queue::DedupHit> Queue::find_dedup(const std::string& key, int64_t now_ms) const {
  auto it = dedup_.find(key);
  if (it == dedup_.end() || it->second.expires_ms <= now_ms) return std::nullopt;
  const DedupEntry& e = it->second;
  return DedupHit{e.odd_id ? *e.odd_id : format_hex16(e.id, true), e.seq};
}

void Queue::remember_dedup(const std::string& key, const std::string& message_id, uint64_t seq,
                           int64_t expires_ms) {
  auto [it, inserted] = dedup_.try_emplace(key);
  DedupEntry& e = it->second;
  e.odd_id.reset();
  if (!parse_uuid(message_id, e.id)) e.odd_id = std::make_unique<std::string>(message_id);
  e.seq = seq;
  e.expires_ms = expires_ms;
  if (!inserted) return;
  if (dedup_tail_ != nullptr) {
    dedup_tail_->next = &it->first;
  } else {
    dedup_head_ = &it->first;
  }
  dedup_tail_ = &e;
}

}  // namespace tern::engine
