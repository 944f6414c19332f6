#pragma once
// QueueConfig: a queue's settable attributes, typed, with the SQS validation rules (spec §3.1)
// and their rendering back to the wire's string values. Pure value type; not thread-safe by
// itself (the owning Queue guards it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api.h"

namespace tern::engine {

inline constexpr int64_t kMaxMessageSizeLimit = 1'048'576;
inline constexpr int64_t kMaxVisibilityTimeout = 43'200;
inline constexpr int64_t kMaxDelaySeconds = 900;
inline constexpr int64_t kMaxWaitSeconds = 20;

struct QueueConfig {
  bool fifo = false;
  int64_t delay_seconds = 0;
  int64_t maximum_message_size = kMaxMessageSizeLimit;
  int64_t message_retention_period = 345'600;
  int64_t receive_message_wait_time_seconds = 0;
  int64_t visibility_timeout = 30;
  std::optional<std::string> policy;
  std::optional<std::string> redrive_policy;        // canonical JSON text
  std::optional<std::string> redrive_allow_policy;  // canonical JSON text
  std::optional<std::string> kms_master_key_id;
  int64_t kms_data_key_reuse_period_seconds = 300;
  bool sqs_managed_sse_enabled = true;
  // FIFO only.
  bool content_based_deduplication = false;
  std::string deduplication_scope = "queue";
  std::string fifo_throughput_limit = "perQueue";

  // Parsed RedrivePolicy (set together with redrive_policy).
  std::string dead_letter_target_arn;
  int64_t max_receive_count = 0;
};

// Applies `attrs` to `config`, validating each. `creating` allows FifoQueue. On error `config`
// may be partly modified; callers apply to a copy.
Status apply_attributes(QueueConfig& config, const AttributeMap& attrs, bool creating);

// The settable attributes' names in the order GetQueueAttributes(All) lists them.
const std::vector<std::string_view>& settable_attribute_names();

// Renders the named settable attribute, or nullopt when it is not shown for this queue (e.g.
// FIFO-only names on a standard queue, Policy when unset).
std::optional<std::string> render_attribute(const QueueConfig& config, std::string_view name);

}  // namespace tern::engine
