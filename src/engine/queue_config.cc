#include "engine/queue_config.h"

#include <boost/json.hpp>

#include "common/text.h"

namespace tern::engine {
namespace {

tern::Unexpected<Error> invalid_value(std::string_view name, std::string_view reason) {
  return fail(ErrorCode::kInvalidAttributeValue,
              "Invalid value for the parameter " + std::string(name) + ". Reason: " +
                  std::string(reason));
}

Status parse_range(std::string_view name, const std::string& value, int64_t lo, int64_t hi,
                   int64_t& out) {
  auto v = parse_int64(value);
  if (!v || *v < lo || *v > hi) {
    return invalid_value(name, "Must be an integer from " + std::to_string(lo) + " to " +
                                   std::to_string(hi) + ".");
  }
  out = *v;
  return {};
}

Status parse_bool(std::string_view name, const std::string& value, bool& out) {
  if (value == "true") {
    out = true;
  } else if (value == "false") {
    out = false;
  } else {
    return invalid_value(name, "Must be true or false.");
  }
  return {};
}

// AWS reports a malformed redrive policy as InvalidParameterValue naming the whole value.
tern::Unexpected<Error> invalid_policy(std::string_view name, const std::string& value,
                                       std::string_view reason) {
  return fail(ErrorCode::kInvalidParameterValue, "Value " + value + " for parameter " +
                                                     std::string(name) + " is invalid. Reason: " +
                                                     std::string(reason));
}

Status parse_redrive_policy(QueueConfig& c, const std::string& value) {
  if (value.empty()) {
    c.redrive_policy.reset();
    c.dead_letter_target_arn.clear();
    c.max_receive_count = 0;
    return {};
  }
  boost::system::error_code ec;
  auto jv = boost::json::parse(value, ec);
  const auto* obj = ec ? nullptr : jv.if_object();
  if (obj == nullptr) return invalid_policy("RedrivePolicy", value, "Redrive policy is not a valid JSON map.");
  const auto* arn = obj->if_contains("deadLetterTargetArn");
  const auto* count = obj->if_contains("maxReceiveCount");
  if (arn == nullptr || !arn->is_string()) {
    return invalid_policy("RedrivePolicy", value, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  }
  if (count == nullptr) {
    return invalid_policy("RedrivePolicy", value, "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  }
  std::optional<int64_t> n;
  if (count->is_int64()) n = count->as_int64();
  else if (count->is_uint64()) n = static_cast<int64_t>(count->as_uint64());
  else if (count->is_string()) n = parse_int64(count->as_string());
  if (!n || *n < 1 || *n > 1000) {
    return invalid_policy("RedrivePolicy", value, "Invalid value for maxReceiveCount: " +
                                               boost::json::serialize(*count) +
                                               ", valid values are from 1 to 1000 both inclusive.");
  }
  c.dead_letter_target_arn = std::string(arn->as_string());
  c.max_receive_count = *n;
  boost::json::object canon;
  canon["deadLetterTargetArn"] = c.dead_letter_target_arn;
  canon["maxReceiveCount"] = *n;
  c.redrive_policy = boost::json::serialize(canon);
  return {};
}

Status parse_redrive_allow_policy(QueueConfig& c, const std::string& value) {
  if (value.empty()) {
    c.redrive_allow_policy.reset();
    return {};
  }
  boost::system::error_code ec;
  auto jv = boost::json::parse(value, ec);
  const auto* obj = ec ? nullptr : jv.if_object();
  if (obj == nullptr) {
    return invalid_policy("RedriveAllowPolicy", value, "Redrive allow policy is not a valid JSON map.");
  }
  const auto* perm = obj->if_contains("redrivePermission");
  if (perm == nullptr || !perm->is_string()) {
    return invalid_policy("RedriveAllowPolicy", value,
                         "Redrive allow policy does not contain mandatory attribute: redrivePermission.");
  }
  std::string mode(perm->as_string());
  if (mode != "allowAll" && mode != "denyAll" && mode != "byQueue") {
    return invalid_policy("RedriveAllowPolicy", value,
                         "Invalid value for redrivePermission: " + mode +
                             ", valid values are allowAll, denyAll and byQueue.");
  }
  const auto* arns = obj->if_contains("sourceQueueArns");
  if (mode == "byQueue") {
    if (arns == nullptr || !arns->is_array() || arns->as_array().empty() ||
        arns->as_array().size() > 10) {
      return invalid_policy("RedriveAllowPolicy", value,
                           "sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.");
    }
    for (const auto& a : arns->as_array()) {
      if (!a.is_string()) {
        return invalid_policy("RedriveAllowPolicy", value, "sourceQueueArns must be strings.");
      }
    }
  } else if (arns != nullptr) {
    return invalid_policy("RedriveAllowPolicy", value,
                         "sourceQueueArns can be specified only when redrivePermission is byQueue.");
  }
  c.redrive_allow_policy = boost::json::serialize(jv);
  return {};
}

}  // namespace

Status apply_attributes(QueueConfig& c, const AttributeMap& attrs, bool creating) {
  // FifoQueue first: the FIFO-only names depend on it.
  if (auto it = attrs.find("FifoQueue"); it != attrs.end()) {
    bool fifo = false;
    if (auto st = parse_bool("FifoQueue", it->second, fifo); !st) return st;
    if (creating) {
      if (!fifo) return fail(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue.");
      c.fifo = true;
    } else if (fifo != c.fifo) {
      if (!c.fifo) return fail(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue.");
      return invalid_value("FifoQueue", "Modifying queue type is not supported.");
    }
  }
  for (const auto& [name, value] : attrs) {
    Status st;
    if (name == "FifoQueue") {
      continue;
    } else if (name == "DelaySeconds") {
      st = parse_range(name, value, 0, kMaxDelaySeconds, c.delay_seconds);
    } else if (name == "MaximumMessageSize") {
      st = parse_range(name, value, 1024, kMaxMessageSizeLimit, c.maximum_message_size);
    } else if (name == "MessageRetentionPeriod") {
      st = parse_range(name, value, 60, 1'209'600, c.message_retention_period);
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      st = parse_range(name, value, 0, kMaxWaitSeconds, c.receive_message_wait_time_seconds);
    } else if (name == "VisibilityTimeout") {
      st = parse_range(name, value, 0, kMaxVisibilityTimeout, c.visibility_timeout);
    } else if (name == "Policy") {
      if (value.empty()) {
        c.policy.reset();
      } else {
        boost::system::error_code ec;
        auto jv = boost::json::parse(value, ec);
        if (ec || !jv.is_object() || value.size() > 8192) {
          return invalid_value(name, "Policy must be a JSON object of at most 8192 bytes.");
        }
        c.policy = value;
      }
    } else if (name == "RedrivePolicy") {
      st = parse_redrive_policy(c, value);
    } else if (name == "RedriveAllowPolicy") {
      st = parse_redrive_allow_policy(c, value);
    } else if (name == "KmsMasterKeyId") {
      if (value.empty()) {
        c.kms_master_key_id.reset();
      } else {
        c.kms_master_key_id = value;
      }
    } else if (name == "KmsDataKeyReusePeriodSeconds") {
      st = parse_range(name, value, 60, 86'400, c.kms_data_key_reuse_period_seconds);
    } else if (name == "SqsManagedSseEnabled") {
      st = parse_bool(name, value, c.sqs_managed_sse_enabled);
    } else if (name == "ContentBasedDeduplication") {
      if (!c.fifo) return fail(ErrorCode::kInvalidAttributeName, "Unknown Attribute " + name + ".");
      st = parse_bool(name, value, c.content_based_deduplication);
    } else if (name == "DeduplicationScope" || name == "FifoThroughputLimit") {
      if (!c.fifo) {
        return fail(ErrorCode::kInvalidAttributeName,
                    "You can specify the " + name + " only when FifoQueue is set to true.");
      }
      if (name == "DeduplicationScope") {
        if (value != "queue" && value != "messageGroup") {
          return invalid_value(name, "Must be queue or messageGroup.");
        }
        c.deduplication_scope = value;
      } else {
        if (value != "perQueue" && value != "perMessageGroupId") {
          return invalid_value(name, "Must be perQueue or perMessageGroupId.");
        }
        c.fifo_throughput_limit = value;
      }
    } else {
      return fail(ErrorCode::kInvalidAttributeName, "Unknown Attribute " + name + ".");
    }
    if (!st) return st;
  }
  if (c.kms_master_key_id && attrs.count("SqsManagedSseEnabled") && c.sqs_managed_sse_enabled) {
    return fail(ErrorCode::kInvalidAttributeName,
                "You can use one type of server-side encryption (SSE) at one time. You can either "
                "enable KMS SSE or SQS SSE.");
  }
  if (c.kms_master_key_id) c.sqs_managed_sse_enabled = false;
  if (c.fifo && c.fifo_throughput_limit == "perMessageGroupId" &&
      c.deduplication_scope != "messageGroup") {
    return invalid_value("FifoThroughputLimit",
                         "The perMessageGroupId value is allowed only when the value for "
                         "DeduplicationScope is messageGroup.");
  }
  return {};
}

const std::vector<std::string_view>& settable_attribute_names() {
  static const std::vector<std::string_view> kNames = {
      "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue",
      "FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId",
      "MaximumMessageSize", "MessageRetentionPeriod", "Policy", "ReceiveMessageWaitTimeSeconds",
      "RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout"};
  return kNames;
}

std::optional<std::string> render_attribute(const QueueConfig& c, std::string_view name) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  if (name == "DelaySeconds") return std::to_string(c.delay_seconds);
  if (name == "MaximumMessageSize") return std::to_string(c.maximum_message_size);
  if (name == "MessageRetentionPeriod") return std::to_string(c.message_retention_period);
  if (name == "ReceiveMessageWaitTimeSeconds") {
    return std::to_string(c.receive_message_wait_time_seconds);
  }
  if (name == "VisibilityTimeout") return std::to_string(c.visibility_timeout);
  if (name == "Policy") return c.policy;
  if (name == "RedrivePolicy") return c.redrive_policy;
  if (name == "RedriveAllowPolicy") return c.redrive_allow_policy;
  if (name == "KmsMasterKeyId") return c.kms_master_key_id;
  if (name == "KmsDataKeyReusePeriodSeconds") {
    if (!c.kms_master_key_id) return std::nullopt;
    return std::to_string(c.kms_data_key_reuse_period_seconds);
  }
  if (name == "SqsManagedSseEnabled") return b(c.sqs_managed_sse_enabled);
  if (!c.fifo) return std::nullopt;
  if (name == "FifoQueue") return b(true);
  if (name == "ContentBasedDeduplication") return b(c.content_based_deduplication);
  if (name == "DeduplicationScope") return c.deduplication_scope;
  if (name == "FifoThroughputLimit") return c.fifo_throughput_limit;
  return std::nullopt;
}

}  // namespace tern::engine
