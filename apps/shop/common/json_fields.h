#pragma once
// A JSON object's top-level members with the exact text of every number.
//
// Boost.JSON's DOM turns numbers into double or int64, which loses "12.10" vs "12.1" and rounds
// 0.1; the shop needs the text to parse money exactly. This SAX-style reader keeps, for each
// top-level member, its kind and either its decoded string or its number text. Nested objects
// and arrays are accepted but only their kind is kept.
// Thread-safety: pure functions.

#include <map>
#include <string>
#include <string_view>

#include "common/expected.h"

namespace shop {

enum class JsonKind { kString, kNumber, kBool, kNull, kObject, kArray };

std::string_view to_string(JsonKind kind);

struct JsonField {
  JsonKind kind = JsonKind::kNull;
  std::string text;  // kString: the decoded value; kNumber: the literal; kBool: "true"/"false"
};

using JsonFields = std::map<std::string, JsonField>;

// Errors: "malformed JSON: ...", "the body must be a JSON object", "duplicate field \"x\"".
tern::Expected<JsonFields, std::string> parse_json_fields(std::string_view json);

// `s` as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace shop
