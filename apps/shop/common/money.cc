#include "money.h"

#include <cstdlib>

namespace shop {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

tern::Expected<int64_t, std::string> parse_cents(std::string_view text) {
  auto not_a_number = [] { return tern::unexpected(std::string("must be a decimal number")); };
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && text[i] == '-') {
    negative = true;
    ++i;
  }
  // Collect all significant digits of int and frac parts; `point` counts the frac digits.
  std::string digits;
  size_t int_start = i;
  while (i < n && is_digit(text[i])) digits.push_back(text[i++]);
  size_t int_len = i - int_start;
  if (int_len == 0) return not_a_number();
  if (int_len > 1 && text[int_start] == '0') return not_a_number();  // JSON forbids 012
  int64_t frac_len = 0;
  if (i < n && text[i] == '.') {
    ++i;
    size_t frac_start = i;
    while (i < n && is_digit(text[i])) digits.push_back(text[i++]);
    frac_len = static_cast<int64_t>(i - frac_start);
    if (frac_len == 0) return not_a_number();
  }
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    size_t exp_start = i;
    while (i < n && is_digit(text[i])) {
      // Cap the exponent's magnitude: anything past a few hundred is out of range anyway, and
      // the cap keeps the arithmetic below from overflowing.
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_start) return not_a_number();
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return not_a_number();

  // value = digits * 10^(exponent - frac_len); we want value * 100 as an integer.
  int64_t shift = exponent - frac_len + 2;
  // Drop leading zeros so that length checks mean magnitude.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return int64_t{0};
  digits.erase(0, first);
  if (shift < 0) {
    // The last -shift digits are below a cent: they must all be zero.
    size_t drop = static_cast<size_t>(-shift);
    if (drop >= digits.size()) {
      return tern::unexpected(std::string("must have at most 2 decimal places"));
    }
    for (size_t k = digits.size() - drop; k < digits.size(); ++k) {
      if (digits[k] != '0') {
        return tern::unexpected(std::string("must have at most 2 decimal places"));
      }
    }
    digits.resize(digits.size() - drop);
    shift = 0;
  }
  if (negative) return tern::unexpected(std::string("must not be negative"));
  if (static_cast<int64_t>(digits.size()) + shift > 15) {
    return tern::unexpected(std::string("is too large"));
  }
  int64_t cents = 0;
  for (char c : digits) cents = cents * 10 + (c - '0');
  for (int64_t k = 0; k < shift; ++k) cents *= 10;
  if (cents > kMaxCents) return tern::unexpected(std::string("is too large"));
  return cents;
}

std::string format_cents(int64_t cents) {
  bool negative = cents < 0;
  // Work in unsigned to format INT64_MIN without overflow.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  std::string frac = std::to_string(magnitude % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + "." + frac;
}

std::string format_cents_compact(int64_t cents) {
  std::string s = format_cents(cents);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

int64_t mileage_credit_cents(int64_t price_cents) {
  // price * 2 / 100, half up: (2p + 50) / 100. 2 * kMaxCents + 50 fits easily in int64.
  return (price_cents * 2 + 50) / 100;
}

}  // namespace shop
