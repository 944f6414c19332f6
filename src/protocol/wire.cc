#include "protocol/wire.h"

#include "common/sqs_actions.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/text.h"

namespace tern::protocol {
namespace json = boost::json;
using engine::ErrorCode;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Scalar members that may appear in a query request (spec §1.5 "Scalars", plus the batch entry
// members). Anything else without an index is ignored: that drops Action, Version, the X-Amz-*
// signature parameters and botocore's bare empty-list keys such as `AttributeNames=`, which would
// otherwise collide with the list members of the same name.
bool is_query_scalar(std::string_view k) {
  static constexpr std::array<std::string_view, 21> kScalars = {
      "QueueUrl", "QueueName", "MessageBody", "DelaySeconds", "MaxNumberOfMessages",
      "VisibilityTimeout", "WaitTimeSeconds", "ReceiveRequestAttemptId",
      "MessageDeduplicationId", "MessageGroupId", "ReceiptHandle", "Label", "QueueNamePrefix",
      "MaxResults", "NextToken", "QueueOwnerAWSAccountId", "SourceArn", "DestinationArn",
      "MaxNumberOfMessagesPerSecond", "TaskHandle", "Id"};
  return std::find(kScalars.begin(), kScalars.end(), k) != kScalars.end();
}

// Query list keys `<Head>.N` and the JSON member they become.
std::optional<std::string_view> list_member(std::string_view head) {
  if (head == "TagKey") return "TagKeys";
  if (head == "AttributeName") return "AttributeNames";
  if (head == "MessageAttributeName") return "MessageAttributeNames";
  if (head == "AWSAccountId") return "AWSAccountIds";
  if (head == "ActionName") return "Actions";
  return std::nullopt;
}

std::string_view entry_head_for(std::string_view action) {
  if (action == "SendMessageBatch") return "SendMessageBatchRequestEntry";
  if (action == "DeleteMessageBatch") return "DeleteMessageBatchRequestEntry";
  if (action == "ChangeMessageVisibilityBatch") return "ChangeMessageVisibilityBatchRequestEntry";
  return {};
}

// A flattened index: decimal, 1-based. Returns 0 when `s` is not one (the key is then ignored).
int64_t parse_index(std::string_view s) {
  if (s.empty() || s.size() > 9) return 0;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::pair<std::string_view, std::string_view> split_dot(std::string_view s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return {s, {}};
  return {s.substr(0, dot), s.substr(dot + 1)};
}

struct MapEntry {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

struct AttrEntry {
  std::optional<std::string> name;
  std::optional<std::string> data_type, string_value, binary_value;
  std::map<int64_t, std::string> string_list, binary_list;
};

engine::Error missing(const std::string& name) {
  return {ErrorCode::kMissingParameter, "The request must contain the parameter " + name + "."};
}

using Unflat = tern::Expected<json::object, engine::Error>;

// Unflattens `params` (keys relative to `ctx`, e.g. "SendMessageBatchRequestEntry.2.").
Unflat unflatten(const Params& params, std::string_view action, const std::string& ctx,
                 bool top_level) {
  json::object out;
  std::map<int64_t, MapEntry> attributes, tags;
  std::map<std::string_view, std::map<int64_t, std::string>> lists;
  std::map<std::string_view, std::map<int64_t, AttrEntry>> msg_attrs;  // by head
  std::map<int64_t, Params> entries;
  const std::string_view entry_head = top_level ? entry_head_for(action) : std::string_view();

  for (const auto& [key, value] : params) {
    auto [head, rest] = split_dot(key);
    if (rest.empty()) {
      if (is_query_scalar(head)) out[head] = value;  // last one wins
      continue;
    }
    auto [index_text, tail] = split_dot(rest);
    int64_t index = parse_index(index_text);
    if (index <= 0) continue;
    if (head == "Attribute" || head == "Tag") {
      auto& e = (head == "Attribute" ? attributes : tags)[index];
      std::string_view key_name = head == "Attribute" ? "Name" : "Key";
      if (tail == key_name) e.key = value;
      if (tail == "Value") e.value = value;
    } else if (auto member = list_member(head)) {
      if (tail.empty()) lists[*member][index] = value;
    } else if (head == "MessageAttribute" || head == "MessageSystemAttribute") {
      auto& e = msg_attrs[head == "MessageAttribute" ? "MessageAttributes"
                                                      : "MessageSystemAttributes"][index];
      if (tail == "Name") {
        e.name = value;
      } else if (tail == "Value.DataType") {
        e.data_type = value;
      } else if (tail == "Value.StringValue") {
        e.string_value = value;
      } else if (tail == "Value.BinaryValue") {
        e.binary_value = value;
      } else {
        auto [value_part, list_rest] = split_dot(tail);
        auto [list_name, list_index_text] = split_dot(list_rest);
        int64_t list_index = parse_index(list_index_text);
        if (value_part != "Value" || list_index <= 0) continue;
        if (list_name == "StringListValue") e.string_list[list_index] = value;
        if (list_name == "BinaryListValue") e.binary_list[list_index] = value;
      }
    } else if (!entry_head.empty() && head == entry_head && !tail.empty()) {
      entries[index].emplace_back(std::string(tail), value);
    }
  }

  auto build_map = [&](const std::map<int64_t, MapEntry>& m, std::string_view member) {
    if (m.empty()) return;
    json::object obj;
    for (const auto& [i, e] : m) obj[*e.key] = *e.value;  // checked by check_map
    out[member] = std::move(obj);
  };
  // Report the first missing half of a map entry.
  auto check_map = [&](const std::map<int64_t, MapEntry>& m, std::string_view head,
                       std::string_view key_name) -> std::optional<engine::Error> {
    for (const auto& [i, e] : m) {
      std::string base = ctx + std::string(head) + "." + std::to_string(i) + ".";
      if (!e.key) return missing(base + std::string(key_name));
      if (!e.value) return missing(base + "Value");
    }
    return std::nullopt;
  };
  if (auto err = check_map(attributes, "Attribute", "Name")) return tern::unexpected(*err);
  if (auto err = check_map(tags, "Tag", "Key")) return tern::unexpected(*err);
  build_map(attributes, "Attributes");
  // CreateQueue's model member is lowercase `tags`; TagQueue's is `Tags`.
  build_map(tags, action == "CreateQueue" ? "tags" : "Tags");

  for (const auto& [member, items] : lists) {
    json::array arr;
    for (const auto& [i, v] : items) arr.emplace_back(v);
    out[member] = std::move(arr);
  }

  for (const auto& [member, items] : msg_attrs) {
    std::string_view head = member == "MessageAttributes" ? "MessageAttribute"
                                                          : "MessageSystemAttribute";
    json::object map;
    for (const auto& [i, e] : items) {
      if (!e.name) {
        return tern::unexpected(
            missing(ctx + std::string(head) + "." + std::to_string(i) + ".Name"));
      }
      json::object v;
      if (e.data_type) v["DataType"] = *e.data_type;
      if (e.string_value) v["StringValue"] = *e.string_value;
      if (e.binary_value) v["BinaryValue"] = *e.binary_value;
      if (!e.string_list.empty()) {
        json::array a;
        for (const auto& [j, s] : e.string_list) a.emplace_back(s);
        v["StringListValues"] = std::move(a);
      }
      if (!e.binary_list.empty()) {
        json::array a;
        for (const auto& [j, s] : e.binary_list) a.emplace_back(s);
        v["BinaryListValues"] = std::move(a);
      }
      map[*e.name] = std::move(v);
    }
    out[member] = std::move(map);
  }

  if (!entries.empty()) {
    json::array arr;
    for (const auto& [i, sub] : entries) {
      auto entry =
          unflatten(sub, action, ctx + std::string(entry_head) + "." + std::to_string(i) + ".",
                    /*top_level=*/false);
      if (!entry) return tern::unexpected(std::move(entry).error());
      arr.emplace_back(std::move(*entry));
    }
    out["Entries"] = std::move(arr);
  }
  return out;
}

ClassifyError classify_error(Protocol p, ErrorCode code, std::string message, int status = 0) {
  return ClassifyError{p, engine::Error{code, std::move(message)}, status};
}

std::string invalid_action_message(std::string_view action) {
  return "The action " + std::string(action) + " is not valid for this endpoint.";
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

}  // namespace

const std::vector<std::string_view>& known_actions() {
  static const std::vector<std::string_view> kActions(tern::kSqsActions.begin(),
                                                      tern::kSqsActions.end());
  return kActions;
}

bool is_known_action(std::string_view action) {
  const auto& a = known_actions();
  return std::find(a.begin(), a.end(), action) != a.end();
}

std::string_view target_path(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

bool is_queue_path(std::string_view path) {
  if (path.size() < 4 || path[0] != '/') return false;
  std::string_view rest = path.substr(1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  std::string_view queue = rest.substr(slash + 1);
  return !queue.empty() && queue.find('/') == std::string_view::npos;
}

tern::Expected<json::object, engine::Error> unflatten_query(const Params& params,
                                                             std::string_view action) {
  return unflatten(params, action, "", /*top_level=*/true);
}

namespace {
int hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    int d = (c >= '0' && c <= '9') ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}
}  // namespace

std::string replace_lone_surrogates(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size();) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out += body[i++];
      continue;
    }
    if (body[i + 1] != 'u') {  // another escape: copy both characters
      out.append(body.substr(i, 2));
      i += 2;
      continue;
    }
    int cp = hex4(body, i + 2);
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 11 < body.size() && body[i + 6] == '\\' &&
        body[i + 7] == 'u') {
      int lo = hex4(body, i + 8);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {  // a valid pair
        out.append(body.substr(i, 12));
        i += 12;
        continue;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      out += "\\u0000";
      i += 6;
      continue;
    }
    out.append(body.substr(i, 2));
    i += 2;
  }
  return out;
}

tern::Expected<Classified, ClassifyError> classify(const WireRequest& request) {
  // Rule 1: X-Amz-Target selects the JSON protocol, whatever the path.
  if (!request.amz_target.empty()) {
    constexpr std::string_view kPrefix = "AmazonSQS.";
    if (request.amz_target.substr(0, kPrefix.size()) != kPrefix) {
      return tern::unexpected(classify_error(
          Protocol::kJson, ErrorCode::kUnknownOperation,
          "The operation " + std::string(request.amz_target) + " is unknown."));
    }
    std::string action(request.amz_target.substr(kPrefix.size()));
    if (!is_known_action(action)) {
      return tern::unexpected(classify_error(Protocol::kJson, ErrorCode::kInvalidAction,
                                             invalid_action_message(action)));
    }
    Classified out{Protocol::kJson, std::move(action), {}};
    if (!is_blank(request.body)) {
      boost::system::error_code ec;
      json::value v = json::parse(request.body, ec);  // no throw: ec overload
      if (ec && request.body.find("\\u") != std::string_view::npos) {
        // Valid JSON that Boost.JSON 1.81 cannot represent: an unpaired \uD800-\uDFFF escape
        // (what the JS SDKs send for a lone surrogate). SQS answers InvalidMessageContents for
        // such a body, so map each lone surrogate to U+0000, which the engine's character
        // rules reject with exactly that error (per entry, in batches).
        std::string fixed = replace_lone_surrogates(request.body);
        ec.clear();
        v = json::parse(fixed, ec);
      }
      if (ec || !v.is_object()) {
        return tern::unexpected(
            classify_error(Protocol::kJson, ErrorCode::kSerializationException,
                           "The request body is not a valid JSON object."));
      }
      out.params = std::move(v.as_object());
    }
    return out;
  }

  // Rule 2: form parameters from the URL query string, then a form body (body wins on a
  // duplicate key: it is appended later and scalars keep the last value).
  std::string_view path = target_path(request.target);
  Params params;
  if (path.size() < request.target.size()) {
    auto q = parse_form(request.target.substr(path.size() + 1));
    if (!q) {
      return tern::unexpected(classify_error(Protocol::kQuery, ErrorCode::kMalformedQueryString,
                                             "The query string is malformed."));
    }
    params = std::move(*q);
  }
  if (starts_with_icase(request.content_type, "application/x-www-form-urlencoded")) {
    auto b = parse_form(request.body);
    if (!b) {
      return tern::unexpected(classify_error(Protocol::kQuery, ErrorCode::kMalformedQueryString,
                                             "The request body is malformed."));
    }
    params.insert(params.end(), std::make_move_iterator(b->begin()),
                  std::make_move_iterator(b->end()));
  }
  const std::string* action = nullptr;
  for (const auto& [k, v] : params) {
    if (k == "Action") action = &v;
  }
  // Rule 3: no selector at all. AWS answers 404 <UnknownOperationException/>.
  if (action == nullptr) {
    return tern::unexpected(classify_error(Protocol::kQuery, ErrorCode::kUnknownOperation, "",
                                           /*status=*/404));
  }
  if (!is_known_action(*action)) {
    return tern::unexpected(classify_error(Protocol::kQuery, ErrorCode::kInvalidAction,
                                           invalid_action_message(*action)));
  }
  const bool queue_path = is_queue_path(path);
  // Rule 5: account-level actions are not valid on a queue endpoint.
  if (queue_path && (*action == "CreateQueue" || *action == "ListQueues")) {
    return tern::unexpected(classify_error(Protocol::kQuery, ErrorCode::kInvalidAction,
                                           invalid_action_message(*action)));
  }
  auto obj = unflatten_query(params, *action);
  if (!obj) {
    return tern::unexpected(ClassifyError{Protocol::kQuery, std::move(obj).error(), 0});
  }
  Classified out{Protocol::kQuery, *action, std::move(*obj)};
  // Rule 4: the QueueUrl parameter wins; else the queue comes from the path (Java v1 moves it
  // there). The engine resolves QueueUrls by path, so the bare path is enough.
  if (queue_path && !out.params.contains("QueueUrl")) {
    auto decoded = url_decode(path, /*plus_is_space=*/false);
    out.params["QueueUrl"] = decoded ? *decoded : std::string(path);
  }
  return out;
}

}  // namespace tern::protocol
