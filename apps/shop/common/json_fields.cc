#include "json_fields.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace shop {
namespace {

namespace json = boost::json;

struct FieldsHandler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  JsonFields fields;
  std::string error;  // set when the handler itself rejects the document
  int depth = 0;      // 1 inside the top-level object
  std::string key, partial;

  bool top_value(JsonKind kind, std::string text, json::error_code& ec) {
    if (depth != 1) return true;  // inside a nested value, or a scalar document (caught below)
    auto [it, inserted] = fields.emplace(key, JsonField{kind, std::move(text)});
    if (!inserted) {
      error = "duplicate field \"" + key + "\"";
      ec = json::error::syntax;
      return false;
    }
    return true;
  }
  bool reject_scalar_document(json::error_code& ec) {
    if (depth != 0) return true;
    error = "the body must be a JSON object";
    ec = json::error::syntax;
    return false;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code& ec) {
    if (depth == 0) return reject_scalar_document(ec);
    if (!top_value(JsonKind::kArray, "", ec)) return false;
    ++depth;
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    --depth;
    return true;
  }
  bool on_object_begin(json::error_code& ec) {
    if (depth >= 1 && !top_value(JsonKind::kObject, "", ec)) return false;
    ++depth;
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    --depth;
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    partial.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    if (!reject_scalar_document(ec)) return false;
    partial.append(s.data(), s.size());
    bool ok = top_value(JsonKind::kString, std::move(partial), ec);
    partial.clear();
    return ok;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    partial.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    partial.append(s.data(), s.size());
    key = std::move(partial);
    partial.clear();
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    partial.append(s.data(), s.size());
    return true;
  }
  bool number(json::string_view s, json::error_code& ec) {
    if (!reject_scalar_document(ec)) return false;
    partial.append(s.data(), s.size());
    bool ok = top_value(JsonKind::kNumber, std::move(partial), ec);
    partial.clear();
    return ok;
  }
  bool on_int64(int64_t, json::string_view s, json::error_code& ec) { return number(s, ec); }
  bool on_uint64(uint64_t, json::string_view s, json::error_code& ec) { return number(s, ec); }
  bool on_double(double, json::string_view s, json::error_code& ec) { return number(s, ec); }
  bool on_bool(bool b, json::error_code& ec) {
    if (!reject_scalar_document(ec)) return false;
    return top_value(JsonKind::kBool, b ? "true" : "false", ec);
  }
  bool on_null(json::error_code& ec) {
    if (!reject_scalar_document(ec)) return false;
    return top_value(JsonKind::kNull, "", ec);
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

std::string_view to_string(JsonKind kind) {
  switch (kind) {
    case JsonKind::kString: return "string";
    case JsonKind::kNumber: return "number";
    case JsonKind::kBool: return "boolean";
    case JsonKind::kNull: return "null";
    case JsonKind::kObject: return "object";
    case JsonKind::kArray: return "array";
  }
  return "?";
}

tern::Expected<JsonFields, std::string> parse_json_fields(std::string_view text) {
  json::parse_options options;
  options.max_depth = 16;
  json::basic_parser<FieldsHandler> parser(options);
  json::error_code ec;
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used != text.size()) ec = json::error::extra_data;
  if (ec) {
    if (!parser.handler().error.empty()) return tern::unexpected(parser.handler().error);
    return tern::unexpected("malformed JSON: " + ec.message());
  }
  return std::move(parser.handler().fields);
}

std::string json_quote(std::string_view s) {
  return json::serialize(json::string(s));
}

}  // namespace shop
