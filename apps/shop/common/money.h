#pragma once
// Exact decimal amounts with two fractional digits, held as an integer count of hundredths.
//
// Prices (currency units) and mileage balances (points) are both "cents": 12500.25 is 1250025.
// They are parsed from the exact text of a JSON number (or of a query-string value), never via
// a double, so 0.1 + 0.2 is 0.30 here, and a price the client wrote is the price we store.
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.h"

namespace shop {

// The largest accepted amount: 10^13 cents (100 billion units). Far above any real order and far
// below int64 overflow even after the 2% arithmetic.
inline constexpr int64_t kMaxCents = 10'000'000'000'000;

// Parses JSON number grammar (-?int(.frac)?([eE][+-]?exp)?) exactly. Errors, as text fit for a
// field-level message: not a number, negative, more than two decimal places, too large.
// A leading '-' on zero ("-0", "-0.00") is accepted as zero.
tern::Expected<int64_t, std::string> parse_cents(std::string_view text);

// "4700.00", "-0.05": always two decimals.
std::string format_cents(int64_t cents);

// The shortest JSON number with the same value: 12500, 125.5, 0.05.
std::string format_cents_compact(int64_t cents);

// Mileage credited for a price: 2% of it, rounded half up to the hundredth of a point.
// REQUIRES: 0 <= price_cents <= kMaxCents.
int64_t mileage_credit_cents(int64_t price_cents);

}  // namespace shop
