#pragma once
// An order as the purchase service accepts it, its validation, and the two queue messages.
//
// Validation reports every bad field at once (field name + reason), so a client fixes its request
// in one round. Identifiers may be JSON strings or non-negative integers (the tutorial's clients
// send both); money must be a JSON number or a decimal string, never negative, at most two
// decimal places.
//
// Messages keep the tutorial's bodies ({id, username, price, mileageAccumulated} and
// {id, username, trackingId}) with `id` being the order id the consumers deduplicate on, plus
// `orderedAt`. Money is written as the exact decimal literal.
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"
#include "json_fields.h"

namespace shop {

inline constexpr size_t kMaxIdLength = 128;

struct Order {
  std::string id;
  std::string username;
  int64_t price_cents = 0;
  int64_t mileage_accumulated_cents = 0;
  std::string tracking_id;

  bool operator==(const Order&) const = default;
};

struct FieldError {
  std::string field;  // "price", or "body" for the request as a whole
  std::string message;
};
using FieldErrors = std::vector<FieldError>;

// From a JSON body: malformed JSON and non-objects are one "body" error.
tern::Expected<Order, FieldErrors> order_from_json(std::string_view body);
// From parsed members (unknown members are ignored).
tern::Expected<Order, FieldErrors> order_from_fields(const JsonFields& fields);
// From a URL query string (`id=1&username=kim&price=12500...`), values percent-decoded.
tern::Expected<Order, FieldErrors> order_from_query(std::string_view query);

// {"error":"ValidationError","message":"...","fields":[{"field":..,"message":..}]}
std::string field_errors_json(const FieldErrors& errors);

// The order as JSON for answers: money as decimal strings and exact numbers.
std::string order_json(const Order& order);

std::string mileage_message_body(const Order& order, int64_t ordered_at_ms);
std::string tracking_message_body(const Order& order, int64_t ordered_at_ms);

struct MileageMessage {
  std::string order_id;
  std::string username;
  int64_t price_cents = 0;
  int64_t mileage_accumulated_cents = 0;
};
struct TrackingMessage {
  std::string order_id;
  std::string username;
  std::string tracking_id;
};

// Consumers' side. An error means a poison message: it can never succeed.
tern::Expected<MileageMessage, std::string> parse_mileage_message(std::string_view body);
tern::Expected<TrackingMessage, std::string> parse_tracking_message(std::string_view body);

}  // namespace shop
