#include "client/consumer.h"

#include <algorithm>
#include <exception>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tern::client {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

int64_t receive_count(const Message& m) {
  for (const auto& [k, v] : m.attributes) {
    if (k == "ApproximateReceiveCount") {
      try {
        return std::max<int64_t>(1, std::stoll(v));
      } catch (...) {
        return 1;
      }
    }
  }
  return 1;
}

std::string group_of(const Message& m) {
  for (const auto& [k, v] : m.attributes) {
    if (k == "MessageGroupId") return v;
  }
  return {};
}

// What became of one handler run.
struct Outcome {
  enum Kind { kOk, kFailed, kTimeout, kAborted } kind = kOk;
  std::string reason;
};

}  // namespace

struct Consumer::Impl : std::enable_shared_from_this<Impl> {
  Impl(SqsClient& c, ConsumerOptions o)
      : client(c),
        options(std::move(o)),
        strand(asio::make_strand(c.get_executor())),
        permit_signal(strand, Clock::time_point::max()),
        stop_signal(strand, Clock::time_point::max()),
        abort_signal(strand, Clock::time_point::max()),
        drain_signal(strand, Clock::time_point::max()),
        flush_timer(strand),
        deadline_timer(strand),
        stopped_future(stopped_promise.get_future().share()) {
    options.concurrency = std::max(1, options.concurrency);
    options.ack_batch_size = std::clamp<size_t>(options.ack_batch_size, 1, 10);
    if (options.pollers <= 0) options.pollers = std::min(8, (options.concurrency + 9) / 10);
    if (!options.fifo) {
      const auto& u = options.queue_url;
      options.fifo = u.size() >= 5 && u.compare(u.size() - 5, 5, ".fifo") == 0;
    }
    if (options.heartbeat_interval.count() <= 0) {
      options.heartbeat_interval =
          std::chrono::milliseconds(std::max(1, options.visibility_timeout) * 500);
    }
  }

  enum class State { kIdle, kRunning, kDraining, kStopped };

  SqsClient& client;
  ConsumerOptions options;
  asio::strand<asio::any_io_executor> strand;
  AsyncHandler single;
  AsyncBatchHandler batch;
  std::unique_ptr<asio::thread_pool> pool;  // for plain-function handlers

  // Strand-only state.
  State state = State::kIdle;
  int free_permits = 0;
  int pollers_running = 0;
  int units_running = 0;  // handler tasks (one message, one batch or one FIFO group)
  int background_ops = 0; // deletes and visibility changes not yet answered
  std::vector<api::DeleteMessageBatchRequestEntry> pending_acks;
  bool flush_armed = false;

  // Timers used as signals: waiting on one parks a coroutine until cancel() / expires_at(min).
  asio::steady_timer permit_signal, stop_signal, abort_signal, drain_signal;
  asio::steady_timer flush_timer, deadline_timer;

  std::atomic<bool> is_stopped{false};
  std::promise<void> stopped_promise;
  std::shared_future<void> stopped_future;
  struct {
    std::atomic<int64_t> received{0}, processed{0}, failed{0}, deleted{0}, heartbeats{0},
        receives{0};
  } stats;

  template <class F>
  void spawn(F&& f) {
    asio::co_spawn(strand, std::forward<F>(f), asio::detached);
  }
  void emit_error(const ClientError& e) {
    if (options.events.on_error) options.events.on_error(e);
  }
  void notify_drain() { drain_signal.cancel(); }

  static asio::awaitable<void> wait_signal(asio::steady_timer& t) {
    co_await t.async_wait(kTuple);
  }
  static asio::awaitable<void> sleep(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(d);
    co_await t.async_wait(kTuple);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  void start() {
    if (state != State::kIdle) return;
    state = State::kRunning;
    free_permits = options.concurrency;
    if (options.events.on_started) options.events.on_started();
    const auto& q = options.queue_url;
    if (q.rfind("http://", 0) != 0 && q.rfind("https://", 0) != 0) {
      // A queue name: look its URL up first; a failure is reported and stops the consumer.
      ++pollers_running;
      spawn([self = shared_from_this()]() -> asio::awaitable<void> {
        auto url = co_await self->client.resolve_queue_url(self->options.queue_url);
        --self->pollers_running;
        if (!url) {
          self->emit_error(url.error());
          self->stop(std::chrono::milliseconds(0));
          self->notify_drain();
          co_return;
        }
        self->options.queue_url = *url;
        if (self->state == State::kRunning) self->start_pollers();
        self->notify_drain();
      });
      return;
    }
    start_pollers();
  }

  void start_pollers() {
    for (int i = 0; i < options.pollers; ++i) {
      ++pollers_running;
      spawn([self = shared_from_this()]() { return self->poll_loop(); });
    }
  }

  void stop(std::chrono::milliseconds deadline) {
    if (state == State::kIdle) {
      finish();
      return;
    }
    if (state != State::kRunning) return;
    state = State::kDraining;
    stop_signal.expires_at(Clock::time_point::min());  // wakes pollers now and later
    permit_signal.cancel();
    deadline_timer.expires_after(deadline);
    spawn([self = shared_from_this()]() -> asio::awaitable<void> {
      auto [ec] = co_await self->deadline_timer.async_wait(kTuple);
      if (!ec) self->abort_signal.expires_at(Clock::time_point::min());
    });
    spawn([self = shared_from_this()]() { return self->drain(); });
  }

  asio::awaitable<void> drain() {
    while (pollers_running > 0 || units_running > 0) co_await wait_signal(drain_signal);
    deadline_timer.cancel();
    flush_timer.cancel();
    flush_acks();
    while (background_ops > 0) co_await wait_signal(drain_signal);
    finish();
  }

  void finish() {
    if (state == State::kStopped) return;
    state = State::kStopped;
    if (options.events.on_stopped) options.events.on_stopped();
    is_stopped.store(true);
    stopped_promise.set_value();
  }

  // ---- polling --------------------------------------------------------------------------------

  asio::awaitable<void> poll_loop() {
    auto self = shared_from_this();
    while (state == State::kRunning) {
      while (free_permits == 0 && state == State::kRunning) co_await wait_signal(permit_signal);
      if (state != State::kRunning) break;
      int want = std::min(10, free_permits);
      free_permits -= want;  // reserved for what this receive brings back
      api::ReceiveMessageRequest req;
      req.queue_url = options.queue_url;
      req.attribute_names = {"All"};
      req.message_attribute_names = options.message_attribute_names;
      req.max_number_of_messages = want;
      req.visibility_timeout = options.visibility_timeout;
      req.wait_time_seconds = options.wait_time_seconds;
      stats.receives.fetch_add(1);
      auto r = co_await (receive(std::move(req)) || wait_signal(stop_signal));
      if (r.index() == 1) {
        release_permits(want);
        break;
      }
      auto& res = *std::get<0>(r);
      if (!res) {
        release_permits(want);
        if (res.error().kind != ErrorKind::kCancelled) emit_error(res.error());
        if (state == State::kRunning) {
          co_await (sleep(options.poll_error_backoff) || wait_signal(stop_signal));
        }
        continue;
      }
      auto& msgs = res->messages;
      release_permits(want - static_cast<int>(msgs.size()));
      if (msgs.empty()) {
        if (options.events.on_empty) options.events.on_empty();
        continue;
      }
      stats.received.fetch_add(static_cast<int64_t>(msgs.size()));
      dispatch(std::move(msgs));
    }
    --pollers_running;
    notify_drain();
  }

  // Result<T> is not default-constructible, which awaitable operators need.
  asio::awaitable<std::optional<Result<api::ReceiveMessageResult>>> receive(
      api::ReceiveMessageRequest req) {
    co_return co_await client.receive_message(std::move(req));
  }

  void release_permits(int n) {
    if (n <= 0) return;
    free_permits += n;
    permit_signal.cancel();
  }

  void dispatch(std::vector<Message> msgs) {
    auto self = shared_from_this();
    if (!*options.fifo) {
      if (batch) {
        ++units_running;
        spawn([self, msgs = std::move(msgs)]() mutable { return self->run_batch(std::move(msgs)); });
      } else {
        for (auto& m : msgs) {
          ++units_running;
          spawn([self, m = std::move(m)]() mutable { return self->run_single(std::move(m)); });
        }
      }
      return;
    }
    // FIFO: split by group, keeping the order the server gave within each group.
    std::vector<std::pair<std::string, std::vector<Message>>> groups;
    for (auto& m : msgs) {
      std::string g = group_of(m);
      auto it = std::find_if(groups.begin(), groups.end(), [&](auto& p) { return p.first == g; });
      if (it == groups.end()) {
        groups.emplace_back(g, std::vector<Message>{});
        it = groups.end() - 1;
      }
      it->second.push_back(std::move(m));
    }
    for (auto& [g, list] : groups) {
      ++units_running;
      if (batch) {
        spawn([self, l = std::move(list)]() mutable { return self->run_batch(std::move(l)); });
      } else {
        spawn([self, l = std::move(list)]() mutable { return self->run_group(std::move(l)); });
      }
    }
  }

  // ---- running handlers -----------------------------------------------------------------------

  // The receipt handles whose visibility a heartbeat keeps extending.
  using Lease = std::vector<std::string>;

  asio::awaitable<void> heartbeat(std::shared_ptr<Lease> lease) {
    if (!options.heartbeat) {
      co_await wait_signal(permit_forever());
      co_return;
    }
    asio::steady_timer t(strand);
    for (;;) {
      t.expires_after(options.heartbeat_interval);
      auto [ec] = co_await t.async_wait(kTuple);
      if (ec) co_return;
      Lease handles = *lease;
      for (size_t i = 0; i < handles.size(); i += 10) {
        api::ChangeMessageVisibilityBatchRequest req;
        req.queue_url = options.queue_url;
        for (size_t j = i; j < std::min(handles.size(), i + 10); ++j) {
          req.entries.push_back({std::to_string(j - i), handles[j], options.visibility_timeout});
        }
        auto r = co_await client.change_message_visibility_batch(std::move(req));
        if (!r) {
          if (r.error().kind == ErrorKind::kCancelled) co_return;
          emit_error(r.error());
        } else {
          stats.heartbeats.fetch_add(static_cast<int64_t>(r->successful.size()));
        }
      }
    }
  }

  // A timer that never fires (for "no timeout" / "no heartbeat" branches).
  asio::steady_timer& permit_forever() {
    if (!forever_) forever_ = std::make_unique<asio::steady_timer>(strand, Clock::time_point::max());
    return *forever_;
  }
  std::unique_ptr<asio::steady_timer> forever_;

  asio::awaitable<void> timeout_wait() {
    if (options.handler_timeout.count() <= 0) {
      co_await wait_signal(permit_forever());
    } else {
      co_await sleep(options.handler_timeout);
    }
  }

  // Runs `work` under the timeout, the heartbeat and the drain deadline.
  template <class T>
  asio::awaitable<std::pair<Outcome, T>> guarded(asio::awaitable<T> work,
                                                 std::shared_ptr<Lease> lease) {
    auto caught = [](asio::awaitable<T> w) -> asio::awaitable<std::pair<Outcome, T>> {
      try {
        T v = co_await std::move(w);
        co_return std::pair<Outcome, T>{Outcome{}, std::move(v)};
      } catch (const std::exception& e) {
        co_return std::pair<Outcome, T>{Outcome{Outcome::kFailed, e.what()}, T{}};
      } catch (...) {
        co_return std::pair<Outcome, T>{Outcome{Outcome::kFailed, "unknown exception"}, T{}};
      }
    };
    auto r = co_await (caught(std::move(work)) || timeout_wait() || heartbeat(lease) ||
                       wait_signal(abort_signal));
    switch (r.index()) {
      case 0:
        co_return std::get<0>(std::move(r));
      case 1:
        co_return std::pair<Outcome, T>{Outcome{Outcome::kTimeout, "timeout"}, T{}};
      default:
        co_return std::pair<Outcome, T>{Outcome{Outcome::kAborted, "stopped"}, T{}};
    }
  }

  asio::awaitable<void> run_single(Message m) {
    if (options.events.on_received) options.events.on_received(m);
    auto lease = std::make_shared<Lease>(Lease{m.receipt_handle});
    auto [out, ok] = co_await guarded<bool>(single(m), lease);
    if (out.kind == Outcome::kOk && !ok) out = Outcome{Outcome::kFailed, "handler returned false"};
    settle(m, out);
    release_permits(1);
    unit_done();
  }

  asio::awaitable<void> run_group(std::vector<Message> msgs) {
    auto lease = std::make_shared<Lease>();
    for (const auto& m : msgs) lease->push_back(m.receipt_handle);
    size_t i = 0;
    for (; i < msgs.size(); ++i) {
      const Message& m = msgs[i];
      if (state == State::kDraining && abort_signal.expiry() == Clock::time_point::min()) break;
      if (options.events.on_received) options.events.on_received(m);
      auto [out, ok] = co_await guarded<bool>(single(m), lease);
      if (out.kind == Outcome::kOk && !ok) out = Outcome{Outcome::kFailed, "handler returned false"};
      lease->erase(lease->begin());
      settle(m, out);
      release_permits(1);
      if (out.kind != Outcome::kOk) {
        ++i;
        break;
      }
    }
    if (i < msgs.size()) {
      // The rest of this group's batch goes back, visible at once; the failed message (in flight
      // under its backoff) keeps the group blocked on the server, so they return in order.
      std::vector<std::string> rest;
      for (size_t j = i; j < msgs.size(); ++j) rest.push_back(msgs[j].receipt_handle);
      change_visibility(std::move(rest), 0);
      release_permits(static_cast<int>(msgs.size() - i));
    }
    unit_done();
  }

  asio::awaitable<void> run_batch(std::vector<Message> msgs) {
    auto lease = std::make_shared<Lease>();
    for (const auto& m : msgs) {
      lease->push_back(m.receipt_handle);
      if (options.events.on_received) options.events.on_received(m);
    }
    auto [out, result] = co_await guarded<BatchOutcome>(batch(msgs), lease);
    for (const auto& m : msgs) {
      Outcome o = out;
      if (o.kind == Outcome::kOk &&
          std::find(result.failed_message_ids.begin(), result.failed_message_ids.end(),
                    m.message_id) != result.failed_message_ids.end()) {
        o = Outcome{Outcome::kFailed, "batch handler reported failure"};
      }
      settle(m, o);
    }
    release_permits(static_cast<int>(msgs.size()));
    unit_done();
  }

  void unit_done() {
    --units_running;
    notify_drain();
  }

  // ---- ack / nack -----------------------------------------------------------------------------

  void settle(const Message& m, const Outcome& out) {
    switch (out.kind) {
      case Outcome::kOk:
        stats.processed.fetch_add(1);
        if (options.events.on_processed) options.events.on_processed(m);
        queue_ack(m.receipt_handle);
        break;
      case Outcome::kFailed:
      case Outcome::kTimeout: {
        stats.failed.fetch_add(1);
        if (options.events.on_processing_error) options.events.on_processing_error(m, out.reason);
        int64_t count = receive_count(m);
        int64_t base = options.nack_backoff_base.count();
        int64_t delay = base;
        for (int64_t k = 1; k < count && delay < options.nack_backoff_cap.count(); ++k) delay *= 2;
        delay = std::clamp<int64_t>(delay, 0, std::min<int64_t>(options.nack_backoff_cap.count(), 43200));
        change_visibility({m.receipt_handle}, delay);
        break;
      }
      case Outcome::kAborted:
        break;  // left as is: it reappears after its visibility timeout
    }
  }

  void queue_ack(std::string handle) {
    pending_acks.push_back({"", std::move(handle)});
    if (pending_acks.size() >= options.ack_batch_size) {
      flush_acks();
    } else if (!flush_armed) {
      flush_armed = true;
      flush_timer.expires_after(options.ack_flush_interval);
      spawn([self = shared_from_this()]() -> asio::awaitable<void> {
        co_await self->flush_timer.async_wait(kTuple);
        self->flush_armed = false;
        self->flush_acks();
      });
    }
  }

  void flush_acks() {
    while (!pending_acks.empty()) {
      size_t n = std::min<size_t>(10, pending_acks.size());
      api::DeleteMessageBatchRequest req;
      req.queue_url = options.queue_url;
      for (size_t i = 0; i < n; ++i) {
        req.entries.push_back({std::to_string(i), std::move(pending_acks[i].receipt_handle)});
      }
      pending_acks.erase(pending_acks.begin(), pending_acks.begin() + n);
      ++background_ops;
      spawn([self = shared_from_this(), req = std::move(req)]() mutable -> asio::awaitable<void> {
        auto r = co_await self->client.delete_message_batch(std::move(req));
        if (!r) {
          self->emit_error(r.error());
        } else {
          self->stats.deleted.fetch_add(static_cast<int64_t>(r->successful.size()));
          for (const auto& f : r->failed) {
            ClientError e;
            e.code = "DeleteMessageBatchEntryFailed";
            e.message = "entry " + f.id + ": " + f.error.message;
            self->emit_error(e);
          }
        }
        --self->background_ops;
        self->notify_drain();
      });
    }
  }

  void change_visibility(std::vector<std::string> handles, int64_t seconds) {
    for (size_t i = 0; i < handles.size(); i += 10) {
      api::ChangeMessageVisibilityBatchRequest req;
      req.queue_url = options.queue_url;
      for (size_t j = i; j < std::min(handles.size(), i + 10); ++j) {
        req.entries.push_back({std::to_string(j - i), handles[j], seconds});
      }
      ++background_ops;
      spawn([self = shared_from_this(), req = std::move(req)]() mutable -> asio::awaitable<void> {
        auto r = co_await self->client.change_message_visibility_batch(std::move(req));
        if (!r) self->emit_error(r.error());
        --self->background_ops;
        self->notify_drain();
      });
    }
  }
};

// ---- handler adapters ---------------------------------------------------------------------------

namespace {

// Runs `fn` on `pool` and resumes on the calling coroutine's executor. Cancellation (timeout,
// drain deadline) resumes the caller at once; the function keeps its thread until it returns.
template <class T>
asio::awaitable<T> run_blocking(asio::thread_pool& pool, std::function<T()> fn) {
  auto ex = co_await asio::this_coro::executor;
  struct State {
    explicit State(asio::any_io_executor e) : timer(e, Clock::time_point::max()) {}
    asio::steady_timer timer;
    std::optional<T> value;
    std::exception_ptr error;
    bool done = false;
  };
  auto st = std::make_shared<State>(ex);
  asio::post(pool, [st, fn = std::move(fn), ex]() mutable {
    std::optional<T> v;
    std::exception_ptr err;
    try {
      v = fn();
    } catch (...) {
      err = std::current_exception();
    }
    asio::post(ex, [st, v = std::move(v), err]() mutable {
      st->value = std::move(v);
      st->error = err;
      st->done = true;
      st->timer.cancel();
    });
  });
  while (!st->done) {
    co_await st->timer.async_wait(kTuple);
    if (!st->done) {
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none) co_return T{};
    }
  }
  if (st->error) std::rethrow_exception(st->error);
  co_return std::move(*st->value);
}

}  // namespace

Consumer::Consumer(SqsClient& client, ConsumerOptions options, AsyncHandler handler)
    : impl_(std::make_shared<Impl>(client, std::move(options))) {
  impl_->single = std::move(handler);
}

Consumer::Consumer(SqsClient& client, ConsumerOptions options, AsyncBatchHandler handler)
    : impl_(std::make_shared<Impl>(client, std::move(options))) {
  impl_->batch = std::move(handler);
}

Consumer::Consumer(SqsClient& client, ConsumerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(client, std::move(options))) {
  impl_->pool = std::make_unique<asio::thread_pool>(impl_->options.concurrency);
  asio::thread_pool* pool = impl_->pool.get();
  impl_->single = [pool, h = std::move(handler)](const Message& m) -> asio::awaitable<bool> {
    return run_blocking<bool>(*pool, [&h, m] { return h(m); });
  };
}

Consumer::Consumer(SqsClient& client, ConsumerOptions options, BatchHandler handler)
    : impl_(std::make_shared<Impl>(client, std::move(options))) {
  impl_->pool = std::make_unique<asio::thread_pool>(impl_->options.concurrency);
  asio::thread_pool* pool = impl_->pool.get();
  impl_->batch = [pool, h = std::move(handler)](
                     const std::vector<Message>& msgs) -> asio::awaitable<BatchOutcome> {
    return run_blocking<BatchOutcome>(*pool, [&h, msgs] { return h(msgs); });
  };
}

Consumer::~Consumer() {
  if (!impl_->is_stopped.load()) stop(std::chrono::milliseconds(0));
  // The pool's threads are joined by Impl's destructor once the last coroutine lets go of it.
}

void Consumer::start() {
  asio::dispatch(impl_->strand, [self = impl_] { self->start(); });
}

void Consumer::stop(std::chrono::milliseconds drain_deadline) {
  asio::dispatch(impl_->strand, [self = impl_, drain_deadline] { self->stop(drain_deadline); });
}

bool Consumer::wait_stopped(std::chrono::milliseconds timeout) {
  return impl_->stopped_future.wait_for(timeout) == std::future_status::ready;
}

bool Consumer::stopped() const { return impl_->is_stopped.load(); }

ConsumerStats Consumer::stats() const {
  ConsumerStats s;
  s.received = impl_->stats.received.load();
  s.processed = impl_->stats.processed.load();
  s.failed = impl_->stats.failed.load();
  s.deleted = impl_->stats.deleted.load();
  s.heartbeats = impl_->stats.heartbeats.load();
  s.receives = impl_->stats.receives.load();
  return s;
}

}  // namespace tern::client
