#include "engine/log_journal.h"

#include <chrono>

#include "engine/journal_codec.h"

namespace tern::engine {
namespace jc = journal_codec;
namespace {

// The ticket of the last record this thread appended and has not handed to a request yet.
struct PendingTicket {
  uint64_t owner = 0;  // LogJournal::id_: an address could be reused by a later journal
  uint64_t ticket = 0;
};
thread_local PendingTicket tls_pending;

constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;

BodyRef to_body_ref(const storage::RecordRef& r) {
  return BodyRef{r.segment, r.offset, r.length};
}

}  // namespace

LogJournal::~LogJournal() { (void)close(); }

storage::Status LogJournal::open(storage::Env* env, const LogJournalOptions& options,
                                 Engine& engine, storage::RecoveryReport* report) {
  if (options.segment_bytes > (uint64_t{1} << 32)) {
    return storage::Status::invalid_argument("segment_bytes above 4 GiB");
  }
  options_ = options;
  engine_ = &engine;
  storage::LogOptions lo;
  lo.mode = options.mode;
  lo.segment_bytes = options.segment_bytes;
  auto log = storage::Log::open(
      env, options.dir, lo, [this](const storage::LogRecord& r) { return replay(r); }, report);
  if (!log) return log.error();
  log_ = std::move(*log);
  engine.finish_recovery();
  if (options.compaction_interval_ms > 0) {
    compaction_thread_ = std::thread([this] { compaction_loop(); });
  }
  return storage::Status();
}

storage::Status LogJournal::close() {
  {
    std::lock_guard lock(compaction_mu_);
    stop_ = true;
  }
  compaction_cv_.notify_all();
  if (compaction_thread_.joinable()) compaction_thread_.join();
  if (!log_) return storage::Status();
  return log_->close();
}

storage::Status LogJournal::replay(const storage::LogRecord& r) {
  auto corrupt = [&](const char* what) {
    return storage::Status::corruption(std::string("undecodable ") + what + " record at LSN " +
                                       std::to_string(r.lsn) + " (segment " +
                                       std::to_string(r.ref.segment) + ", offset " +
                                       std::to_string(r.ref.offset) + ")");
  };
  switch (r.type) {
    case jc::kQueueSnapshot: {
      auto s = jc::decode_queue_snapshot(r.payload);
      if (!s) return corrupt("queue snapshot");
      engine_->restore_queue(*s);
      break;
    }
    case jc::kQueueDeleted: {
      auto d = jc::decode_queue_deleted(r.payload);
      if (!d) return corrupt("queue deleted");
      engine_->restore_queue_deleted(d->uid);
      break;
    }
    case jc::kQueuePurged: {
      auto p = jc::decode_queue_purged(r.payload);
      if (!p) return corrupt("queue purged");
      engine_->restore_queue_purged(p->uid, p->purge_ms);
      break;
    }
    case jc::kMessageSent: {
      auto s = jc::decode_message_sent(r.payload);
      if (!s) return corrupt("message sent");
      s->message.body_ref = to_body_ref(r.ref);
      std::string().swap(s->message.body);  // read back from the log when received
      engine_->restore_message(s->uid, std::move(s->message));
      break;
    }
    case jc::kMessageReceived: {
      auto x = jc::decode_message_received(r.payload);
      if (!x) return corrupt("message received");
      engine_->restore_received(x->uid, x->seq, x->receive_count, x->first_receive_ms);
      break;
    }
    case jc::kMessageDeleted: {
      auto d = jc::decode_message_deleted(r.payload);
      if (!d) return corrupt("message deleted");
      engine_->restore_deleted(d->uid, d->seq);
      break;
    }
    default:
      return storage::Status::corruption("unknown record type " + std::to_string(r.type) +
                                         " at LSN " + std::to_string(r.lsn));
  }
  return storage::Status();
}

uint64_t LogJournal::append(uint8_t type, const std::string& payload, OnDurable on_ok) {
  std::lock_guard lock(append_mu_);
  uint64_t ticket = next_ticket_++;
  log_->append(type, payload,
               [this, ticket, on_ok = std::move(on_ok)](const storage::Status& st,
                                                        const storage::AppendResult& res) {
                 if (st.ok() && on_ok) on_ok(res);
                 mark(ticket, st.ok());
               });
  if (tls_pending.owner != id_) tls_pending = {id_, 0};
  tls_pending.ticket = ticket;
  return ticket;
}

void LogJournal::mark(uint64_t ticket, bool ok) {
  std::vector<std::function<void(bool)>> ready;
  {
    std::lock_guard lock(durable_mu_);
    if (!ok) {
      failed_.store(true, std::memory_order_release);
      for (auto& [t, fn] : waiters_) ready.push_back(std::move(fn));
      waiters_.clear();
    } else {
      durable_upto_ = std::max(durable_upto_, ticket);
      auto end = waiters_.upper_bound(durable_upto_);
      for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), end);
    }
  }
  for (auto& fn : ready) fn(ok);
}

uint64_t LogJournal::take_ticket() {
  if (tls_pending.owner != id_) return 0;
  uint64_t t = tls_pending.ticket;
  tls_pending.ticket = 0;
  return t;
}

void LogJournal::on_durable(uint64_t ticket, std::function<void(bool ok)> done) {
  bool now_ok = false, now_failed = false;
  {
    std::lock_guard lock(durable_mu_);
    if (failed_.load()) {
      now_failed = true;
    } else if (ticket <= durable_upto_) {
      now_ok = true;
    } else {
      waiters_.emplace(ticket, std::move(done));
      return;
    }
  }
  if (now_ok) done(true);
  if (now_failed) done(false);
}

bool LogJournal::wait_durable(uint64_t ticket) {
  std::mutex mu;
  std::condition_variable cv;
  int result = -1;
  on_durable(ticket, [&](bool ok) {
    std::lock_guard lock(mu);
    result = ok ? 1 : 0;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return result >= 0; });
  return result == 1;
}

void LogJournal::queue_snapshot(Queue& q) {
  append(jc::kQueueSnapshot, jc::encode_queue_snapshot(snapshot_of(q)));
}

void LogJournal::queue_deleted(Queue& q) {
  append(jc::kQueueDeleted, jc::encode_queue_deleted(q.uid));
}

void LogJournal::queue_purged(Queue& q) {
  append(jc::kQueuePurged, jc::encode_queue_purged(q.uid, q.last_purge_ms));
}

void LogJournal::message_sent(Queue& q, MessageRecord& m) {
  std::weak_ptr<Queue> weak = q.shared_from_this();
  const uint64_t seq = m.seq;
  const int64_t budget = options_.resident_body_budget;
  append(jc::kMessageSent, jc::encode_message_sent(q.uid, m),
         [weak, seq, budget](const storage::AppendResult& res) {
           auto queue = weak.lock();
           if (!queue) return;
           std::lock_guard lock(queue->mu);
           queue->attach_ref(seq, to_body_ref(res.ref), budget);
         });
}

void LogJournal::message_received(Queue& q, const MessageRecord& m) {
  append(jc::kMessageReceived,
         jc::encode_message_received(q.uid, m.seq, m.receive_count, m.first_receive_ms));
}

void LogJournal::message_deleted(Queue& q, const MessageRecord& m) {
  append(jc::kMessageDeleted, jc::encode_message_deleted(q.uid, m.seq));
}

std::optional<MessageRecord> LogJournal::read_message(const BodyRef& ref) {
  auto payload = log_->read(storage::RecordRef{ref.segment, ref.offset, ref.length});
  if (!payload) return std::nullopt;
  auto sent = jc::decode_message_sent(*payload);
  if (!sent) return std::nullopt;
  sent->message.body_ref = ref;
  return std::move(sent->message);
}

std::optional<std::string> LogJournal::read_body(const BodyRef& ref) {
  auto m = read_message(ref);
  if (!m) return std::nullopt;
  return std::move(m->body);
}

LogJournalStats LogJournal::stats() const {
  LogJournalStats st;
  st.log = log_->stats();
  st.compactions = compactions_.load(std::memory_order_relaxed);
  st.compaction_failures = compaction_failures_.load(std::memory_order_relaxed);
  st.compaction_rewrites = compaction_rewrites_.load(std::memory_order_relaxed);
  return st;
}

storage::Result<bool> LogJournal::compact_once() {
  uint64_t rewrites = 0;
  auto r = compact_oldest(&rewrites);
  if (!r) {
    compaction_failures_.fetch_add(1, std::memory_order_relaxed);
  } else if (*r) {
    compactions_.fetch_add(1, std::memory_order_relaxed);
    compaction_rewrites_.fetch_add(rewrites, std::memory_order_relaxed);
  }
  return r;
}

storage::Result<bool> LogJournal::compact_oldest(uint64_t* rewrites) {
  auto segments = log_->list_segments();
  if (segments.size() < 2) return false;
  const storage::SegmentInfo oldest = segments.front();
  const int64_t now = engine_->options().clock->now_ms();
  first_seen_sealed_ms_.try_emplace(oldest.id, now);

  std::unordered_map<uint64_t, uint64_t> live;
  uint64_t total_live = 0, disk = 0;
  bool any_fifo = false;
  for (const auto& s : segments) disk += s.bytes;
  auto queues = engine_->all_queues();
  for (const auto& q : queues) {
    std::lock_guard lock(q->mu);
    any_fifo = any_fifo || q->config.fifo;
    q->for_each_ref([&](uint64_t, const BodyRef& ref) {
      live[ref.segment] += ref.length + 32;
      total_live += ref.length + 32;
    });
  }
  // FIFO deduplication ids are rebuilt from send records; keep a sealed segment for the 5-minute
  // window so that a restart does not forget a recently deleted message's id.
  if (any_fifo && now - first_seen_sealed_ms_[oldest.id] < kDedupWindowMs) return false;
  const uint64_t oldest_live = live[oldest.id];
  const bool worth = oldest_live * 2 < oldest.bytes ||
                     disk > 2 * total_live + 2 * options_.segment_bytes;
  if (!worth) return false;

  // Rewrite what is still live in the oldest segment to the head of the log: every queue's
  // definition (cheap, and it may only be in the oldest segment) and each live message sent there,
  // as its record says with its current receive count. Under the queue's lock, so a concurrent
  // delete is journaled after the copy and wins on replay.
  uint64_t last = 0;
  for (const auto& q : queues) {
    std::lock_guard lock(q->mu);
    if (q->deleted) continue;
    last = std::max(last, append(jc::kQueueSnapshot, jc::encode_queue_snapshot(snapshot_of(*q))));
    std::vector<std::pair<uint64_t, BodyRef>> here;
    q->for_each_ref([&](uint64_t seq, const BodyRef& ref) {
      if (ref.segment == oldest.id) here.emplace_back(seq, ref);
    });
    for (const auto& [seq, ref] : here) {
      auto copy = read_message(ref);
      const MessageEntry* e = q->find(seq);
      if (!copy || e == nullptr) {
        return tern::unexpected(storage::Status::corruption(
            "cannot read message " + std::to_string(seq) + " of queue " + q->name +
            " for compaction (segment " + std::to_string(ref.segment) + ", offset " +
            std::to_string(ref.offset) + ")"));
      }
      copy->receive_count = e->receive_count();
      copy->first_receive_ms = e->first_receive_ms();
      std::weak_ptr<Queue> weak = q;
      ++*rewrites;
      last = std::max(last, append(jc::kMessageSent, jc::encode_message_sent(q->uid, *copy),
                                   [weak, seq = seq](const storage::AppendResult& res) {
                                     auto queue = weak.lock();
                                     if (!queue) return;
                                     std::lock_guard l(queue->mu);
                                     queue->move_ref(seq, to_body_ref(res.ref));
                                   }));
    }
  }
  take_ticket();  // compaction's own appends are not a request's
  if (last != 0 && !wait_durable(last)) return tern::unexpected(log_->failure());
  if (auto st = log_->sync(); !st.ok()) return tern::unexpected(st);
  if (auto st = log_->delete_segment(oldest.id); !st.ok()) return tern::unexpected(st);
  first_seen_sealed_ms_.erase(oldest.id);
  return true;
}

void LogJournal::compaction_loop() {
  std::unique_lock lock(compaction_mu_);
  while (!stop_) {
    compaction_cv_.wait_for(lock, std::chrono::milliseconds(options_.compaction_interval_ms));
    if (stop_) break;
    lock.unlock();
    for (int i = 0; i < 16; ++i) {  // a few segments per round
      auto r = compact_once();
      if (!r || !*r) break;
    }
    lock.lock();
  }
}

}  // namespace tern::engine
