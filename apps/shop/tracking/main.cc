// shop-tracking: records each order's product tracking id (idempotently, per order id) and serves
// GET /tracking/<trackingId>.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/consumer_service.h"
#include "common/json_fields.h"
#include "common/order.h"
#include "common/service.h"
#include "common/sqlite.h"
#include "common/tracking_store.h"

namespace shop {
namespace {

constexpr const char* kService = "shop-tracking";

std::string record_json(const TrackingRecord& r) {
  return R"({"orderId":)" + json_quote(r.order_id) + R"(,"username":)" + json_quote(r.username) +
         R"(,"recordedAt":")" + iso8601(r.recorded_at_ms) + "\"}";
}

// The first record's fields at the top level (the common case: one order per tracking id), and
// every record under "orders".
std::string records_json(const std::vector<TrackingRecord>& records) {
  const auto& first = records.front();
  std::string out = R"({"trackingId":)" + json_quote(first.tracking_id) + R"(,"orderId":)" +
                    json_quote(first.order_id) + R"(,"username":)" + json_quote(first.username) +
                    R"(,"recordedAt":")" + iso8601(first.recorded_at_ms) + R"(","orders":[)";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out += ',';
    out += record_json(records[i]);
  }
  return out + "]}";
}

}  // namespace
}  // namespace shop

int main() {
  using namespace shop;
  std::unique_ptr<TrackingStore> store;
  ConsumerService svc;
  svc.name = kService;
  svc.service = Service::kTracking;
  svc.db_file = "tracking.db";
  svc.open_store = [&](const std::string& path) -> tern::Expected<bool, std::string> {
    auto s = TrackingStore::open(path);
    if (!s) return tern::unexpected(s.error());
    store = std::move(*s);
    return true;
  };
  // One transaction per received batch, as in shop-mileage.
  svc.handle = [&](const std::vector<tern::client::Message>& batch) {
    tern::client::BatchOutcome out;
    std::vector<std::pair<TrackingMessage, std::string>> records;
    std::vector<const tern::client::Message*> of;
    for (const auto& m : batch) {
      auto msg = parse_tracking_message(m.body);
      if (!msg) {
        log(kService, "message " + m.message_id + " is not a tracking message: " + msg.error());
        out.failed_message_ids.push_back(m.message_id);
        continue;
      }
      records.emplace_back(std::move(*msg), m.message_id);
      of.push_back(&m);
    }
    if (records.empty()) return out;
    auto r = store->record_batch(records);
    if (!r) {
      log(kService, std::to_string(records.size()) + " order(s) not recorded yet: " + r.error());
      for (const auto* m : of) out.failed_message_ids.push_back(m->message_id);
      return out;
    }
    std::vector<std::string> lines;
    for (size_t i = 0; i < r->size(); ++i) {
      if (!(*r)[i]) {
        log(kService, "order " + records[i].first.order_id +
                          " was recorded before; acknowledging duplicate");
        continue;
      }
      lines.push_back("productTrackingId: " + records[i].first.tracking_id);
    }
    print_lines(lines);
    return out;
  };
  svc.http = [&](const HttpRequest& req) -> HttpResponse {
    if (req.path == "/health" && req.method == "GET") {
      return {200, R"({"status":"ok","service":"tracking"})"};
    }
    if (req.path.rfind("/tracking/", 0) == 0 && req.method == "GET") {
      std::string id = req.path.substr(10);
      auto records = store->find(id);
      if (!records) return json_error(503, "StorageUnavailable", records.error());
      if (records->empty()) return json_error(404, "NotFound", "no order with tracking id " + id);
      return {200, records_json(*records)};
    }
    return json_error(404, "NotFound", "no route " + req.method + " " + req.path);
  };
  return run_consumer_service(std::move(svc));
}
