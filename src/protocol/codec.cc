#include "protocol/codec.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/crypto.h"
#include "common/text.h"
#include "protocol/errors.h"

namespace tern::protocol {
namespace json = boost::json;
using engine::ErrorCode;

namespace {

// ---- decoding -----------------------------------------------------------------------------------

// How a rejected value is quoted in a message; long values are cut so that an error response
// cannot be inflated by the request.
std::string show(const json::value& v) {
  std::string s = v.is_string() ? std::string(v.get_string()) : json::serialize(v);
  constexpr size_t kMax = 256;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

// Reads members of one JSON object. The first failure is kept and every later call is a no-op,
// so a decoder is a flat list of reads followed by `return r.status();`.
class Reader {
 public:
  // `prefix` names the object in messages, e.g. "SendMessageBatchRequestEntry.2.".
  explicit Reader(const json::object& obj, std::string prefix = "")
      : obj_(obj), prefix_(std::move(prefix)) {}

  bool ok() const { return !error_.has_value(); }
  engine::Status status() const {
    if (error_) return engine::fail(error_->code, error_->message);
    return {};
  }
  void fail(ErrorCode code, std::string message) {
    if (!error_) error_ = engine::Error{code, std::move(message)};
  }
  void missing(std::string_view name) {
    fail(ErrorCode::kMissingParameter,
         "The request must contain the parameter " + prefix_ + std::string(name) + ".");
  }
  void invalid(std::string_view name, const json::value& v, std::string_view reason) {
    fail(ErrorCode::kInvalidParameterValue, "Value " + show(v) + " for parameter " + prefix_ +
                                                std::string(name) + " is invalid. Reason: " +
                                                std::string(reason));
  }

  // The member, or nullptr when absent or null (null is treated as absent).
  const json::value* find(std::string_view name) const {
    if (!ok()) return nullptr;
    const json::value* v = obj_.if_contains(name);
    return (v == nullptr || v->is_null()) ? nullptr : v;
  }

  void opt_string(std::string_view name, std::optional<std::string>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (const json::string* s = v->if_string()) {
      out = std::string(*s);
    } else {
      invalid(name, *v, "Must be a string.");
    }
  }
  void req_string(std::string_view name, std::string& out) {
    if (!ok()) return;
    std::optional<std::string> s;
    opt_string(name, s);
    if (!ok()) return;
    if (!s) return missing(name);
    out = std::move(*s);
  }
  // Like req_string, but an empty string also counts as absent (MessageBody).
  void req_nonempty_string(std::string_view name, std::string& out) {
    req_string(name, out);
    if (ok() && out.empty()) missing(name);
  }

  void opt_int(std::string_view name, std::optional<int64_t>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (auto i = to_int64(*v)) {
      out = *i;
    } else {
      invalid(name, *v, "Must be an integer.");
    }
  }
  void req_int(std::string_view name, int64_t& out) {
    if (!ok()) return;
    std::optional<int64_t> i;
    opt_int(name, i);
    if (!ok()) return;
    if (!i) return missing(name);
    out = *i;
  }

  // A list of strings; `base64` decodes each element.
  void string_list(std::string_view name, std::vector<std::string>& out, bool required,
                   bool base64 = false) {
    const json::value* v = find(name);
    if (!ok()) return;
    const json::array* arr = v != nullptr ? v->if_array() : nullptr;
    if (v != nullptr && arr == nullptr) return invalid(name, *v, "Must be a list of strings.");
    if (arr == nullptr || arr->empty()) {
      if (required) missing(name);
      return;
    }
    out.clear();
    out.reserve(arr->size());
    for (const json::value& e : *arr) {
      const json::string* s = e.if_string();
      if (s == nullptr) return invalid(name, e, "Must be a list of strings.");
      if (!base64) {
        out.emplace_back(*s);
        continue;
      }
      auto bytes = base64_decode(*s);
      if (!bytes) return invalid(name, e, "Must be base64-encoded binary data.");
      out.push_back(std::move(*bytes));
    }
  }

  // A map of string to string (queue attributes, tags).
  void string_map(std::string_view name, std::map<std::string, std::string>& out,
                  bool required) {
    const json::value* v = find(name);
    if (!ok()) return;
    const json::object* obj = v != nullptr ? v->if_object() : nullptr;
    if (v != nullptr && obj == nullptr) return invalid(name, *v, "Must be a map of strings.");
    if (obj == nullptr || obj->empty()) {
      if (required) missing(name);
      return;
    }
    out.clear();
    for (const auto& kv : *obj) {
      const json::string* s = kv.value().if_string();
      if (s == nullptr) {
        return invalid(std::string(name) + "." + std::string(kv.key()), kv.value(),
                       "Must be a string.");
      }
      out[std::string(kv.key())] = std::string(*s);
    }
  }

  // A map of name to MessageAttributeValue (MessageAttributes, MessageSystemAttributes).
  void attribute_map(std::string_view name, engine::MessageAttributes& out) {
    const json::value* v = find(name);
    if (!ok() || v == nullptr) return;
    const json::object* obj = v->if_object();
    if (obj == nullptr) return invalid(name, *v, "Must be a map of attribute values.");
    out.clear();
    for (const auto& kv : *obj) {
      std::string member = std::string(name) + "." + std::string(kv.key());
      const json::object* value_obj = kv.value().if_object();
      if (value_obj == nullptr) return invalid(member, kv.value(), "Must be an attribute value.");
      // DataType is required by the model, but AWS reports a missing one as an invalid
      // attribute (engine check on an empty data_type), so it is read as optional here.
      Reader r(*value_obj, prefix_ + member + ".");
      engine::MessageAttributeValue a;
      std::optional<std::string> data_type;
      r.opt_string("DataType", data_type);
      a.data_type = data_type.value_or("");
      r.opt_string("StringValue", a.string_value);
      r.opt_blob("BinaryValue", a.binary_value);
      r.string_list("StringListValues", a.string_list_values, false);
      r.string_list("BinaryListValues", a.binary_list_values, false, /*base64=*/true);
      if (!r.ok()) {
        error_ = r.error_;
        return;
      }
      out[std::string(kv.key())] = std::move(a);
    }
  }

  void opt_blob(std::string_view name, std::optional<std::string>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const json::string* s = v->if_string();
    if (s == nullptr) return invalid(name, *v, "Must be base64-encoded binary data.");
    auto bytes = base64_decode(*s);
    if (!bytes) return invalid(name, *v, "Must be base64-encoded binary data.");
    out = std::move(*bytes);
  }

  // The array of entry objects of a batch request, or nullptr after reporting an error.
  // An absent or empty list is AWS's EmptyBatchRequest (query cannot tell the two apart).
  const json::array* entries(std::string_view entry_name) {
    const json::value* v = find("Entries");
    if (!ok()) return nullptr;
    const json::array* arr = v != nullptr ? v->if_array() : nullptr;
    if (v != nullptr && arr == nullptr) {
      invalid("Entries", *v, "Must be a list of entries.");
      return nullptr;
    }
    if (arr == nullptr || arr->empty()) {
      fail(ErrorCode::kEmptyBatchRequest, "There should be at least one " +
                                              std::string(entry_name) + " in the request.");
      return nullptr;
    }
    for (const json::value& e : *arr) {
      if (!e.is_object()) {
        invalid("Entries", e, "Must be a list of entries.");
        return nullptr;
      }
    }
    return arr;
  }

  // Decodes each entry of `arr` with `fn(Reader&, Entry&)`; entry readers are prefixed with the
  // query name of the entry, e.g. "SendMessageBatchRequestEntry.1.".
  template <class Entry, class Fn>
  void each_entry(const json::array& arr, std::string_view entry_name, std::vector<Entry>& out,
                  Fn fn) {
    out.clear();
    out.reserve(arr.size());
    for (size_t i = 0; i < arr.size() && ok(); ++i) {
      Reader r(arr[i].get_object(),
               prefix_ + std::string(entry_name) + "." + std::to_string(i + 1) + ".");
      Entry e;
      fn(r, e);
      if (!r.ok()) {
        error_ = r.error_;
        return;
      }
      out.push_back(std::move(e));
    }
  }

 private:
  static std::optional<int64_t> to_int64(const json::value& v) {
    if (const int64_t* i = v.if_int64()) return *i;
    if (const uint64_t* u = v.if_uint64()) {
      if (*u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return static_cast<int64_t>(*u);
      }
      return std::nullopt;
    }
    if (const double* d = v.if_double()) {
      // 5.0 is an integer; 5.5, NaN and values beyond int64 are not.
      if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.2e18) {
        return static_cast<int64_t>(*d);
      }
      return std::nullopt;
    }
    if (const json::string* s = v.if_string()) return parse_int64(*s);
    return std::nullopt;
  }

  const json::object& obj_;
  std::string prefix_;
  std::optional<engine::Error> error_;
};

// ---- encoding helpers ---------------------------------------------------------------------------

json::object attribute_value_json(const engine::MessageAttributeValue& a) {
  json::object o;
  if (a.string_value) o["StringValue"] = *a.string_value;
  if (a.binary_value) o["BinaryValue"] = base64_encode(*a.binary_value);
  if (!a.string_list_values.empty()) {
    json::array arr;
    for (const auto& s : a.string_list_values) arr.emplace_back(s);
    o["StringListValues"] = std::move(arr);
  }
  if (!a.binary_list_values.empty()) {
    json::array arr;
    for (const auto& s : a.binary_list_values) arr.emplace_back(base64_encode(s));
    o["BinaryListValues"] = std::move(arr);
  }
  o["DataType"] = a.data_type;
  return o;
}

json::array string_array(const std::vector<std::string>& v) {
  json::array arr;
  arr.reserve(v.size());
  for (const auto& s : v) arr.emplace_back(s);
  return arr;
}

template <class Pairs>
json::object string_object(const Pairs& pairs) {
  json::object o;
  for (const auto& [k, v] : pairs) o[k] = v;
  return o;
}

json::array failed_json(const std::vector<engine::BatchResultError>& failed) {
  json::array arr;
  for (const auto& f : failed) {
    json::object o;
    o["Id"] = f.id;
    o["SenderFault"] = f.sender_fault;
    o["Code"] = query_code(f.error.code);
    o["Message"] = f.error.message;
    arr.emplace_back(std::move(o));
  }
  return arr;
}

void id_entries_json(const std::vector<engine::IdResultEntry>& ok,
                     const std::vector<engine::BatchResultError>& failed,
                     json::object& out) {
  if (!ok.empty()) {
    json::array arr;
    for (const auto& e : ok) arr.emplace_back(json::object{{"Id", e.id}});
    out["Successful"] = std::move(arr);
  }
  if (!failed.empty()) out["Failed"] = failed_json(failed);
}

void opt_element(XmlWriter& w, std::string_view name, const std::optional<std::string>& v) {
  if (v) w.element(name, *v);
}

void attribute_value_xml(XmlWriter& w, const engine::MessageAttributeValue& a) {
  w.open("Value");
  opt_element(w, "StringValue", a.string_value);
  if (a.binary_value) w.element("BinaryValue", base64_encode(*a.binary_value));
  for (const auto& s : a.string_list_values) w.element("StringListValue", s);
  for (const auto& s : a.binary_list_values) w.element("BinaryListValue", base64_encode(s));
  w.element("DataType", a.data_type);
  w.close();
}

template <class Pairs>
void name_value_xml(XmlWriter& w, std::string_view element, std::string_view key_name,
                    const Pairs& pairs) {
  for (const auto& [k, v] : pairs) {
    w.open(element);
    w.element(key_name, k);
    w.element("Value", v);
    w.close();
  }
}

void failed_xml(XmlWriter& w, const std::vector<engine::BatchResultError>& failed) {
  for (const auto& f : failed) {
    w.open("BatchResultErrorEntry");
    w.element("Id", f.id);
    w.element("SenderFault", f.sender_fault ? "true" : "false");
    w.element("Code", query_code(f.error.code));
    w.element("Message", f.error.message);
    w.close();
  }
}

void id_entries_xml(XmlWriter& w, std::string_view element,
                    const std::vector<engine::IdResultEntry>& ok,
                    const std::vector<engine::BatchResultError>& failed) {
  for (const auto& e : ok) {
    w.open(element);
    w.element("Id", e.id);
    w.close();
  }
  failed_xml(w, failed);
}

}  // namespace

// ---- decoders -----------------------------------------------------------------------------------

engine::Status decode(const json::object& params, engine::CreateQueueRequest& out) {
  Reader r(params);
  r.req_string("QueueName", out.queue_name);
  r.string_map("Attributes", out.attributes, false);
  r.string_map("tags", out.tags, false);
  return r.status();
}

engine::Status decode(const json::object& params, engine::GetQueueUrlRequest& out) {
  Reader r(params);
  r.req_string("QueueName", out.queue_name);
  r.opt_string("QueueOwnerAWSAccountId", out.queue_owner_aws_account_id);
  return r.status();
}

engine::Status decode(const json::object& params, engine::ListQueuesRequest& out) {
  Reader r(params);
  r.opt_string("QueueNamePrefix", out.queue_name_prefix);
  r.opt_int("MaxResults", out.max_results);
  r.opt_string("NextToken", out.next_token);
  return r.status();
}

engine::Status decode(const json::object& params, engine::DeleteQueueRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  return r.status();
}

engine::Status decode(const json::object& params, engine::PurgeQueueRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  return r.status();
}

engine::Status decode(const json::object& params, engine::GetQueueAttributesRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.string_list("AttributeNames", out.attribute_names, false);
  return r.status();
}

engine::Status decode(const json::object& params, engine::SetQueueAttributesRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.string_map("Attributes", out.attributes, true);
  return r.status();
}

engine::Status decode(const json::object& params, engine::TagQueueRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.string_map("Tags", out.tags, true);
  return r.status();
}

engine::Status decode(const json::object& params, engine::UntagQueueRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.string_list("TagKeys", out.tag_keys, true);
  return r.status();
}

engine::Status decode(const json::object& params, engine::ListQueueTagsRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  return r.status();
}

engine::Status decode(const json::object& params, engine::SendMessageRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.req_nonempty_string("MessageBody", out.message_body);
  r.opt_int("DelaySeconds", out.delay_seconds);
  r.attribute_map("MessageAttributes", out.message_attributes);
  r.attribute_map("MessageSystemAttributes", out.message_system_attributes);
  r.opt_string("MessageDeduplicationId", out.message_deduplication_id);
  r.opt_string("MessageGroupId", out.message_group_id);
  return r.status();
}

engine::Status decode(const json::object& params, engine::SendMessageBatchRequest& out) {
  constexpr std::string_view kEntry = "SendMessageBatchRequestEntry";
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  if (const json::array* arr = r.entries(kEntry)) {
    r.each_entry(*arr, kEntry, out.entries,
                 [](Reader& e, engine::SendMessageBatchRequestEntry& entry) {
                   e.req_string("Id", entry.id);
                   e.req_nonempty_string("MessageBody", entry.message_body);
                   e.opt_int("DelaySeconds", entry.delay_seconds);
                   e.attribute_map("MessageAttributes", entry.message_attributes);
                   e.attribute_map("MessageSystemAttributes", entry.message_system_attributes);
                   e.opt_string("MessageDeduplicationId", entry.message_deduplication_id);
                   e.opt_string("MessageGroupId", entry.message_group_id);
                 });
  }
  return r.status();
}

engine::Status decode(const json::object& params, engine::ReceiveMessageRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  // AttributeNames is the deprecated alias of MessageSystemAttributeNames; AWS uses the union.
  std::vector<std::string> names, system_names;
  r.string_list("AttributeNames", names, false);
  r.string_list("MessageSystemAttributeNames", system_names, false);
  out.attribute_names.clear();
  for (auto* list : {&names, &system_names}) {
    for (auto& n : *list) {
      if (std::find(out.attribute_names.begin(), out.attribute_names.end(), n) ==
          out.attribute_names.end()) {
        out.attribute_names.push_back(std::move(n));
      }
    }
  }
  r.string_list("MessageAttributeNames", out.message_attribute_names, false);
  r.opt_int("MaxNumberOfMessages", out.max_number_of_messages);
  r.opt_int("VisibilityTimeout", out.visibility_timeout);
  r.opt_int("WaitTimeSeconds", out.wait_time_seconds);
  r.opt_string("ReceiveRequestAttemptId", out.receive_request_attempt_id);
  return r.status();
}

engine::Status decode(const json::object& params, engine::DeleteMessageRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.req_string("ReceiptHandle", out.receipt_handle);
  return r.status();
}

engine::Status decode(const json::object& params, engine::DeleteMessageBatchRequest& out) {
  constexpr std::string_view kEntry = "DeleteMessageBatchRequestEntry";
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  if (const json::array* arr = r.entries(kEntry)) {
    r.each_entry(*arr, kEntry, out.entries,
                 [](Reader& e, engine::DeleteMessageBatchRequestEntry& entry) {
                   e.req_string("Id", entry.id);
                   e.req_string("ReceiptHandle", entry.receipt_handle);
                 });
  }
  return r.status();
}

engine::Status decode(const json::object& params, engine::ChangeMessageVisibilityRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.req_string("ReceiptHandle", out.receipt_handle);
  r.req_int("VisibilityTimeout", out.visibility_timeout);
  return r.status();
}

engine::Status decode(const json::object& params,
                      engine::ChangeMessageVisibilityBatchRequest& out) {
  constexpr std::string_view kEntry = "ChangeMessageVisibilityBatchRequestEntry";
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  if (const json::array* arr = r.entries(kEntry)) {
    r.each_entry(*arr, kEntry, out.entries,
                 [](Reader& e, engine::ChangeMessageVisibilityBatchRequestEntry& entry) {
                   e.req_string("Id", entry.id);
                   e.req_string("ReceiptHandle", entry.receipt_handle);
                   e.req_int("VisibilityTimeout", entry.visibility_timeout);
                 });
  }
  return r.status();
}

engine::Status decode(const json::object& params, engine::AddPermissionRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.req_string("Label", out.label);
  r.string_list("AWSAccountIds", out.aws_account_ids, true);
  r.string_list("Actions", out.actions, true);
  return r.status();
}

engine::Status decode(const json::object& params, engine::RemovePermissionRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.req_string("Label", out.label);
  return r.status();
}

engine::Status decode(const json::object& params,
                      engine::ListDeadLetterSourceQueuesRequest& out) {
  Reader r(params);
  r.req_string("QueueUrl", out.queue_url);
  r.opt_int("MaxResults", out.max_results);
  r.opt_string("NextToken", out.next_token);
  return r.status();
}

engine::Status decode(const json::object& params, engine::StartMessageMoveTaskRequest& out) {
  Reader r(params);
  r.req_string("SourceArn", out.source_arn);
  r.opt_string("DestinationArn", out.destination_arn);
  r.opt_int("MaxNumberOfMessagesPerSecond", out.max_number_of_messages_per_second);
  return r.status();
}

engine::Status decode(const json::object& params, engine::CancelMessageMoveTaskRequest& out) {
  Reader r(params);
  r.req_string("TaskHandle", out.task_handle);
  return r.status();
}

engine::Status decode(const json::object& params, engine::ListMessageMoveTasksRequest& out) {
  Reader r(params);
  r.req_string("SourceArn", out.source_arn);
  r.opt_int("MaxResults", out.max_results);
  return r.status();
}

// ---- JSON encoders ------------------------------------------------------------------------------

void encode_json(const engine::Empty&, json::object&) {}

void encode_json(const engine::CreateQueueResult& r, json::object& out) {
  out["QueueUrl"] = r.queue_url;
}

void encode_json(const engine::GetQueueUrlResult& r, json::object& out) {
  out["QueueUrl"] = r.queue_url;
}

void encode_json(const engine::ListQueuesResult& r, json::object& out) {
  if (!r.queue_urls.empty()) out["QueueUrls"] = string_array(r.queue_urls);
  if (r.next_token) out["NextToken"] = *r.next_token;
}

void encode_json(const engine::GetQueueAttributesResult& r, json::object& out) {
  if (!r.attributes.empty()) out["Attributes"] = string_object(r.attributes);
}

void encode_json(const engine::ListQueueTagsResult& r, json::object& out) {
  if (!r.tags.empty()) out["Tags"] = string_object(r.tags);
}

void encode_json(const engine::SendMessageResult& r, json::object& out) {
  out["MD5OfMessageBody"] = r.md5_of_message_body;
  if (r.md5_of_message_attributes) out["MD5OfMessageAttributes"] = *r.md5_of_message_attributes;
  if (r.md5_of_message_system_attributes) {
    out["MD5OfMessageSystemAttributes"] = *r.md5_of_message_system_attributes;
  }
  out["MessageId"] = r.message_id;
  if (r.sequence_number) out["SequenceNumber"] = *r.sequence_number;
}

void encode_json(const engine::SendMessageBatchResult& r, json::object& out) {
  if (!r.successful.empty()) {
    json::array arr;
    for (const auto& e : r.successful) {
      json::object o;
      o["Id"] = e.id;
      o["MessageId"] = e.message_id;
      o["MD5OfMessageBody"] = e.md5_of_message_body;
      if (e.md5_of_message_attributes) o["MD5OfMessageAttributes"] = *e.md5_of_message_attributes;
      if (e.md5_of_message_system_attributes) {
        o["MD5OfMessageSystemAttributes"] = *e.md5_of_message_system_attributes;
      }
      if (e.sequence_number) o["SequenceNumber"] = *e.sequence_number;
      arr.emplace_back(std::move(o));
    }
    out["Successful"] = std::move(arr);
  }
  if (!r.failed.empty()) out["Failed"] = failed_json(r.failed);
}

void encode_json(const engine::ReceiveMessageResult& r, json::object& out) {
  if (r.messages.empty()) return;
  json::array arr;
  for (const auto& m : r.messages) {
    json::object o;
    o["MessageId"] = m.message_id;
    o["ReceiptHandle"] = m.receipt_handle;
    o["MD5OfBody"] = m.md5_of_body;
    o["Body"] = m.body;
    if (!m.attributes.empty()) o["Attributes"] = string_object(m.attributes);
    if (m.md5_of_message_attributes) o["MD5OfMessageAttributes"] = *m.md5_of_message_attributes;
    if (!m.message_attributes.empty()) {
      json::object attrs;
      for (const auto& [name, value] : m.message_attributes) {
        attrs[name] = attribute_value_json(value);
      }
      o["MessageAttributes"] = std::move(attrs);
    }
    arr.emplace_back(std::move(o));
  }
  out["Messages"] = std::move(arr);
}

void encode_json(const engine::DeleteMessageBatchResult& r, json::object& out) {
  id_entries_json(r.successful, r.failed, out);
}

void encode_json(const engine::ChangeMessageVisibilityBatchResult& r, json::object& out) {
  id_entries_json(r.successful, r.failed, out);
}

void encode_json(const engine::ListDeadLetterSourceQueuesResult& r, json::object& out) {
  out["queueUrls"] = string_array(r.queue_urls);  // required member: present even when empty
  if (r.next_token) out["NextToken"] = *r.next_token;
}

void encode_json(const engine::StartMessageMoveTaskResult& r, json::object& out) {
  out["TaskHandle"] = r.task_handle;
}

void encode_json(const engine::CancelMessageMoveTaskResult& r, json::object& out) {
  out["ApproximateNumberOfMessagesMoved"] = r.approximate_number_of_messages_moved;
}

void encode_json(const engine::ListMessageMoveTasksResult& r, json::object& out) {
  if (r.results.empty()) return;
  json::array arr;
  for (const auto& t : r.results) {
    json::object o;
    if (t.task_handle) o["TaskHandle"] = *t.task_handle;
    o["Status"] = t.status;
    o["SourceArn"] = t.source_arn;
    if (t.destination_arn) o["DestinationArn"] = *t.destination_arn;
    if (t.max_number_of_messages_per_second) {
      o["MaxNumberOfMessagesPerSecond"] = *t.max_number_of_messages_per_second;
    }
    o["ApproximateNumberOfMessagesMoved"] = t.approximate_number_of_messages_moved;
    if (t.approximate_number_of_messages_to_move) {
      o["ApproximateNumberOfMessagesToMove"] = *t.approximate_number_of_messages_to_move;
    }
    if (t.failure_reason) o["FailureReason"] = *t.failure_reason;
    o["StartedTimestamp"] = t.started_timestamp;
    arr.emplace_back(std::move(o));
  }
  out["Results"] = std::move(arr);
}

// ---- XML encoders -------------------------------------------------------------------------------

void encode_xml(const engine::Empty&, XmlWriter&) {}

void encode_xml(const engine::CreateQueueResult& r, XmlWriter& w) {
  w.element("QueueUrl", r.queue_url);
}

void encode_xml(const engine::GetQueueUrlResult& r, XmlWriter& w) {
  w.element("QueueUrl", r.queue_url);
}

void encode_xml(const engine::ListQueuesResult& r, XmlWriter& w) {
  for (const auto& u : r.queue_urls) w.element("QueueUrl", u);
  opt_element(w, "NextToken", r.next_token);
}

void encode_xml(const engine::GetQueueAttributesResult& r, XmlWriter& w) {
  name_value_xml(w, "Attribute", "Name", r.attributes);
}

void encode_xml(const engine::ListQueueTagsResult& r, XmlWriter& w) {
  name_value_xml(w, "Tag", "Key", r.tags);
}

void encode_xml(const engine::SendMessageResult& r, XmlWriter& w) {
  w.element("MessageId", r.message_id);
  w.element("MD5OfMessageBody", r.md5_of_message_body);
  opt_element(w, "MD5OfMessageAttributes", r.md5_of_message_attributes);
  opt_element(w, "MD5OfMessageSystemAttributes", r.md5_of_message_system_attributes);
  opt_element(w, "SequenceNumber", r.sequence_number);
}

void encode_xml(const engine::SendMessageBatchResult& r, XmlWriter& w) {
  for (const auto& e : r.successful) {
    w.open("SendMessageBatchResultEntry");
    w.element("Id", e.id);
    w.element("MessageId", e.message_id);
    w.element("MD5OfMessageBody", e.md5_of_message_body);
    opt_element(w, "MD5OfMessageAttributes", e.md5_of_message_attributes);
    opt_element(w, "MD5OfMessageSystemAttributes", e.md5_of_message_system_attributes);
    opt_element(w, "SequenceNumber", e.sequence_number);
    w.close();
  }
  failed_xml(w, r.failed);
}

void encode_xml(const engine::ReceiveMessageResult& r, XmlWriter& w) {
  for (const auto& m : r.messages) {
    w.open("Message");
    w.element("MessageId", m.message_id);
    w.element("ReceiptHandle", m.receipt_handle);
    w.element("MD5OfBody", m.md5_of_body);
    w.element("Body", m.body);
    name_value_xml(w, "Attribute", "Name", m.attributes);
    opt_element(w, "MD5OfMessageAttributes", m.md5_of_message_attributes);
    for (const auto& [name, value] : m.message_attributes) {
      w.open("MessageAttribute");
      w.element("Name", name);
      attribute_value_xml(w, value);
      w.close();
    }
    w.close();
  }
}

void encode_xml(const engine::DeleteMessageBatchResult& r, XmlWriter& w) {
  id_entries_xml(w, "DeleteMessageBatchResultEntry", r.successful, r.failed);
}

void encode_xml(const engine::ChangeMessageVisibilityBatchResult& r, XmlWriter& w) {
  id_entries_xml(w, "ChangeMessageVisibilityBatchResultEntry", r.successful, r.failed);
}

void encode_xml(const engine::ListDeadLetterSourceQueuesResult& r, XmlWriter& w) {
  for (const auto& u : r.queue_urls) w.element("QueueUrl", u);
  opt_element(w, "NextToken", r.next_token);
}

void encode_xml(const engine::StartMessageMoveTaskResult& r, XmlWriter& w) {
  w.element("TaskHandle", r.task_handle);
}

void encode_xml(const engine::CancelMessageMoveTaskResult& r, XmlWriter& w) {
  w.element("ApproximateNumberOfMessagesMoved",
            std::to_string(r.approximate_number_of_messages_moved));
}

void encode_xml(const engine::ListMessageMoveTasksResult& r, XmlWriter& w) {
  for (const auto& t : r.results) {
    w.open("ListMessageMoveTasksResultEntry");
    opt_element(w, "TaskHandle", t.task_handle);
    w.element("Status", t.status);
    w.element("SourceArn", t.source_arn);
    opt_element(w, "DestinationArn", t.destination_arn);
    if (t.max_number_of_messages_per_second) {
      w.element("MaxNumberOfMessagesPerSecond",
                std::to_string(*t.max_number_of_messages_per_second));
    }
    w.element("ApproximateNumberOfMessagesMoved",
              std::to_string(t.approximate_number_of_messages_moved));
    if (t.approximate_number_of_messages_to_move) {
      w.element("ApproximateNumberOfMessagesToMove",
                std::to_string(*t.approximate_number_of_messages_to_move));
    }
    opt_element(w, "FailureReason", t.failure_reason);
    w.element("StartedTimestamp", std::to_string(t.started_timestamp));
    w.close();
  }
}

}  // namespace tern::protocol
