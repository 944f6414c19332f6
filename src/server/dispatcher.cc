#include "server/dispatcher.h"

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/ids.h"
#include "common/text.h"
#include "protocol/codec.h"
#include "protocol/errors.h"
#include "protocol/response.h"
#include "sigv4/verifier.h"

namespace tern::server {
namespace asio = boost::asio;
using protocol::Protocol;
using protocol::WireResponse;

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

struct Dispatcher::Call {
  const HttpRequest& http;
  protocol::Classified classified;
  std::string request_id;
  std::string sender_id;
};

namespace {

// The caller's identity for SenderId: the access key id of the SigV4 credential when present.
std::string sender_from(const HttpRequest& req, const std::string& fallback) {
  std::string_view auth = req.header("Authorization");
  auto pos = auth.find("Credential=");
  if (pos == std::string_view::npos) return fallback;
  auto start = pos + 11;
  auto end = auth.find('/', start);
  if (end == std::string_view::npos || end == start) return fallback;
  return std::string(auth.substr(start, end - start));
}

template <class T>
concept HasSender = requires(T t) { t.sender_id; };
template <class T>
concept HasTrace = requires(T t) { t.trace_header; };

// One row of the action table for an action answered synchronously by the engine.
template <class Req, class Res>
WireResponse run_sync(engine::Engine& e, Dispatcher::Call& call,
                      engine::Result<Res> (engine::Engine::*method)(const Req&)) {
  const Protocol p = call.classified.protocol;
  Req req{};
  if (auto st = protocol::decode(call.classified.params, req); !st) {
    return protocol::encode_error(p, st.error(), call.request_id);
  }
  if constexpr (HasSender<Req>) req.sender_id = call.sender_id;
  if constexpr (HasTrace<Req>) {
    auto trace = call.http.header("X-Amzn-Trace-Id");
    if (!trace.empty()) req.trace_header = std::string(trace);
  }
  auto res = (e.*method)(req);
  if (!res) return protocol::encode_error(p, res.error(), call.request_id);
  return protocol::encode_success(p, call.classified.action, *res, call.request_id);
}

using SyncFn = WireResponse (*)(engine::Engine&, Dispatcher::Call&);

struct ActionRow {
  std::string_view name;
  SyncFn sync;     // null for actions that need a coroutine (ReceiveMessage)
  bool mutating;   // changes state (will wait for durability once the log exists)
  size_t metrics_index = kUnknownAction;  // the action's slot in RequestMetrics
};

template <auto Method>
WireResponse row_fn(engine::Engine& e, Dispatcher::Call& c) {
  return run_sync(e, c, Method);
}

// The action table: adding an action is adding a row.
const std::unordered_map<std::string_view, ActionRow>& action_table() {
  using E = engine::Engine;
  static const std::unordered_map<std::string_view, ActionRow> kTable = [] {
    std::vector<ActionRow> rows = {
        {"CreateQueue", &row_fn<&E::create_queue>, true},
        {"GetQueueUrl", &row_fn<&E::get_queue_url>, false},
        {"ListQueues", &row_fn<&E::list_queues>, false},
        {"DeleteQueue", &row_fn<&E::delete_queue>, true},
        {"PurgeQueue", &row_fn<&E::purge_queue>, true},
        {"GetQueueAttributes", &row_fn<&E::get_queue_attributes>, false},
        {"SetQueueAttributes", &row_fn<&E::set_queue_attributes>, true},
        {"TagQueue", &row_fn<&E::tag_queue>, true},
        {"UntagQueue", &row_fn<&E::untag_queue>, true},
        {"ListQueueTags", &row_fn<&E::list_queue_tags>, false},
        {"SendMessage", &row_fn<&E::send_message>, true},
        {"SendMessageBatch", &row_fn<&E::send_message_batch>, true},
        {"ReceiveMessage", nullptr, true},
        {"DeleteMessage", &row_fn<&E::delete_message>, true},
        {"DeleteMessageBatch", &row_fn<&E::delete_message_batch>, true},
        {"ChangeMessageVisibility", &row_fn<&E::change_message_visibility>, true},
        {"ChangeMessageVisibilityBatch", &row_fn<&E::change_message_visibility_batch>, true},
        {"ListDeadLetterSourceQueues", &row_fn<&E::list_dead_letter_source_queues>, false},
        {"AddPermission", &row_fn<&E::add_permission>, true},
        {"RemovePermission", &row_fn<&E::remove_permission>, true},
        {"StartMessageMoveTask", &row_fn<&E::start_message_move_task>, true},
        {"CancelMessageMoveTask", &row_fn<&E::cancel_message_move_task>, true},
        {"ListMessageMoveTasks", &row_fn<&E::list_message_move_tasks>, false},
    };
    std::unordered_map<std::string_view, ActionRow> m;
    for (auto r : rows) {
      r.metrics_index = action_index(r.name);
      m.emplace(r.name, r);
    }
    return m;
  }();
  return kTable;
}

// Parks a long poll: notify() (from any thread) posts a cancel of the timer to the coroutine's
// own executor, so the timer is only ever touched there.
class TimerWaiter final : public engine::Waiter,
                          public std::enable_shared_from_this<TimerWaiter> {
 public:
  explicit TimerWaiter(const asio::any_io_executor& ex) : timer_(ex) {}
  void notify() override {
    notified_.store(true, std::memory_order_release);
    asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
  }
  bool notified() const { return notified_.load(std::memory_order_acquire); }
  void reset() { notified_.store(false, std::memory_order_release); }
  asio::steady_timer& timer() { return timer_; }

 private:
  asio::steady_timer timer_;
  std::atomic<bool> notified_{false};
};

// Suspends until the journal reports `ticket` durable. The journal's callback (on its writer
// thread, or inline when the ticket is already durable) posts the coroutine's own completion
// handler to the coroutine's executor: no timer, no cancel, one allocation for the handler box.
asio::awaitable<bool> wait_durable(engine::Journal& journal, uint64_t ticket) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      [&journal, ticket](auto handler) {
        using Handler = decltype(handler);
        // std::function needs a copyable callable; the coroutine handler is move-only.
        auto box = std::make_shared<std::optional<Handler>>(std::move(handler));
        journal.on_durable(ticket, [box](bool ok) {
          auto ex = asio::get_associated_executor(**box);
          asio::post(ex, [box, ok]() mutable {
            Handler h = std::move(**box);
            box->reset();
            std::move(h)(ok);
          });
        });
      },
      asio::use_awaitable);
}

// Live long-poll waiters, so that shutdown can wake them all.
std::mutex g_waiters_mu;
std::vector<std::weak_ptr<TimerWaiter>> g_waiters;

}  // namespace

Dispatcher::Dispatcher(engine::Engine& engine, DispatcherOptions options)
    : engine_(engine), options_(options) {}

void Dispatcher::shutdown() {
  stopping_.store(true, std::memory_order_release);
  engine_.wake_all_waiters();
  std::lock_guard lock(g_waiters_mu);
  for (auto& w : g_waiters) {
    if (auto s = w.lock()) s->notify();
  }
  g_waiters.clear();
}

namespace {
engine::ErrorCode auth_error_code(sigv4::Failure f) {
  switch (f) {
    case sigv4::Failure::kMissingAuthenticationToken:
      return engine::ErrorCode::kMissingAuthenticationToken;
    case sigv4::Failure::kIncompleteSignature: return engine::ErrorCode::kIncompleteSignature;
    case sigv4::Failure::kInvalidClientTokenId: return engine::ErrorCode::kInvalidClientTokenId;
    case sigv4::Failure::kSignatureDoesNotMatch:
      return engine::ErrorCode::kSignatureDoesNotMatch;
    default: return engine::ErrorCode::kAccessDenied;
  }
}

// The queue a request names, for per-key permissions: the last segment of QueueUrl, else
// QueueName; empty for account-level actions (ListQueues).
std::string queue_name_of(const boost::json::object& params) {
  if (const auto* u = params.if_contains("QueueUrl"); u != nullptr && u->is_string()) {
    std::string_view url = u->get_string();
    return std::string(url.substr(url.rfind('/') + 1));
  }
  if (const auto* n = params.if_contains("QueueName"); n != nullptr && n->is_string()) {
    return std::string(n->get_string());
  }
  return {};
}
}  // namespace

std::optional<engine::Error> Dispatcher::authenticate(const HttpRequest& http, const Call* call,
                                                      std::string* access_key_id) const {
  const auto& store = *options_.credentials;
  if (call == nullptr) {
    sigv4::VerifyInput in;
    in.request.method = http.method;
    std::string_view target = http.target;
    auto q = target.find('?');
    in.request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) in.request.query = std::string(target.substr(q + 1));
    in.request.headers = http.headers;
    in.request.body = http.body;
    in.now_ms = engine_.options().clock->now_ms();
    auto v = sigv4::verify(in, store);
    if (!v.ok()) return engine::Error{auth_error_code(v.failure), v.message};
    *access_key_id = v.access_key_id;
    return std::nullopt;
  }
  std::string queue = queue_name_of(call->classified.params);
  auto a = sigv4::authorize(store, call->sender_id, call->classified.action, queue,
                            queue.empty() ? engine_.options().base_url : engine_.queue_arn(queue));
  if (!a.ok()) return engine::Error{auth_error_code(a.failure), a.message};
  return std::nullopt;
}

asio::awaitable<WireResponse> Dispatcher::handle(const HttpRequest& http,
                                                 std::string_view authenticated_key,
                                                 RequestInfo* info) {
  const auto started = std::chrono::steady_clock::now();
  size_t action = kUnknownAction;
  // Every co_return goes through done(): one place counts the request.
  auto done = [&](WireResponse r) {
    metrics_.record(action, outcome_of_status(r.status),
                    std::chrono::steady_clock::now() - started);
    if (info != nullptr && action != kUnknownAction) info->action = kSqsActions[action];
    return r;
  };
  std::string request_id = new_uuid();
  std::string access_key_id;
  if (options_.credentials) {
    // Authentication comes before anything else, as on AWS; the protocol for the error reply is
    // guessed from the headers because the request is not parsed yet.
    if (!authenticated_key.empty()) {
      access_key_id = std::string(authenticated_key);
    } else if (auto err = authenticate(http, nullptr, &access_key_id)) {
      auto p = http.header("X-Amz-Target").empty() ? Protocol::kQuery : Protocol::kJson;
      co_return done(protocol::encode_error(p, *err, request_id));
    }
  }
  protocol::WireRequest wire{http.method, http.target, http.header("Content-Type"),
                             http.header("X-Amz-Target"), http.body};
  auto classified = protocol::classify(wire);
  if (!classified) co_return done(protocol::encode_error(classified.error(), request_id));
  const auto& table = action_table();
  auto it = table.find(classified->action);
  if (it == table.end()) {
    // A known SQS action without a row (none today; kept so a new model action fails cleanly).
    engine::Error err{engine::ErrorCode::kUnsupportedOperation,
                      "The action " + classified->action + " is not supported by this server."};
    co_return done(protocol::encode_error(classified->protocol, err, request_id));
  }
  action = it->second.metrics_index;
  Call call{http, std::move(*classified), std::move(request_id),
            access_key_id.empty() ? sender_from(http, engine_.options().account_id)
                                  : access_key_id};
  if (options_.credentials) {
    if (auto err = authenticate(http, &call, nullptr)) {
      co_return done(protocol::encode_error(call.classified.protocol, *err, call.request_id));
    }
  }
  // (Not a conditional expression: g++ 12 miscompiles co_await inside `?:`.)
  WireResponse response;
  if (it->second.sync == nullptr) {
    response = co_await receive_message(call);
  } else {
    response = it->second.sync(engine_, call);
  }
  // Answer only once what this request changed is durable (group commit batches the waits).
  if (engine::Journal* journal = engine_.options().journal) {
    if (uint64_t ticket = journal->take_ticket()) {
      if (!co_await wait_durable(*journal, ticket)) {
        engine::Error err{engine::ErrorCode::kServiceUnavailable,
                          "The change could not be made durable: the data directory failed."};
        co_return done(protocol::encode_error(call.classified.protocol, err, call.request_id));
      }
    }
  }
  co_return done(std::move(response));
}

asio::awaitable<WireResponse> Dispatcher::receive_message(Call& call) {
  const Protocol p = call.classified.protocol;
  engine::ReceiveMessageRequest req;
  if (auto st = protocol::decode(call.classified.params, req); !st) {
    co_return protocol::encode_error(p, st.error(), call.request_id);
  }
  engine::ReceiveContext ctx;
  auto res = engine_.receive_message(req, &ctx);
  if (!res || !res->messages.empty() || ctx.wait_seconds <= 0 || stopping()) {
    if (!res) co_return protocol::encode_error(p, res.error(), call.request_id);
    co_return protocol::encode_success(p, call.classified.action, *res, call.request_id);
  }
  using clock = std::chrono::steady_clock;
  const auto deadline =
      clock::now() + std::chrono::milliseconds(static_cast<int64_t>(
                         static_cast<double>(ctx.wait_seconds) * 1000.0 * options_.wait_scale));
  auto waiter = std::make_shared<TimerWaiter>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(g_waiters_mu);
    if (g_waiters.size() > 64 && g_waiters.size() % 64 == 0) {
      std::erase_if(g_waiters, [](const auto& w) { return w.expired(); });
    }
    g_waiters.push_back(waiter);
  }
  struct Parked {  // the long_polls_waiting gauge, for as long as this poll waits
    std::shared_ptr<std::atomic<int64_t>> n;
    explicit Parked(std::shared_ptr<std::atomic<int64_t>> g) : n(std::move(g)) {
      n->fetch_add(1, std::memory_order_relaxed);
    }
    ~Parked() { n->fetch_sub(1, std::memory_order_relaxed); }
  } parked(metrics_.long_polls_waiting);
  for (;;) {
    waiter->reset();
    ctx.waiter = waiter;
    res = engine_.receive_message(req, &ctx);
    if (!res || !res->messages.empty()) break;
    auto now = clock::now();
    if (now >= deadline || stopping()) break;
    auto wake_at = deadline;
    if (ctx.next_due_ms != INT64_MAX) {
      int64_t in_ms = ctx.next_due_ms - engine_.options().clock->now_ms();
      wake_at = std::min(deadline, now + std::chrono::milliseconds(std::max<int64_t>(in_ms, 0)));
    }
    if (waiter->notified()) continue;
    waiter->timer().expires_at(wake_at);
    boost::system::error_code ec;
    co_await waiter->timer().async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!res) co_return protocol::encode_error(p, res.error(), call.request_id);
  co_return protocol::encode_success(p, call.classified.action, *res, call.request_id);
}

}  // namespace tern::server
