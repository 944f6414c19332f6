// Engine::peek_messages and Engine::queue_stats (engine/peek.h): read-only views for operators.
#include <algorithm>
#include <mutex>

#include "engine/engine.h"

namespace tern::engine {
namespace {

// The MessageRecord fields a peek reads, each through one accessor, so that a change of the
// record's layout touches only these lines. The page is chosen on the queue's index entries
// (MessageEntry); only the messages of the page are materialized (and read back from the log
// when the queue keeps only their entry).
uint64_t seq_of(const MessageRecord& m) { return m.seq; }
int64_t sent_ms_of(const MessageRecord& m) { return m.sent_ms; }
int64_t visible_at_of(const MessageRecord& m) { return m.visible_at_ms; }

// What a consumer would see at `now`, without applying due timers to the queue: a delayed or
// in-flight message whose deadline passed is visible.
PeekState state_at(const MessageRecord& m, int64_t now) {
  if (m.state == MessageState::kReady || visible_at_of(m) <= now) return PeekState::kVisible;
  return m.state == MessageState::kInFlight ? PeekState::kInFlight : PeekState::kDelayed;
}

PeekedMessage describe(const Queue& q, const MessageRecord& m, int64_t now) {
  PeekedMessage p;
  p.seq = seq_of(m);
  p.message_id = m.message_id;
  p.md5_of_body = m.md5_of_body;
  if (m.attributes) p.message_attributes = *m.attributes;
  p.group_id = m.group_id;
  if (q.config.fifo) {
    p.deduplication_id = m.deduplication_id;
    p.sequence_number = q.sequence_number(seq_of(m));
  }
  p.dead_letter_source_arn = m.dead_letter_source_arn;
  p.trace_header = m.trace_header;
  p.sender_id = m.sender_id;
  p.sent_ms = sent_ms_of(m);
  p.first_receive_ms = m.first_receive_ms;
  p.receive_count = m.receive_count;
  p.state = state_at(m, now);
  if (p.state != PeekState::kVisible) p.visible_at_ms = visible_at_of(m);
  return p;
}

// Cuts `body` to at most `max` bytes without splitting a UTF-8 sequence (bodies are valid
// UTF-8: SQS refuses anything else).
void cut_body(PeekedMessage& p, std::string body, size_t max) {
  p.body_bytes = body.size();
  if (max != 0 && body.size() > max) {
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
    body.resize(end);
    p.body_truncated = true;
  }
  p.body = std::move(body);
}

}  // namespace

const char* peek_state_name(PeekState s) {
  switch (s) {
    case PeekState::kVisible: return "visible";
    case PeekState::kInFlight: return "in_flight";
    case PeekState::kDelayed: return "delayed";
  }
  return "visible";
}

Result<PeekResult> Engine::peek_messages(const PeekRequest& req) const {
  if (req.limit < 1 || req.limit > kMaxPeekLimit) {
    return fail(ErrorCode::kInvalidParameterValue,
                "limit must be between 1 and " + std::to_string(kMaxPeekLimit) + ".");
  }
  auto q = find_queue_by_name(req.queue_name);
  if (!q) return fail(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
  const int64_t now = options_.clock->now_ms();
  PeekResult out;
  std::lock_guard lock(q->mu);
  if (q->deleted) return fail(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
  const int64_t retention_ms = q->config.message_retention_period * 1000;
  auto live = [&](const MessageEntry& e) { return e.sent_ms() + retention_ms > now; };
  out.total = q->size();

  // The page is the `limit` smallest live seqs above after_seq, plus one to know whether more
  // follow. Sequence numbers are dense in a busy queue, so probing them in order usually finds
  // the page in about limit + 1 lookups; when deletes left long gaps, the probe stops after as
  // many lookups as the queue has messages and one pass over the messages finds it instead.
  // Either way a page costs O(messages in the queue) at worst, under the queue's lock.
  const size_t want = req.limit + 1;
  std::vector<std::pair<uint64_t, const MessageEntry*>> page;
  page.reserve(want);
  const uint64_t end = q->next_seq();
  const uint64_t budget = std::max<uint64_t>(q->size(), want) + 64;
  uint64_t seq = req.after_seq + 1, probes = 0;
  for (; seq < end && page.size() < want && probes < budget; ++seq, ++probes) {
    const MessageEntry* e = q->find(seq);
    if (e != nullptr && live(*e)) page.emplace_back(seq, e);
  }
  if (page.size() < want && seq < end) {
    page.clear();
    std::vector<std::pair<uint64_t, const MessageEntry*>> all;
    q->for_each_entry([&](uint64_t s, const MessageEntry& e) {
      if (s > req.after_seq && live(e)) all.emplace_back(s, &e);
    });
    const size_t n = std::min(want, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<long>(n), all.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
    page.assign(all.begin(), all.begin() + static_cast<long>(n));
  }
  if (page.size() > req.limit) {
    page.resize(req.limit);
    out.next_after = page.back().first;
  }

  std::vector<uint64_t> seqs;
  for (const auto& [s, e] : page) seqs.push_back(s);
  std::vector<int64_t> visible_at;
  q->visible_at(seqs, visible_at);
  out.messages.reserve(page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    MessageRecord m = q->materialize(page[i].first, *page[i].second);
    m.visible_at_ms = visible_at[i];
    // Read into the answer only: the queue keeps the message as it was (not made resident).
    if (auto st = hydrate(m); !st) return tern::unexpected(std::move(st).error());
    PeekedMessage p = describe(*q, m, now);
    cut_body(p, std::move(m.body), req.max_body_bytes);
    out.messages.push_back(std::move(p));
  }
  return out;
}

std::vector<QueueStats> Engine::queue_stats() const {
  std::vector<QueueStats> out;
  const int64_t now = options_.clock->now_ms();
  for (const auto& q : all_queues()) {
    QueueStats s;
    s.name = q->name;
    s.url = q->url;
    s.arn = q->arn;
    s.uid = q->uid;
    std::lock_guard lock(q->mu);
    if (q->deleted) continue;
    // Due delays and visibility timeouts are applied first, as GetQueueAttributes does: the
    // counts are then what a consumer would see. Nothing a client can observe changes.
    q->process_due(now);
    s.fifo = q->config.fifo;
    s.visible = static_cast<int64_t>(q->ready_count());
    s.in_flight = static_cast<int64_t>(q->inflight_count());
    s.delayed = static_cast<int64_t>(q->delayed_count());
    s.entered = q->next_seq() - 1;
    if (q->config.redrive_policy) {
      s.dead_letter_target_arn = q->config.dead_letter_target_arn;
      s.max_receive_count = q->config.max_receive_count;
    }
    s.created_s = q->created_s;
    const int64_t oldest = q->oldest_sent_ms();
    s.oldest_age_ms = oldest < 0 ? 0 : std::max<int64_t>(0, now - oldest);
    s.sent = q->counters.sent.get();
    s.received = q->counters.received.get();
    s.deleted = q->counters.deleted.get();
    s.expired = q->counters.expired.get();
    s.dead_lettered = q->counters.dead_lettered.get();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tern::engine
