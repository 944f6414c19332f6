#pragma once
// Text rules shared by the layers: URL/form decoding, URI encoding (SigV4's unreserved set),
// strict integer parsing, and UTF-8 validation with the SQS message character set.
// All functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern {

// Decodes %XX escapes; when `plus_is_space`, '+' becomes ' ' (form encoding). Returns nullopt on
// a malformed escape.
std::optional<std::string> url_decode(std::string_view in, bool plus_is_space);

// Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ (uppercase hex). With keep_slash, '/'
// is kept as is (paths).
std::string uri_encode(std::string_view in, bool keep_slash = false);

// Splits "a=1&b=2" into decoded pairs (form rules). Returns nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view in);

// Parses an optionally signed decimal integer; nullopt on anything else (empty, spaces,
// overflow, trailing text).
std::optional<int64_t> parse_int64(std::string_view s);

// True when `s` is valid UTF-8.
bool is_valid_utf8(std::string_view s);

// True when `s` is valid UTF-8 and every code point is one SQS accepts in a message body:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool is_valid_sqs_text(std::string_view s);

bool starts_with_icase(std::string_view s, std::string_view prefix);
bool iequals(std::string_view a, std::string_view b);

}  // namespace tern
