#include "order.h"

#include <gtest/gtest.h>

namespace shop {
namespace {

const char* kGood =
    R"({"id":"order-1","username":"kim","price":12500,"mileageAccumulated":3000,)"
    R"("trackingId":"TRK-42"})";

FieldErrors errors_of(std::string_view body) {
  auto r = order_from_json(body);
  EXPECT_FALSE(r.has_value()) << body;
  return r ? FieldErrors{} : r.error();
}

// The single error's "field: message".
std::string only_error(std::string_view body) {
  auto e = errors_of(body);
  EXPECT_EQ(e.size(), 1u) << body;
  return e.empty() ? "" : e[0].field + ": " + e[0].message;
}

TEST(Order, ParsesTheTutorialBody) {
  auto r = order_from_json(kGood);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->id, "order-1");
  EXPECT_EQ(r->username, "kim");
  EXPECT_EQ(r->price_cents, 1250000);
  EXPECT_EQ(r->mileage_accumulated_cents, 300000);
  EXPECT_EQ(r->tracking_id, "TRK-42");
}

TEST(Order, AcceptsIntegerIdsAndDecimalStrings) {
  auto r = order_from_json(
      R"({"id":17,"username":"kim","price":"19.99","mileageAccumulated":"0","trackingId":9})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->id, "17");
  EXPECT_EQ(r->price_cents, 1999);
  EXPECT_EQ(r->tracking_id, "9");
}

TEST(Order, ReportsEachFieldError) {
  EXPECT_EQ(only_error(R"({"username":"kim","price":1,"mileageAccumulated":0,"trackingId":"t"})"),
            "id: is required");
  EXPECT_EQ(only_error(
                R"({"id":null,"username":"kim","price":1)"
                R"(,"mileageAccumulated":0,"trackingId":"t"})"),
            "id: is required");
  EXPECT_EQ(only_error(
                R"({"id":"","username":"kim","price":1,"mileageAccumulated":0,"trackingId":"t"})"),
            "id: must not be empty");
  EXPECT_EQ(only_error(
                R"({"id":1.5,"username":"kim","price":1,"mileageAccumulated":0,"trackingId":"t"})"),
            "id: must be a string or a non-negative integer");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":true,"price":1,"mileageAccumulated":0,"trackingId":"t"})"),
            "username: must be a string, not boolean");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":42,"price":1,"mileageAccumulated":0,"trackingId":"t"})"),
            "username: must be a string, not number");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":"k","price":-5,"mileageAccumulated":0,"trackingId":"t"})"),
            "price: must not be negative");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":"k","price":"abc")"
                R"(,"mileageAccumulated":0,"trackingId":"t"})"),
            "price: must be a decimal number");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":"k","price":[1],"mileageAccumulated":0,"trackingId":"t"})"),
            "price: must be a number, not array");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":"k","price":1.005)"
                R"(,"mileageAccumulated":0,"trackingId":"t"})"),
            "price: must have at most 2 decimal places");
  EXPECT_EQ(only_error(R"({"id":"1","username":"k","price":1,"trackingId":"t"})"),
            "mileageAccumulated: is required");
  EXPECT_EQ(only_error(
                R"({"id":"1","username":"k","price":1,"mileageAccumulated":0,"trackingId":{}})"),
            "trackingId: must be a string, not object");
  EXPECT_EQ(only_error(std::string(R"({"id":")") + std::string(200, 'x') +
                       R"(","username":"k","price":1,"mileageAccumulated":0,"trackingId":"t"})"),
            "id: must be at most 128 characters");
}

TEST(Order, ReportsAllBadFieldsAtOnce) {
  auto e = errors_of(R"({"price":"x"})");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].field, "id");
  EXPECT_EQ(e[2].field, "price");
}

TEST(Order, RejectsMalformedBodies) {
  EXPECT_EQ(only_error("{"), "body: malformed JSON: incomplete JSON");
  EXPECT_EQ(only_error("[1,2]"), "body: the body must be a JSON object");
  EXPECT_EQ(only_error("42"), "body: the body must be a JSON object");
  EXPECT_EQ(only_error(R"("order")"), "body: the body must be a JSON object");
  EXPECT_EQ(only_error(R"({"id":"1","id":"2"})"), "body: duplicate field \"id\"");
  EXPECT_NE(only_error(R"({"id":"1"} trailing)").find("body: malformed JSON"), std::string::npos);
}

TEST(Order, ParsesQueryStrings) {
  auto r = order_from_query("id=order-2&username=l%C3%A9e&price=1000.50&mileageAccumulated=10"
                            "&trackingId=TRK+43");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->username, "l\xC3\xA9" "e");
  EXPECT_EQ(r->price_cents, 100050);
  EXPECT_EQ(r->tracking_id, "TRK 43");
  auto bad = order_from_query("id=1&username=k&price=-1&mileageAccumulated=0&trackingId=t");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error()[0].field, "price");
}

TEST(Order, MessagesRoundTripExactly) {
  Order o{"order-\"1\"", "kim", 1999, 300050, "TRK-42"};
  std::string mileage = mileage_message_body(o, 0);
  EXPECT_NE(mileage.find(R"("price":19.99,"mileageAccumulated":3000.5)"), std::string::npos)
      << mileage;
  auto m = parse_mileage_message(mileage);
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->order_id, o.id);
  EXPECT_EQ(m->price_cents, 1999);
  EXPECT_EQ(m->mileage_accumulated_cents, 300050);
  auto t = parse_tracking_message(tracking_message_body(o, 0));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->tracking_id, "TRK-42");
  EXPECT_EQ(t->order_id, o.id);
}

TEST(Order, ReadsTheTutorialsOwnMessages) {
  // What the Node tutorial's purchase server sends (no orderedAt).
  auto m = parse_mileage_message(
      R"({"id":"order-1","username":"kim","price":12500,"mileageAccumulated":3000})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->price_cents, 1250000);
}

TEST(Order, FlagsPoisonMessages) {
  EXPECT_FALSE(parse_mileage_message("not json").has_value());
  EXPECT_FALSE(parse_mileage_message(R"({"id":"1","username":"k"})").has_value());
  EXPECT_FALSE(parse_tracking_message(R"({"id":"1","username":"k"})").has_value());
}

TEST(Order, ErrorsRenderAsJson) {
  std::string json = field_errors_json({{"price", "must not be negative"}});
  EXPECT_EQ(json,
            R"({"error":"ValidationError","message":"price must not be negative",)"
            R"("fields":[{"field":"price","message":"must not be negative"}]})");
}

}  // namespace
}  // namespace shop
