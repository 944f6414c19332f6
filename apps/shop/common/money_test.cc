#include "money.h"

#include <gtest/gtest.h>

namespace shop {
namespace {

int64_t cents(std::string_view s) {
  auto r = parse_cents(s);
  EXPECT_TRUE(r.has_value()) << s << ": " << (r ? "" : r.error());
  return r ? *r : -1;
}

std::string error_of(std::string_view s) {
  auto r = parse_cents(s);
  EXPECT_FALSE(r.has_value()) << s << " parsed as " << (r ? *r : 0);
  return r ? "" : r.error();
}

TEST(Money, ParsesExactDecimals) {
  EXPECT_EQ(cents("0"), 0);
  EXPECT_EQ(cents("12500"), 1250000);
  EXPECT_EQ(cents("0.1"), 10);
  EXPECT_EQ(cents("0.29"), 29);  // 0.29 * 100 is 28.999999999999996 in binary floating point
  EXPECT_EQ(cents("1.10"), 110);
  EXPECT_EQ(cents("1.100000"), 110);
  EXPECT_EQ(cents("19.99"), 1999);
  EXPECT_EQ(cents("-0"), 0);
  EXPECT_EQ(cents("-0.00"), 0);
}

TEST(Money, ParsesExponents) {
  EXPECT_EQ(cents("1e2"), 10000);
  EXPECT_EQ(cents("1.25E2"), 12500);
  EXPECT_EQ(cents("125e-2"), 125);
  EXPECT_EQ(cents("1250e-3"), 125);
  EXPECT_EQ(cents("0e999999999"), 0);
}

TEST(Money, RejectsWhatIsNotAnExactAmount) {
  EXPECT_EQ(error_of("-1"), "must not be negative");
  EXPECT_EQ(error_of("-0.01"), "must not be negative");
  EXPECT_EQ(error_of("0.001"), "must have at most 2 decimal places");
  EXPECT_EQ(error_of("1e-3"), "must have at most 2 decimal places");
  EXPECT_EQ(error_of("1e999999999"), "is too large");
  EXPECT_EQ(error_of("100000000000.01"), "is too large");
  for (const char* bad : {"", "abc", "12a", "1.", ".5", "01", "+1", "1e", "1e+", " 1", "1 ",
                          "NaN", "Infinity", "0x10", "1,000", "--1"}) {
    EXPECT_EQ(error_of(bad), "must be a decimal number") << bad;
  }
}

TEST(Money, AcceptsTheLargestAmount) {
  EXPECT_EQ(cents("100000000000"), kMaxCents);
  EXPECT_EQ(cents("99999999999.99"), kMaxCents - 1);
}

TEST(Money, FormatsTwoDecimals) {
  EXPECT_EQ(format_cents(0), "0.00");
  EXPECT_EQ(format_cents(5), "0.05");
  EXPECT_EQ(format_cents(470000), "4700.00");
  EXPECT_EQ(format_cents(-5), "-0.05");
  EXPECT_EQ(format_cents(INT64_MIN), "-92233720368547758.08");
  EXPECT_EQ(format_cents_compact(1250000), "12500");
  EXPECT_EQ(format_cents_compact(12550), "125.5");
  EXPECT_EQ(format_cents_compact(5), "0.05");
  EXPECT_EQ(format_cents_compact(0), "0");
}

TEST(Money, RoundTripsEveryCentValue) {
  for (int64_t c = 0; c < 20000; ++c) ASSERT_EQ(cents(format_cents(c)), c);
  for (int64_t c = 0; c < 20000; ++c) ASSERT_EQ(cents(format_cents_compact(c)), c);
}

TEST(Money, CreditIsTwoPercentRoundedHalfUp) {
  EXPECT_EQ(mileage_credit_cents(1250000), 25000);  // 12500 -> 250.00
  EXPECT_EQ(mileage_credit_cents(1000000), 20000);  // 10000 -> 200.00
  EXPECT_EQ(mileage_credit_cents(1999), 40);        // 19.99 -> 0.3998 -> 0.40
  EXPECT_EQ(mileage_credit_cents(25), 1);           // 0.25 -> 0.005 -> 0.01 (half up)
  EXPECT_EQ(mileage_credit_cents(24), 0);           // 0.24 -> 0.0048 -> 0.00
  EXPECT_EQ(mileage_credit_cents(kMaxCents), kMaxCents / 50);
}

}  // namespace
}  // namespace shop
