#include "engine/queue.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "common/crypto.h"
#include "common/ids.h"

namespace tern::engine {
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

}  // namespace

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

std::string Queue::sequence_number(uint64_t seq) const {
  return std::to_string(10'000'000'000'000'000'000ULL + seq);
}

MessageRecord* Queue::find(uint64_t seq) {
  auto it = messages_.find(seq);
  return it == messages_.end() ? nullptr : &it->second;
}

void Queue::leave_state(MessageRecord& m) {
  switch (m.state) {
    case MessageState::kDelayed: --delayed_count_; break;
    case MessageState::kReady: --ready_count_; break;
    case MessageState::kInFlight:
      --inflight_count_;
      if (config.fifo && m.group_id) {
        auto it = groups_.find(*m.group_id);
        if (it != groups_.end()) --it->second.inflight;
      }
      break;
  }
}

void Queue::make_ready(MessageRecord& m) {
  m.state = MessageState::kReady;
  ++m.epoch;
  ++ready_count_;
  if (config.fifo) {
    group_unblock_check(*m.group_id);
  } else {
    ready_.push_back({m.seq, m.epoch});
    wake(1);
  }
}

void Queue::enter_inflight(MessageRecord& m, int64_t until_ms) {
  leave_state(m);
  m.state = MessageState::kInFlight;
  ++m.epoch;
  m.visible_at_ms = until_ms;
  ++inflight_count_;
  if (config.fifo) ++groups_[*m.group_id].inflight;
  deadlines_.push({until_ms, m.seq, m.epoch});
  maybe_compact_deadlines();
}

void Queue::maybe_compact_deadlines() {
  // Deleted messages leave their deadline behind; rebuild once stale entries dominate so the heap
  // stays proportional to the live delayed + in-flight set.
  size_t live = inflight_count_ + delayed_count_;
  if (deadlines_.size() < 4096 || deadlines_.size() < 4 * live) return;
  std::vector<Deadline> keep;
  keep.reserve(live);
  while (!deadlines_.empty()) {
    const Deadline& d = deadlines_.top();
    auto* m = find(d.seq);
    if (m != nullptr && m->epoch == d.epoch) keep.push_back(d);
    deadlines_.pop();
  }
  deadlines_ = decltype(deadlines_)(std::greater<>(), std::move(keep));
}

void Queue::queue_group(const std::string& gid, Group& g) {
  if (g.queued) return;
  g.queued = true;
  ready_groups_.push_back(gid);
  wake(1);
}

void Queue::group_unblock_check(const std::string& gid) {
  auto it = groups_.find(gid);
  if (it == groups_.end()) return;
  Group& g = it->second;
  if (g.inflight > 0 || g.pending.empty()) return;
  auto* front = find(g.pending.front());
  if (front != nullptr && front->state == MessageState::kReady) queue_group(gid, g);
}

MessageRecord& Queue::add(MessageRecord rec, int64_t delay_s, int64_t now_ms) {
  if (rec.seq == 0) rec.seq = reserve_seq();
  if (rec.sent_ms == 0) rec.sent_ms = now_ms;  // a dead-letter move keeps the original clock
  uint64_t seq = rec.seq;
  auto [it, inserted] = messages_.emplace(seq, std::move(rec));
  MessageRecord& m = it->second;
  by_age_.emplace_back(seq, m.sent_ms);
  if (config.fifo) groups_[*m.group_id].pending.push_back(seq);
  m.visible_at_ms = now_ms + delay_s * 1000;
  if (delay_s > 0) {
    m.state = MessageState::kDelayed;
    ++delayed_count_;
    deadlines_.push({m.visible_at_ms, seq, m.epoch});
  } else {
    make_ready(m);
  }
  return m;
}

void Queue::raise_next_seq(uint64_t want) {
  uint64_t cur = next_seq_.load();
  while (cur < want && !next_seq_.compare_exchange_weak(cur, want)) {
  }
}

MessageRecord& Queue::restore(MessageRecord rec, int64_t now_ms) {
  uint64_t seq = rec.seq;
  raise_next_seq(seq + 1);
  int64_t visible_at = rec.visible_at_ms;
  rec.epoch = 0;
  rec.state = MessageState::kReady;
  auto [it, inserted] = messages_.insert_or_assign(seq, std::move(rec));
  MessageRecord& m = it->second;
  by_age_.emplace_back(seq, m.sent_ms);
  if (config.fifo) groups_[*m.group_id].pending.push_back(seq);
  if (visible_at > now_ms) {
    m.state = MessageState::kDelayed;
    ++delayed_count_;
    deadlines_.push({visible_at, seq, m.epoch});
  } else {
    make_ready(m);
  }
  return m;
}

void Queue::finish_restore() {
  std::vector<uint64_t> seqs;
  seqs.reserve(messages_.size());
  for (const auto& [seq, m] : messages_) seqs.push_back(seq);
  std::sort(seqs.begin(), seqs.end());
  ready_.clear();
  ready_groups_.clear();
  for (auto& [gid, g] : groups_) {
    g.pending.clear();
    g.queued = false;
  }
  by_age_.clear();
  std::vector<std::pair<int64_t, uint64_t>> ages;
  for (uint64_t seq : seqs) {
    MessageRecord& m = messages_.at(seq);
    ages.emplace_back(m.sent_ms, seq);
    if (config.fifo) groups_[*m.group_id].pending.push_back(seq);
    if (!config.fifo && m.state == MessageState::kReady) ready_.push_back({seq, m.epoch});
  }
  std::sort(ages.begin(), ages.end());
  for (auto [sent, seq] : ages) by_age_.emplace_back(seq, sent);
  std::erase_if(groups_, [](const auto& kv) { return kv.second.pending.empty(); });
  if (config.fifo) {
    for (auto& [gid, g] : groups_) group_unblock_check(gid);
  }
}

void Queue::process_due(int64_t now_ms) {
  while (!deadlines_.empty() && deadlines_.top().at_ms <= now_ms) {
    Deadline d = deadlines_.top();
    deadlines_.pop();
    auto* m = find(d.seq);
    if (m == nullptr || m->epoch != d.epoch || m->state == MessageState::kReady) continue;
    leave_state(*m);
    make_ready(*m);
  }
  const int64_t retention_ms = config.message_retention_period * 1000;
  while (!by_age_.empty()) {
    auto [seq, sent] = by_age_.front();
    if (messages_.count(seq) != 0) {
      if (sent + retention_ms > now_ms) break;
      erase(seq);
      counters.expired.add(1);
    }
    by_age_.pop_front();
  }
  while (!dedup_order_.empty() && dedup_order_.front().second <= now_ms) {
    auto it = dedup_.find(dedup_order_.front().first);
    if (it != dedup_.end() && it->second.expires_ms <= now_ms) dedup_.erase(it);
    dedup_order_.pop_front();
  }
  if (attempts.size() > 1024) {
    std::erase_if(attempts, [&](const auto& kv) { return kv.second.expires_ms <= now_ms; });
  }
}

void Queue::forget_resident(const MessageRecord& m) {
  if (m.body_ref.valid() && !m.body.empty()) {
    resident_body_bytes -= static_cast<int64_t>(m.body.size());
  }
}

void Queue::erase(uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  MessageRecord& m = it->second;
  forget_resident(m);
  leave_state(m);
  if (config.fifo && m.group_id) {
    auto git = groups_.find(*m.group_id);
    if (git != groups_.end()) {
      auto& p = git->second.pending;
      auto pos = std::find(p.begin(), p.end(), seq);
      if (pos != p.end()) p.erase(pos);
      std::string gid = *m.group_id;
      messages_.erase(it);
      if (p.empty() && git->second.inflight == 0) {
        groups_.erase(git);
      } else {
        group_unblock_check(gid);
      }
      return;
    }
  }
  messages_.erase(it);
}

void Queue::set_visibility(MessageRecord& m, int64_t visible_at_ms, int64_t now_ms) {
  if (visible_at_ms <= now_ms) {
    if (m.state == MessageState::kReady) return;
    leave_state(m);
    make_ready(m);
    return;
  }
  enter_inflight(m, visible_at_ms);
}

void Queue::purge() {
  messages_.clear();
  ready_.clear();
  groups_.clear();
  ready_groups_.clear();
  deadlines_ = {};
  by_age_.clear();
  attempts.clear();
  ready_count_ = inflight_count_ = delayed_count_ = 0;
  resident_body_bytes = 0;
}

int64_t Queue::oldest_sent_ms() const {
  // After process_due the head is live; entries of deleted messages are skipped all the same.
  for (const auto& [seq, sent] : by_age_) {
    if (messages_.count(seq) != 0) return sent;
  }
  return -1;
}

int64_t Queue::next_due_ms() const {
  return deadlines_.empty() ? INT64_MAX : deadlines_.top().at_ms;
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

void Queue::receive(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                    std::vector<MessageRecord*>& out, std::vector<MessageRecord>& moved) {
  if (config.fifo) {
    receive_fifo(max, visibility_s, now_ms, move_after, out, moved);
  } else {
    receive_standard(max, visibility_s, now_ms, move_after, out, moved);
  }
}

void Queue::receive_standard(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                             std::vector<MessageRecord*>& out, std::vector<MessageRecord>& moved) {
  const size_t moved_before = moved.size();
  auto taken = [&] {  // a move task's take counts what it removes; a receive what it returns
    return static_cast<int>(out.size() + (move_after == kTakeAll ? moved.size() - moved_before : 0));
  };
  while (taken() < max && !ready_.empty()) {
    Ref r = ready_.front();
    ready_.pop_front();
    auto* m = find(r.seq);
    if (m == nullptr || m->epoch != r.epoch || m->state != MessageState::kReady) continue;
    if (expired(*m, now_ms)) {  // moved in with an older clock than the age list's order
      erase(r.seq);
      counters.expired.add(1);
      continue;
    }
    if (move_after == kTakeAll || (move_after > 0 && m->receive_count + 1 > move_after)) {
      ++m->receive_count;
      moved.push_back(*m);
      erase(r.seq);
      continue;
    }
    ++m->receive_count;
    if (m->first_receive_ms == 0) m->first_receive_ms = now_ms;
    m->received_ms = now_ms;
    enter_inflight(*m, now_ms + visibility_s * 1000);
    out.push_back(m);
  }
}

void Queue::receive_fifo(int max, int64_t visibility_s, int64_t now_ms, int64_t move_after,
                         std::vector<MessageRecord*>& out, std::vector<MessageRecord>& moved) {
  size_t budget = ready_groups_.size();  // visit each listed group at most once per call
  const size_t moved_before = moved.size();
  auto taken = [&] {
    return static_cast<int>(out.size() + (move_after == kTakeAll ? moved.size() - moved_before : 0));
  };
  while (taken() < max && budget-- > 0 && !ready_groups_.empty()) {
    std::string gid = std::move(ready_groups_.front());
    ready_groups_.pop_front();
    auto git = groups_.find(gid);
    if (git == groups_.end()) continue;
    Group& g = git->second;
    g.queued = false;
    if (g.inflight > 0) continue;
    size_t i = 0;
    while (i < g.pending.size() && taken() < max) {
      auto* m = find(g.pending[i]);
      if (m == nullptr) {
        g.pending.erase(g.pending.begin() + static_cast<long>(i));
        continue;
      }
      if (m->state != MessageState::kReady) break;
      if (expired(*m, now_ms)) {
        forget_resident(*m);
        leave_state(*m);
        messages_.erase(m->seq);
        g.pending.erase(g.pending.begin() + static_cast<long>(i));
        counters.expired.add(1);
        continue;
      }
      if (move_after == kTakeAll || (move_after > 0 && m->receive_count + 1 > move_after)) {
        ++m->receive_count;
        moved.push_back(*m);
        forget_resident(*m);
        leave_state(*m);
        messages_.erase(m->seq);
        g.pending.erase(g.pending.begin() + static_cast<long>(i));
        continue;
      }
      ++m->receive_count;
      if (m->first_receive_ms == 0) m->first_receive_ms = now_ms;
      m->received_ms = now_ms;
      enter_inflight(*m, now_ms + visibility_s * 1000);
      out.push_back(m);
      ++i;
    }
    // groups_ may have been rehashed by enter_inflight's operator[]; look the group up again.
    git = groups_.find(gid);
    if (git == groups_.end()) continue;
    if (git->second.pending.empty() && git->second.inflight == 0) {
      groups_.erase(git);
    } else {
      group_unblock_check(gid);
    }
  }
}

const Queue::DedupEntry* Queue::find_dedup(const std::string& key, int64_t now_ms) {
  auto it = dedup_.find(key);
  if (it == dedup_.end()) return nullptr;
  if (it->second.expires_ms <= now_ms) {
    dedup_.erase(it);
    return nullptr;
  }
  return &it->second;
}

void Queue::remember_dedup(const std::string& key, DedupEntry e) {
  dedup_order_.emplace_back(key, e.expires_ms);
  dedup_[key] = std::move(e);
}

}  // namespace tern::engine
