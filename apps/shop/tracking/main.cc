// shop-tracking: records each order's product tracking id (idempotently, per order id) and serves
// GET /tracking/<trackingId>.

#include <memory>
#include <string>

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
  svc.handle = [&](const tern::client::Message& m) {
    auto msg = parse_tracking_message(m.body);
    if (!msg) {
      log(kService, "message " + m.message_id + " is not a tracking message: " + msg.error());
      return false;
    }
    auto r = store->record(*msg, m.message_id);
    if (!r) {
      log(kService, "order " + msg->order_id + " not recorded yet: " + r.error());
      return false;
    }
    if (!*r) {
      log(kService, "order " + msg->order_id + " was recorded before; acknowledging duplicate");
      return true;
    }
    print_line("productTrackingId: " + msg->tracking_id);
    return true;
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
