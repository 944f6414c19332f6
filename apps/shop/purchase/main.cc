// shop-purchase: takes orders over HTTP and fans each out to the mileage and tracking queues.
//
// An order is validated (field-level 400s), then stored with both of its messages in one SQLite
// transaction (the outbox) and answered 201; the relay thread sends the outbox to SQS with
// retries until it is accepted. Orders arriving together share a transaction (group commit,
// order_committer.h): the answer still waits for the fsync of its own order's commit. A repeated order id is answered 200 from the store, with no new
// messages; the same id with different content is a 409.

#include <memory>
#include <string>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/config.h"
#include "common/http.h"
#include "common/json_fields.h"
#include "common/money.h"
#include "common/order.h"
#include "common/order_committer.h"
#include "common/order_store.h"
#include "common/relay.h"
#include "common/service.h"
#include "common/sqs_sender.h"

namespace shop {
namespace {

constexpr const char* kService = "shop-purchase";

std::string placed_json(const PlaceResult& r, bool duplicate) {
  return std::string(R"({"ok":true,"id":)") + json_quote(r.stored.id) + R"(,"status":")" +
         (duplicate ? "duplicate" : "accepted") + R"(","order":)" + order_json(r.stored) +
         R"(,"createdAt":")" + iso8601(r.created_at_ms) + "\"}";
}

// Hands the order to the committer and resumes the coroutine on its own executor with the result.
boost::asio::awaitable<OrderCommitter::Result> place(OrderCommitter& committer, Order order) {
  using Signature = void(std::shared_ptr<OrderCommitter::Result>);
  auto r = co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), Signature>(
      [&committer](auto handler, Order order) {
        auto ex = boost::asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        committer.submit(std::move(order), [h, ex](OrderCommitter::Result result) {
          auto shared = std::make_shared<OrderCommitter::Result>(std::move(result));
          boost::asio::post(ex, [h, shared]() mutable { (*h)(std::move(shared)); });
        });
      },
      boost::asio::use_awaitable, std::move(order));
  co_return std::move(*r);
}

boost::asio::awaitable<HttpResponse> handle_purchase(const HttpRequest& req,
                                                     OrderCommitter& committer) {
  tern::Expected<Order, FieldErrors> order = tern::unexpected(FieldErrors{});
  bool blank_body = req.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (!blank_body) {
    order = order_from_json(req.body);
  } else if (req.method == "GET" && !req.query.empty()) {
    order = order_from_query(req.query);  // the tutorial's GET /purchase?id=..&price=..
  } else {
    order = tern::unexpected(FieldErrors{{"body", "is required: a JSON object with id, username, "
                                                  "price, mileageAccumulated and trackingId"}});
  }
  if (!order) co_return HttpResponse{400, field_errors_json(order.error())};

  std::string id = order->id;
  auto placed = co_await place(committer, std::move(*order));
  if (!placed) {
    log(kService, "order " + id + " not stored: " + placed.error());
    co_return json_error(503, "StorageUnavailable", "the order could not be stored; retry");
  }
  switch (placed->outcome) {
    case PlaceOutcome::kCreated:
      co_return HttpResponse{201, placed_json(*placed, false)};
    case PlaceOutcome::kDuplicate:
      co_return HttpResponse{200, placed_json(*placed, true)};
    case PlaceOutcome::kConflict:
      co_return json_error(409, "OrderConflict",
                           "order id " + id + " was already placed with different content");
  }
  co_return json_error(500, "InternalError", "unreachable");
}

boost::asio::awaitable<HttpResponse> route(HttpRequest req, OrderStore& store,
                                           OrderCommitter& committer, Relay& relay) {
  if (req.path == "/purchase") {
    if (req.method != "POST" && req.method != "GET") {
      co_return json_error(405, "MethodNotAllowed", "use POST /purchase");
    }
    co_return co_await handle_purchase(req, committer);
  }
  if (req.path.rfind("/purchase/", 0) == 0 && req.method == "GET") {
    std::string id = req.path.substr(10);
    auto found = store.find(id);
    if (!found) co_return json_error(503, "StorageUnavailable", found.error());
    if (!*found) co_return json_error(404, "NotFound", "no order " + id);
    const OrderStatus& s = **found;
    co_return HttpResponse{200, R"({"order":)" + order_json(s.order) + R"(,"createdAt":")" +
                                    iso8601(s.created_at_ms) + R"(","messagesPending":)" +
                                    std::to_string(s.messages_pending) + "}"};
  }
  if (req.path == "/health" && req.method == "GET") {
    auto pending = store.pending_count();
    auto stats = relay.stats();
    co_return HttpResponse{200, R"({"status":"ok","service":"purchase","outboxPending":)" +
                                    std::to_string(pending ? *pending : -1) + R"(,"relayed":)" +
                                    std::to_string(stats.sent) + R"(,"relayFailures":)" +
                                    std::to_string(stats.failed_attempts) + "}"};
  }
  co_return json_error(404, "NotFound", "no route " + req.method + " " + req.path);
}

int run() {
  block_stop_signals();
  auto config = load_config(Service::kPurchase);
  if (!config) die(kService, "configuration error: " + config.error());
  if (auto st = ensure_directory(config->data_dir); !st) die(kService, st.error());
  std::string db_path = config->data_dir + "/purchase.db";
  auto store = OrderStore::open(db_path);
  if (!store) die(kService, store.error());

  IoThreads io(2);
  auto client = make_client(kService, io.context(), *config);
  SqsQueueSender sender(*client, config->mileage_queue_url, config->tracking_queue_url);
  RelayOptions relay_options;
  relay_options.log = [](const std::string& text) { log(kService, text); };
  Relay relay(**store, sender, relay_options);
  OrderCommitter committer(**store, [&relay] { relay.notify(); });

  HttpServerOptions http_options;
  http_options.host = config->host;
  http_options.port = config->port;
  http_options.body_limit = config->max_body_bytes;
  AsyncHttpHandler handler = [&](HttpRequest req) {
    return route(std::move(req), **store, committer, relay);
  };
  HttpServer server(io.context(), http_options, handler);
  committer.start();
  if (auto st = server.start(); !st) die(kService, "cannot listen on " + st.error());
  relay.start();
  if (auto pending = (*store)->pending_count(); pending && *pending > 0) {
    log(kService, std::to_string(*pending) + " outbox message(s) from before the restart to send");
  }
  log(kService, "listening on http://" + config->host + ":" + std::to_string(server.port()) +
                    " (POST /purchase), orders in " + db_path);
  print_line("purchase server listening on port " + std::to_string(server.port()));

  std::string sig = wait_for_stop_signal();
  log(kService, sig + ": stopping (finishing requests in progress)");
  server.stop();
  server.wait_idle(std::chrono::seconds(10));
  committer.stop();
  relay.stop();
  auto pending = (*store)->pending_count();
  io.shutdown();
  log(kService, "stopped; " + std::to_string(pending ? *pending : -1) +
                    " outbox message(s) left for the next start");
  return 0;
}

}  // namespace
}  // namespace shop

int main() { return shop::run(); }
