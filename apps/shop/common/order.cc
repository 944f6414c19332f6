#include "order.h"

#include <boost/url/parse_query.hpp>

#include "money.h"
#include "sqlite.h"

namespace shop {
namespace {

bool has_control_chars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Identifier-like field: a non-empty string or, when `integer_ok`, a non-negative integer
// literal (order and tracking ids are often numbers; a user name is not).
void check_identifier(const JsonFields& fields, const char* name, std::string& out,
                      FieldErrors& errors, bool integer_ok = true) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.kind == JsonKind::kNull) {
    errors.push_back({name, "is required"});
    return;
  }
  const JsonField& f = it->second;
  if (f.kind == JsonKind::kNumber && integer_ok) {
    bool integer = !f.text.empty() && f.text.find_first_not_of("0123456789") == std::string::npos;
    if (!integer) {
      errors.push_back({name, "must be a string or a non-negative integer"});
      return;
    }
  } else if (f.kind != JsonKind::kString) {
    errors.push_back({name, "must be a string, not " + std::string(to_string(f.kind))});
    return;
  }
  if (f.text.empty()) {
    errors.push_back({name, "must not be empty"});
  } else if (f.text.size() > kMaxIdLength) {
    errors.push_back({name, "must be at most " + std::to_string(kMaxIdLength) + " characters"});
  } else if (has_control_chars(f.text)) {
    errors.push_back({name, "must not contain control characters"});
  } else {
    out = f.text;
  }
}

// Money field: a JSON number or a string holding a decimal number.
void check_money(const JsonFields& fields, const char* name, int64_t& out, FieldErrors& errors) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.kind == JsonKind::kNull) {
    errors.push_back({name, "is required"});
    return;
  }
  const JsonField& f = it->second;
  if (f.kind != JsonKind::kNumber && f.kind != JsonKind::kString) {
    errors.push_back({name, "must be a number, not " + std::string(to_string(f.kind))});
    return;
  }
  auto cents = parse_cents(f.text);
  if (!cents) {
    errors.push_back({name, cents.error()});
    return;
  }
  out = *cents;
}

}  // namespace

tern::Expected<Order, FieldErrors> order_from_fields(const JsonFields& fields) {
  Order order;
  FieldErrors errors;
  check_identifier(fields, "id", order.id, errors);
  check_identifier(fields, "username", order.username, errors, false);
  check_money(fields, "price", order.price_cents, errors);
  check_money(fields, "mileageAccumulated", order.mileage_accumulated_cents, errors);
  check_identifier(fields, "trackingId", order.tracking_id, errors);
  if (!errors.empty()) return tern::unexpected(std::move(errors));
  return order;
}

tern::Expected<Order, FieldErrors> order_from_json(std::string_view body) {
  auto fields = parse_json_fields(body);
  if (!fields) return tern::unexpected(FieldErrors{{"body", fields.error()}});
  return order_from_fields(*fields);
}

tern::Expected<Order, FieldErrors> order_from_query(std::string_view query) {
  auto params = boost::urls::parse_query(query);
  if (!params) return tern::unexpected(FieldErrors{{"query", "malformed query string"}});
  JsonFields fields;
  for (auto param : *params) {
    // Query values are all text; money parsing accepts decimal text the same as JSON numbers.
    boost::urls::encoding_opts form;  // HTML forms and URLSearchParams write spaces as '+'
    form.space_as_plus = true;
    std::string key = param.key.decode(form);
    std::string value = param.has_value ? param.value.decode(form) : std::string();
    if (!fields.emplace(key, JsonField{JsonKind::kString, value}).second) {
      return tern::unexpected(FieldErrors{{key, "is given more than once"}});
    }
  }
  return order_from_fields(fields);
}

std::string field_errors_json(const FieldErrors& errors) {
  std::string out = R"({"error":"ValidationError","message":)";
  std::string summary;
  for (const auto& e : errors) {
    if (!summary.empty()) summary += "; ";
    summary += e.field + " " + e.message;
  }
  out += json_quote(summary) + R"(,"fields":[)";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += ',';
    out += R"({"field":)" + json_quote(errors[i].field) + R"(,"message":)" +
           json_quote(errors[i].message) + "}";
  }
  return out + "]}";
}

std::string order_json(const Order& o) {
  return R"({"id":)" + json_quote(o.id) + R"(,"username":)" + json_quote(o.username) +
         R"(,"price":)" + format_cents(o.price_cents) + R"(,"mileageAccumulated":)" +
         format_cents(o.mileage_accumulated_cents) + R"(,"trackingId":)" +
         json_quote(o.tracking_id) + "}";
}

std::string mileage_message_body(const Order& o, int64_t ordered_at_ms) {
  return R"({"id":)" + json_quote(o.id) + R"(,"username":)" + json_quote(o.username) +
         R"(,"price":)" + format_cents_compact(o.price_cents) + R"(,"mileageAccumulated":)" +
         format_cents_compact(o.mileage_accumulated_cents) + R"(,"orderedAt":")" +
         iso8601(ordered_at_ms) + "\"}";
}

std::string tracking_message_body(const Order& o, int64_t ordered_at_ms) {
  return R"({"id":)" + json_quote(o.id) + R"(,"username":)" + json_quote(o.username) +
         R"(,"trackingId":)" + json_quote(o.tracking_id) + R"(,"orderedAt":")" +
         iso8601(ordered_at_ms) + "\"}";
}

namespace {

std::string first_error(const FieldErrors& errors) {
  return errors.empty() ? "invalid" : errors.front().field + " " + errors.front().message;
}

}  // namespace

tern::Expected<MileageMessage, std::string> parse_mileage_message(std::string_view body) {
  auto fields = parse_json_fields(body);
  if (!fields) return tern::unexpected(fields.error());
  MileageMessage m;
  FieldErrors errors;
  check_identifier(*fields, "id", m.order_id, errors);
  check_identifier(*fields, "username", m.username, errors);
  check_money(*fields, "price", m.price_cents, errors);
  // Older producers (the tutorial's) always send it; a message without it opens at zero.
  if (fields->count("mileageAccumulated") != 0) {
    check_money(*fields, "mileageAccumulated", m.mileage_accumulated_cents, errors);
  }
  if (!errors.empty()) return tern::unexpected(first_error(errors));
  return m;
}

tern::Expected<TrackingMessage, std::string> parse_tracking_message(std::string_view body) {
  auto fields = parse_json_fields(body);
  if (!fields) return tern::unexpected(fields.error());
  TrackingMessage m;
  FieldErrors errors;
  check_identifier(*fields, "id", m.order_id, errors);
  check_identifier(*fields, "username", m.username, errors);
  check_identifier(*fields, "trackingId", m.tracking_id, errors);
  if (!errors.empty()) return tern::unexpected(first_error(errors));
  return m;
}

}  // namespace shop
