#include "client/json_codec.h"

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include "common/crypto.h"
#include "common/text.h"

namespace tern::client {
namespace json = boost::json;
using api::ErrorCode;

namespace {

// ---- encoding helpers ---------------------------------------------------------------------------

void put(json::object& o, std::string_view name, const std::optional<std::string>& v) {
  if (v) o[name] = *v;
}
void put(json::object& o, std::string_view name, const std::optional<int64_t>& v) {
  if (v) o[name] = *v;
}
void put(json::object& o, std::string_view name, const std::vector<std::string>& v) {
  if (v.empty()) return;
  json::array arr;
  arr.reserve(v.size());
  for (const auto& s : v) arr.emplace_back(s);
  o[name] = std::move(arr);
}
void put(json::object& o, std::string_view name, const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  json::object obj;
  for (const auto& [k, v] : m) obj[k] = v;
  o[name] = std::move(obj);
}

json::object attribute_value_json(const api::MessageAttributeValue& a) {
  json::object o;
  o["DataType"] = a.data_type;
  if (a.string_value) o["StringValue"] = *a.string_value;
  if (a.binary_value) o["BinaryValue"] = base64_encode(*a.binary_value);
  put(o, "StringListValues", a.string_list_values);
  if (!a.binary_list_values.empty()) {
    json::array arr;
    for (const auto& s : a.binary_list_values) arr.emplace_back(base64_encode(s));
    o["BinaryListValues"] = std::move(arr);
  }
  return o;
}

void put(json::object& o, std::string_view name, const api::MessageAttributes& m) {
  if (m.empty()) return;
  json::object obj;
  for (const auto& [k, v] : m) obj[k] = attribute_value_json(v);
  o[name] = std::move(obj);
}

void put_queue(json::object& o, const std::string& queue_url) { o["QueueUrl"] = queue_url; }

// ---- decoding helpers ---------------------------------------------------------------------------

// Reads members of one object; the first failure is kept and later reads are no-ops (the mirror of
// protocol/codec.cc's Reader).
class Reader {
 public:
  Reader(const json::object& o, std::string path) : o_(o), path_(std::move(path)) {}

  DecodeStatus status() const {
    if (error_) return tern::unexpected(*error_);
    return {};
  }
  bool ok() const { return !error_; }

  const json::value* find(std::string_view name) const {
    if (!ok()) return nullptr;
    const json::value* v = o_.if_contains(name);
    return (v == nullptr || v->is_null()) ? nullptr : v;
  }
  void fail(std::string_view name, std::string_view what) {
    if (!error_) error_ = path_ + std::string(name) + ": " + std::string(what);
  }

  void opt_string(std::string_view name, std::optional<std::string>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (const json::string* s = v->if_string()) {
      out = std::string(*s);
    } else {
      fail(name, "not a string");
    }
  }
  void req_string(std::string_view name, std::string& out) {
    std::optional<std::string> s;
    opt_string(name, s);
    if (!ok()) return;
    if (!s) return fail(name, "missing");
    out = std::move(*s);
  }
  void opt_int(std::string_view name, std::optional<int64_t>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (const int64_t* i = v->if_int64()) {
      out = *i;
    } else if (const uint64_t* u = v->if_uint64();
               u != nullptr && *u <= uint64_t(std::numeric_limits<int64_t>::max())) {
      out = static_cast<int64_t>(*u);
    } else if (const double* d = v->if_double();
               d != nullptr && std::isfinite(*d) && std::fabs(*d) < 9.2e18) {
      out = static_cast<int64_t>(*d);
    } else if (const json::string* s = v->if_string(); s != nullptr && parse_int64(*s)) {
      out = *parse_int64(*s);
    } else {
      fail(name, "not an integer");
    }
  }
  void int_or_zero(std::string_view name, int64_t& out) {
    std::optional<int64_t> i;
    opt_int(name, i);
    out = i.value_or(0);
  }
  void opt_bool(std::string_view name, bool& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (const bool* b = v->if_bool()) {
      out = *b;
    } else {
      fail(name, "not a boolean");
    }
  }
  void string_list(std::string_view name, std::vector<std::string>& out, bool base64 = false) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const json::array* arr = v->if_array();
    if (arr == nullptr) return fail(name, "not a list");
    for (const json::value& e : *arr) {
      const json::string* s = e.if_string();
      if (s == nullptr) return fail(name, "not a list of strings");
      if (!base64) {
        out.emplace_back(*s);
        continue;
      }
      auto bytes = base64_decode(*s);
      if (!bytes) return fail(name, "bad base64");
      out.push_back(std::move(*bytes));
    }
  }
  template <class Out>
  void string_map(std::string_view name, Out& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const json::object* obj = v->if_object();
    if (obj == nullptr) return fail(name, "not a map");
    for (const auto& kv : *obj) {
      const json::string* s = kv.value().if_string();
      if (s == nullptr) return fail(std::string(name) + "." + std::string(kv.key()), "not a string");
      if constexpr (std::is_same_v<Out, std::map<std::string, std::string>>) {
        out[std::string(kv.key())] = std::string(*s);
      } else {
        out.emplace_back(std::string(kv.key()), std::string(*s));
      }
    }
  }
  void attribute_map(std::string_view name, api::MessageAttributes& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const json::object* obj = v->if_object();
    if (obj == nullptr) return fail(name, "not a map");
    for (const auto& kv : *obj) {
      const json::object* vo = kv.value().if_object();
      std::string member = std::string(name) + "." + std::string(kv.key());
      if (vo == nullptr) return fail(member, "not an attribute value");
      Reader r(*vo, path_ + member + ".");
      api::MessageAttributeValue a;
      r.req_string("DataType", a.data_type);
      r.opt_string("StringValue", a.string_value);
      if (const json::value* b = r.find("BinaryValue")) {
        const json::string* s = b->if_string();
        auto bytes = s != nullptr ? base64_decode(*s) : std::nullopt;
        if (!bytes) r.fail("BinaryValue", "bad base64");
        else a.binary_value = std::move(*bytes);
      }
      r.string_list("StringListValues", a.string_list_values);
      r.string_list("BinaryListValues", a.binary_list_values, /*base64=*/true);
      if (!r.ok()) {
        error_ = r.error_;
        return;
      }
      out[std::string(kv.key())] = std::move(a);
    }
  }
  // Decodes each object of the list `name` with fn(Reader&, Entry&).
  template <class Entry, class Fn>
  void objects(std::string_view name, std::vector<Entry>& out, Fn fn) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const json::array* arr = v->if_array();
    if (arr == nullptr) return fail(name, "not a list");
    for (size_t i = 0; i < arr->size() && ok(); ++i) {
      const json::object* eo = (*arr)[i].if_object();
      std::string at = std::string(name) + "[" + std::to_string(i) + "]";
      if (eo == nullptr) return fail(at, "not an object");
      Reader r(*eo, path_ + at + ".");
      Entry e;
      fn(r, e);
      if (!r.ok()) {
        error_ = r.error_;
        return;
      }
      out.push_back(std::move(e));
    }
  }
  void failed_entries(std::vector<api::BatchResultError>& out) {
    objects("Failed", out, [](Reader& r, api::BatchResultError& e) {
      r.req_string("Id", e.id);
      r.opt_bool("SenderFault", e.sender_fault);
      std::string code;
      r.req_string("Code", code);
      std::optional<std::string> message;
      r.opt_string("Message", message);
      e.error.code = error_code_from_wire(code);
      e.error.message = message.value_or(code);
    });
  }
  void id_entries(std::vector<api::IdResultEntry>& out) {
    objects("Successful", out, [](Reader& r, api::IdResultEntry& e) { r.req_string("Id", e.id); });
  }

 private:
  const json::object& o_;
  std::string path_;
  std::optional<std::string> error_;
};

void put_len(std::string& buf, size_t n) {
  for (int shift = 24; shift >= 0; shift -= 8) buf += static_cast<char>((n >> shift) & 0xFF);
}
void put_bytes(std::string& buf, std::string_view s) {
  put_len(buf, s.size());
  buf.append(s);
}

}  // namespace

// ---- encoders -----------------------------------------------------------------------------------

json::object encode(const api::CreateQueueRequest& r) {
  json::object o;
  o["QueueName"] = r.queue_name;
  put(o, "Attributes", r.attributes);
  put(o, "tags", r.tags);  // lowercase in the model
  return o;
}

json::object encode(const api::GetQueueUrlRequest& r) {
  json::object o;
  o["QueueName"] = r.queue_name;
  put(o, "QueueOwnerAWSAccountId", r.queue_owner_aws_account_id);
  return o;
}

json::object encode(const api::ListQueuesRequest& r) {
  json::object o;
  put(o, "QueueNamePrefix", r.queue_name_prefix);
  put(o, "MaxResults", r.max_results);
  put(o, "NextToken", r.next_token);
  return o;
}

json::object encode(const api::DeleteQueueRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  return o;
}

json::object encode(const api::PurgeQueueRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  return o;
}

json::object encode(const api::GetQueueAttributesRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  put(o, "AttributeNames", r.attribute_names);
  return o;
}

json::object encode(const api::SetQueueAttributesRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  // Required member: sent even when empty so that the server reports it, not the client.
  json::object attrs;
  for (const auto& [k, v] : r.attributes) attrs[k] = v;
  o["Attributes"] = std::move(attrs);
  return o;
}

json::object encode(const api::TagQueueRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  json::object tags;
  for (const auto& [k, v] : r.tags) tags[k] = v;
  o["Tags"] = std::move(tags);
  return o;
}

json::object encode(const api::UntagQueueRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  json::array keys;
  for (const auto& k : r.tag_keys) keys.emplace_back(k);
  o["TagKeys"] = std::move(keys);
  return o;
}

json::object encode(const api::ListQueueTagsRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  return o;
}

json::object encode(const api::SendMessageRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  o["MessageBody"] = r.message_body;
  put(o, "DelaySeconds", r.delay_seconds);
  put(o, "MessageAttributes", r.message_attributes);
  put(o, "MessageSystemAttributes", r.message_system_attributes);
  put(o, "MessageDeduplicationId", r.message_deduplication_id);
  put(o, "MessageGroupId", r.message_group_id);
  return o;
}

json::object encode(const api::SendMessageBatchRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  json::array entries;
  for (const auto& e : r.entries) {
    json::object eo;
    eo["Id"] = e.id;
    eo["MessageBody"] = e.message_body;
    put(eo, "DelaySeconds", e.delay_seconds);
    put(eo, "MessageAttributes", e.message_attributes);
    put(eo, "MessageSystemAttributes", e.message_system_attributes);
    put(eo, "MessageDeduplicationId", e.message_deduplication_id);
    put(eo, "MessageGroupId", e.message_group_id);
    entries.emplace_back(std::move(eo));
  }
  o["Entries"] = std::move(entries);
  return o;
}

json::object encode(const api::ReceiveMessageRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  // MessageSystemAttributeNames is the current member; AttributeNames its deprecated alias. Both
  // are accepted by AWS and tern; the new name is what current SDKs send.
  put(o, "MessageSystemAttributeNames", r.attribute_names);
  put(o, "MessageAttributeNames", r.message_attribute_names);
  put(o, "MaxNumberOfMessages", r.max_number_of_messages);
  put(o, "VisibilityTimeout", r.visibility_timeout);
  put(o, "WaitTimeSeconds", r.wait_time_seconds);
  put(o, "ReceiveRequestAttemptId", r.receive_request_attempt_id);
  return o;
}

json::object encode(const api::DeleteMessageRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  o["ReceiptHandle"] = r.receipt_handle;
  return o;
}

json::object encode(const api::DeleteMessageBatchRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  json::array entries;
  for (const auto& e : r.entries) {
    entries.emplace_back(json::object{{"Id", e.id}, {"ReceiptHandle", e.receipt_handle}});
  }
  o["Entries"] = std::move(entries);
  return o;
}

json::object encode(const api::ChangeMessageVisibilityRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  o["ReceiptHandle"] = r.receipt_handle;
  o["VisibilityTimeout"] = r.visibility_timeout;
  return o;
}

json::object encode(const api::ChangeMessageVisibilityBatchRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  json::array entries;
  for (const auto& e : r.entries) {
    entries.emplace_back(json::object{{"Id", e.id},
                                      {"ReceiptHandle", e.receipt_handle},
                                      {"VisibilityTimeout", e.visibility_timeout}});
  }
  o["Entries"] = std::move(entries);
  return o;
}

json::object encode(const api::AddPermissionRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  o["Label"] = r.label;
  put(o, "AWSAccountIds", r.aws_account_ids);
  put(o, "Actions", r.actions);
  return o;
}

json::object encode(const api::RemovePermissionRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  o["Label"] = r.label;
  return o;
}

json::object encode(const api::ListDeadLetterSourceQueuesRequest& r) {
  json::object o;
  put_queue(o, r.queue_url);
  put(o, "MaxResults", r.max_results);
  put(o, "NextToken", r.next_token);
  return o;
}

json::object encode(const api::StartMessageMoveTaskRequest& r) {
  json::object o;
  o["SourceArn"] = r.source_arn;
  put(o, "DestinationArn", r.destination_arn);
  put(o, "MaxNumberOfMessagesPerSecond", r.max_number_of_messages_per_second);
  return o;
}

json::object encode(const api::CancelMessageMoveTaskRequest& r) {
  json::object o;
  o["TaskHandle"] = r.task_handle;
  return o;
}

json::object encode(const api::ListMessageMoveTasksRequest& r) {
  json::object o;
  o["SourceArn"] = r.source_arn;
  put(o, "MaxResults", r.max_results);
  return o;
}

// ---- decoders -----------------------------------------------------------------------------------

DecodeStatus decode(const json::object&, api::Empty&) { return {}; }

DecodeStatus decode(const json::object& o, api::CreateQueueResult& out) {
  Reader r(o, "");
  r.req_string("QueueUrl", out.queue_url);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::GetQueueUrlResult& out) {
  Reader r(o, "");
  r.req_string("QueueUrl", out.queue_url);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::ListQueuesResult& out) {
  Reader r(o, "");
  r.string_list("QueueUrls", out.queue_urls);
  r.opt_string("NextToken", out.next_token);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::GetQueueAttributesResult& out) {
  Reader r(o, "");
  r.string_map("Attributes", out.attributes);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::ListQueueTagsResult& out) {
  Reader r(o, "");
  r.string_map("Tags", out.tags);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::SendMessageResult& out) {
  Reader r(o, "");
  r.req_string("MessageId", out.message_id);
  r.req_string("MD5OfMessageBody", out.md5_of_message_body);
  r.opt_string("MD5OfMessageAttributes", out.md5_of_message_attributes);
  r.opt_string("MD5OfMessageSystemAttributes", out.md5_of_message_system_attributes);
  r.opt_string("SequenceNumber", out.sequence_number);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::SendMessageBatchResult& out) {
  Reader r(o, "");
  r.objects("Successful", out.successful, [](Reader& e, api::SendMessageBatchResultEntry& s) {
    e.req_string("Id", s.id);
    e.req_string("MessageId", s.message_id);
    e.req_string("MD5OfMessageBody", s.md5_of_message_body);
    e.opt_string("MD5OfMessageAttributes", s.md5_of_message_attributes);
    e.opt_string("MD5OfMessageSystemAttributes", s.md5_of_message_system_attributes);
    e.opt_string("SequenceNumber", s.sequence_number);
  });
  r.failed_entries(out.failed);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::ReceiveMessageResult& out) {
  Reader r(o, "");
  r.objects("Messages", out.messages, [](Reader& e, api::Message& m) {
    e.req_string("MessageId", m.message_id);
    e.req_string("ReceiptHandle", m.receipt_handle);
    e.req_string("MD5OfBody", m.md5_of_body);
    e.req_string("Body", m.body);
    e.string_map("Attributes", m.attributes);
    e.opt_string("MD5OfMessageAttributes", m.md5_of_message_attributes);
    e.attribute_map("MessageAttributes", m.message_attributes);
  });
  return r.status();
}

DecodeStatus decode(const json::object& o, api::DeleteMessageBatchResult& out) {
  Reader r(o, "");
  r.id_entries(out.successful);
  r.failed_entries(out.failed);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::ChangeMessageVisibilityBatchResult& out) {
  Reader r(o, "");
  r.id_entries(out.successful);
  r.failed_entries(out.failed);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::ListDeadLetterSourceQueuesResult& out) {
  Reader r(o, "");
  r.string_list("queueUrls", out.queue_urls);
  r.opt_string("NextToken", out.next_token);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::StartMessageMoveTaskResult& out) {
  Reader r(o, "");
  r.req_string("TaskHandle", out.task_handle);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::CancelMessageMoveTaskResult& out) {
  Reader r(o, "");
  r.int_or_zero("ApproximateNumberOfMessagesMoved", out.approximate_number_of_messages_moved);
  return r.status();
}

DecodeStatus decode(const json::object& o, api::ListMessageMoveTasksResult& out) {
  Reader r(o, "");
  r.objects("Results", out.results, [](Reader& e, api::MessageMoveTask& t) {
    e.opt_string("TaskHandle", t.task_handle);
    e.req_string("Status", t.status);
    e.req_string("SourceArn", t.source_arn);
    e.opt_string("DestinationArn", t.destination_arn);
    e.opt_int("MaxNumberOfMessagesPerSecond", t.max_number_of_messages_per_second);
    e.int_or_zero("ApproximateNumberOfMessagesMoved", t.approximate_number_of_messages_moved);
    e.opt_int("ApproximateNumberOfMessagesToMove", t.approximate_number_of_messages_to_move);
    e.opt_string("FailureReason", t.failure_reason);
    e.int_or_zero("StartedTimestamp", t.started_timestamp);
  });
  return r.status();
}

// ---- errors -------------------------------------------------------------------------------------

WireError parse_error(int http_status, std::string_view query_error_header,
                      std::string_view error_type_header, std::string_view body) {
  WireError e;
  e.sender_fault = http_status < 500;
  auto strip_shape = [](std::string_view s) {
    if (auto hash = s.rfind('#'); hash != std::string_view::npos) s = s.substr(hash + 1);
    if (auto colon = s.find(':'); colon != std::string_view::npos) s = s.substr(0, colon);
    return std::string(s);
  };
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    if (const json::value* t = o.if_contains("__type"); t != nullptr && t->is_string()) {
      e.shape = strip_shape(t->get_string());
    }
    for (const char* name : {"message", "Message"}) {
      if (const json::value* m = o.if_contains(name); m != nullptr && m->is_string()) {
        e.message = std::string(m->get_string());
        break;
      }
    }
  }
  if (e.shape.empty() && !error_type_header.empty()) e.shape = strip_shape(error_type_header);
  if (!query_error_header.empty()) {
    auto semi = query_error_header.find(';');
    e.code = std::string(query_error_header.substr(0, semi));
    if (semi != std::string_view::npos) {
      e.sender_fault = query_error_header.substr(semi + 1) != "Receiver";
    }
  }
  if (e.code.empty()) e.code = e.shape;
  if (e.code.empty()) e.code = http_status >= 500 ? "InternalFailure" : "HTTP" + std::to_string(http_status);
  if (e.message.empty() && ec) e.message = std::string(body.substr(0, 256));
  return e;
}

ErrorCode error_code_from_wire(std::string_view code) {
  struct Row {
    std::string_view name;
    ErrorCode code;
  };
  // Both the query codes and the shape names, since batch entries use the former and a future
  // server might use the latter.
  static constexpr Row kRows[] = {
      {"AWS.SimpleQueueService.NonExistentQueue", ErrorCode::kQueueDoesNotExist},
      {"QueueDoesNotExist", ErrorCode::kQueueDoesNotExist},
      {"QueueAlreadyExists", ErrorCode::kQueueNameExists},
      {"QueueNameExists", ErrorCode::kQueueNameExists},
      {"ReceiptHandleIsInvalid", ErrorCode::kReceiptHandleIsInvalid},
      {"AWS.SimpleQueueService.MessageNotInflight", ErrorCode::kMessageNotInflight},
      {"MessageNotInflight", ErrorCode::kMessageNotInflight},
      {"InvalidParameterValue", ErrorCode::kInvalidParameterValue},
      {"MissingParameter", ErrorCode::kMissingParameter},
      {"InvalidMessageContents", ErrorCode::kInvalidMessageContents},
      {"InvalidAttributeName", ErrorCode::kInvalidAttributeName},
      {"InvalidAttributeValue", ErrorCode::kInvalidAttributeValue},
      {"OverLimit", ErrorCode::kOverLimit},
      {"AccessDenied", ErrorCode::kAccessDenied},
      {"ServiceUnavailable", ErrorCode::kServiceUnavailable},
      {"InternalFailure", ErrorCode::kInternalFailure},
      {"AWS.SimpleQueueService.UnsupportedOperation", ErrorCode::kUnsupportedOperation},
      {"UnsupportedOperation", ErrorCode::kUnsupportedOperation},
  };
  for (const Row& row : kRows) {
    if (row.name == code) return row.code;
  }
  return ErrorCode::kInternalFailure;
}

std::string md5_of_message_attributes(const api::MessageAttributes& attributes) {
  std::string buf;
  for (const auto& [name, v] : attributes) {  // std::map: byte order of names, as SQS sorts
    put_bytes(buf, name);
    put_bytes(buf, v.data_type);
    if (v.string_value) {
      buf += '\x01';
      put_bytes(buf, *v.string_value);
    } else if (v.binary_value) {
      buf += '\x02';
      put_bytes(buf, *v.binary_value);
    } else if (!v.string_list_values.empty()) {
      buf += '\x03';
      for (const auto& s : v.string_list_values) put_bytes(buf, s);
    } else if (!v.binary_list_values.empty()) {
      buf += '\x04';
      for (const auto& s : v.binary_list_values) put_bytes(buf, s);
    }
  }
  return md5_hex(buf);
}

}  // namespace tern::client
