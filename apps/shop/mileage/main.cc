// shop-mileage: credits 2% of each order's price to its user's mileage balance, exactly once per
// order id, and serves GET /mileage/<username>.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/consumer_service.h"
#include "common/json_fields.h"
#include "common/mileage_store.h"
#include "common/money.h"
#include "common/order.h"
#include "common/service.h"

namespace shop {
namespace {

constexpr const char* kService = "shop-mileage";
constexpr size_t kHistoryLimit = 100;

std::string account_json(const MileageAccount& a) {
  // "mileage" is a JSON number written with exactly two decimals (4700.00), "balance" the same
  // value as a string for clients whose JSON parser would turn the number into a double.
  std::string out = R"({"username":)" + json_quote(a.username) + R"(,"mileage":)" +
                    format_cents(a.balance_cents) + R"(,"balance":")" +
                    format_cents(a.balance_cents) + R"(","orders":)" + std::to_string(a.orders) +
                    R"(,"history":[)";
  for (size_t i = 0; i < a.history.size(); ++i) {
    const auto& h = a.history[i];
    if (i > 0) out += ',';
    out += R"({"orderId":)" + json_quote(h.order_id) + R"(,"price":")" +
           format_cents(h.price_cents) + R"(","credit":")" + format_cents(h.credit_cents) + "\"";
    if (h.opening_cents > 0) out += R"(,"opening":")" + format_cents(h.opening_cents) + "\"";
    out += R"(,"balanceAfter":")" + format_cents(h.balance_after_cents) + R"(","creditedAt":")" +
           iso8601(h.credited_at_ms) + "\"}";
  }
  return out + "]}";
}

}  // namespace
}  // namespace shop

int main() {
  using namespace shop;
  std::unique_ptr<MileageStore> store;
  ConsumerService svc;
  svc.name = kService;
  svc.service = Service::kMileage;
  svc.db_file = "mileage.db";
  svc.open_store = [&](const std::string& path) -> tern::Expected<bool, std::string> {
    auto s = MileageStore::open(path);
    if (!s) return tern::unexpected(s.error());
    store = std::move(*s);
    return true;
  };
  // One transaction per received batch: a message that is not a mileage message fails alone
  // (poison: it ends in the DLQ); a storage error fails the batch, which is retried.
  svc.handle = [&](const std::vector<tern::client::Message>& batch) {
    tern::client::BatchOutcome out;
    std::vector<std::pair<MileageMessage, std::string>> credits;
    std::vector<const tern::client::Message*> of;
    for (const auto& m : batch) {
      auto msg = parse_mileage_message(m.body);
      if (!msg) {
        log(kService, "message " + m.message_id + " is not a mileage message: " + msg.error());
        out.failed_message_ids.push_back(m.message_id);
        continue;
      }
      credits.emplace_back(std::move(*msg), m.message_id);
      of.push_back(&m);
    }
    if (credits.empty()) return out;
    auto r = store->credit_batch(credits);
    if (!r) {
      log(kService, std::to_string(credits.size()) + " order(s) not credited yet: " + r.error());
      for (const auto* m : of) out.failed_message_ids.push_back(m->message_id);
      return out;
    }
    std::vector<std::string> lines;
    for (size_t i = 0; i < r->size(); ++i) {
      if (!(*r)[i].applied) {
        log(kService, "order " + credits[i].first.order_id +
                          " was credited before; acknowledging duplicate");
        continue;
      }
      lines.push_back("newMileage: " + format_cents((*r)[i].balance_cents));
    }
    print_lines(lines);
    return out;
  };
  svc.http = [&](const HttpRequest& req) -> HttpResponse {
    if (req.path == "/health" && req.method == "GET") {
      return {200, R"({"status":"ok","service":"mileage"})"};
    }
    if (req.path.rfind("/mileage/", 0) == 0 && req.method == "GET") {
      std::string user = req.path.substr(9);
      auto acct = store->account(user, kHistoryLimit);
      if (!acct) return json_error(503, "StorageUnavailable", acct.error());
      if (!*acct) return json_error(404, "NotFound", "no mileage for user " + user);
      return {200, account_json(**acct)};
    }
    return json_error(404, "NotFound", "no route " + req.method + " " + req.path);
  };
  return run_consumer_service(std::move(svc));
}
