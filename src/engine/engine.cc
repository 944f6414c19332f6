#include "engine/engine.h"

#include <algorithm>
#include <mutex>
#include <set>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/text.h"
#include "engine/message_md5.h"

namespace tern::engine {
namespace {

constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr size_t kMaxBatchEntries = 10;
constexpr int64_t kMaxBatchBytes = 1'048'576;

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool valid_queue_name(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  std::string_view base = name;
  if (fifo) {
    if (name.size() < 6 || name.substr(name.size() - 5) != ".fifo") return false;
    base = name.substr(0, name.size() - 5);
    if (base.empty()) return false;
  }
  return std::all_of(base.begin(), base.end(), is_name_char);
}

bool valid_batch_id(std::string_view id) {
  return !id.empty() && id.size() <= 80 && std::all_of(id.begin(), id.end(), is_name_char);
}

// MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId: 1-128 of alphanumerics and
// ASCII punctuation.
bool valid_fifo_token(std::string_view v) {
  if (v.empty() || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

tern::Unexpected<Error> invalid_param(std::string_view value, std::string_view param,
                                      std::string_view reason) {
  return fail(ErrorCode::kInvalidParameterValue, "Value " + std::string(value) +
                                                     " for parameter " + std::string(param) +
                                                     " is invalid. Reason: " + std::string(reason));
}

tern::Unexpected<Error> no_queue() {
  return fail(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
}

Error invalid_handle(std::string_view handle) {
  return Error{ErrorCode::kReceiptHandleIsInvalid,
               "The input receipt handle \"" + std::string(handle) +
                   "\" is not a valid receipt handle."};
}

bool valid_attribute_name(std::string_view n) {
  if (n.empty() || n.size() > 256) return false;
  if (n.front() == '.' || n.back() == '.' || n.find("..") != std::string_view::npos) return false;
  if (starts_with_icase(n, "AWS.") || starts_with_icase(n, "Amazon.")) return false;
  for (unsigned char c : n) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c >= 0x80;  // AWS accepts letters like ø ß ä
    if (!ok) return false;
  }
  return is_valid_utf8(n);
}

bool valid_number(std::string_view s) {
  // SQS numbers: optional sign, digits with an optional fraction and exponent (up to 38 digits).
  size_t i = 0, digits = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool any = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits, any = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits, any = true;
  }
  if (!any || digits > 38) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    bool exp = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, exp = true;
    if (!exp) return false;
  }
  return i == s.size();
}

// Validates user message attributes and returns their size contribution in bytes.
Result<int64_t> validate_message_attributes(const MessageAttributes& attrs) {
  if (attrs.size() > 10) {
    return fail(ErrorCode::kInvalidParameterValue,
                "Number of message attributes [" + std::to_string(attrs.size()) +
                    "] exceeds the allowed maximum [10].");
  }
  int64_t size = 0;
  for (const auto& [name, v] : attrs) {
    if (!valid_attribute_name(name)) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Message (user) attribute name '" + name +
                      "' is invalid. Names can contain alphanumeric characters, hyphens, "
                      "underscores and periods, must not start or end with a period, must not "
                      "contain consecutive periods, and must not start with AWS. or Amazon.");
    }
    const std::string& t = v.data_type;
    std::string_view base = std::string_view(t).substr(0, t.find('.'));
    if (t.empty()) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "The message attribute '" + name + "' must contain non-empty message attribute type.");
    }
    if (t.size() > 256 || (base != "String" && base != "Number" && base != "Binary") ||
        (t.size() > base.size() && t.size() == base.size() + 1) || !is_valid_utf8(t)) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "The message attribute '" + name + "' has an invalid message attribute type, "
                  "the set of supported type prefixes is Binary, Number, and String.");
    }
    if (!v.string_list_values.empty() || !v.binary_list_values.empty()) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Message (user) attribute '" + name +
                      "': StringListValue and BinaryListValue are not supported.");
    }
    if (base == "Binary") {
      if (!v.binary_value || v.binary_value->empty() || v.string_value) {
        return fail(ErrorCode::kInvalidParameterValue,
                    "Message (user) attribute '" + name +
                        "' must contain a non-empty value of type 'Binary'.");
      }
      size += static_cast<int64_t>(name.size() + t.size() + v.binary_value->size());
      continue;
    }
    if (!v.string_value || v.string_value->empty() || v.binary_value) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Message (user) attribute '" + name + "' must contain a non-empty value of type '" +
                      std::string(base) + "'.");
    }
    if (!is_valid_sqs_text(*v.string_value)) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Message (user) attribute '" + name + "' contains characters outside the allowed set.");
    }
    if (base == "Number" && !valid_number(*v.string_value)) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Can't cast the value of message (user) attribute '" + name + "' to a number.");
    }
    size += static_cast<int64_t>(name.size() + t.size() + v.string_value->size());
  }
  return size;
}

std::string path_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    auto slash = url.find('/', scheme + 3);
    if (slash == std::string_view::npos) return "/";
    url = url.substr(slash);
  }
  auto q = url.find_first_of("?#");
  if (q != std::string_view::npos) url = url.substr(0, q);
  return std::string(url);
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

std::string Engine::queue_arn(std::string_view name) const {
  return "arn:aws:sqs:" + options_.region + ":" + options_.account_id + ":" + std::string(name);
}

std::string Engine::queue_url(std::string_view name) const {
  return options_.base_url + "/" + options_.account_id + "/" + std::string(name);
}

std::shared_ptr<Queue> Engine::find_queue_by_name(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<Queue> Engine::find_queue_by_arn(std::string_view arn) const {
  std::string prefix = "arn:aws:sqs:" + options_.region + ":" + options_.account_id + ":";
  if (arn.substr(0, prefix.size()) != prefix) return nullptr;
  return find_queue_by_name(arn.substr(prefix.size()));
}

Result<std::shared_ptr<Queue>> Engine::resolve(std::string_view queue_url) const {
  std::string path = path_of(queue_url);
  // Expect /<account>/<name>.
  if (path.size() < 2 || path[0] != '/') {
    return fail(ErrorCode::kInvalidAddress,
                "The address " + std::string(queue_url) + " is not valid for this endpoint.");
  }
  auto slash = path.find('/', 1);
  if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos) {
    return fail(ErrorCode::kInvalidAddress,
                "The address " + std::string(queue_url) + " is not valid for this endpoint.");
  }
  std::string_view account = std::string_view(path).substr(1, slash - 1);
  std::string_view name = std::string_view(path).substr(slash + 1);
  if (account != options_.account_id) return no_queue();
  auto q = find_queue_by_name(name);
  if (!q) return no_queue();
  return q;
}

Status Engine::validate_redrive(const QueueConfig& c, std::string_view self_name) const {
  if (!c.redrive_policy) return {};
  const std::string& arn = c.dead_letter_target_arn;
  auto bad = [&](std::string reason) {
    return fail(ErrorCode::kInvalidParameterValue,
                "Value " + *c.redrive_policy + " for parameter RedrivePolicy is invalid. Reason: " +
                    reason);
  };
  std::string prefix = "arn:aws:sqs:" + options_.region + ":" + options_.account_id + ":";
  if (arn.substr(0, prefix.size()) != prefix) {
    return bad("Dead-letter target must be in the same account and region.");
  }
  std::string_view target_name = std::string_view(arn).substr(prefix.size());
  if (target_name == self_name) return bad("Dead-letter target cannot be the queue itself.");
  auto dlq = find_queue_by_name(target_name);
  if (!dlq) return bad("Dead letter target does not exist.");
  std::lock_guard lock(dlq->mu);
  if (dlq->config.fifo != c.fifo) {
    return bad("Dead-letter queue must be the same type of queue as the source.");
  }
  if (dlq->config.redrive_allow_policy) {
    const std::string& p = *dlq->config.redrive_allow_policy;
    std::string self_arn = queue_arn(self_name);
    bool deny = p.find("\"denyAll\"") != std::string::npos;
    bool by_queue = p.find("\"byQueue\"") != std::string::npos;
    if (deny || (by_queue && p.find("\"" + self_arn + "\"") == std::string::npos)) {
      return bad("Queue " + self_arn + " is not allowed to use " + arn +
                 " as a dead-letter queue by its RedriveAllowPolicy.");
    }
  }
  return {};
}

// ---- queues -----------------------------------------------------------------------------------

Result<CreateQueueResult> Engine::create_queue(const CreateQueueRequest& req) {
  const int64_t now = options_.clock->now_ms();
  bool fifo_attr = false;
  if (auto it = req.attributes.find("FifoQueue"); it != req.attributes.end()) {
    fifo_attr = it->second == "true";
  }
  bool fifo_name = req.queue_name.size() >= 5 &&
                   req.queue_name.compare(req.queue_name.size() - 5, 5, ".fifo") == 0;
  if (fifo_name != fifo_attr || !valid_queue_name(req.queue_name, fifo_name)) {
    if (fifo_name || fifo_attr) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                  "underscores, must end with .fifo suffix and be 1 to 80 in length.");
    }
    return fail(ErrorCode::kInvalidParameterValue,
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
                "length");
  }
  for (const auto& [k, v] : req.tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256 || starts_with_icase(k, "aws:")) {
      return fail(ErrorCode::kInvalidParameterValue, "Invalid tag key or value: " + k);
    }
  }
  if (req.tags.size() > 50) {
    return fail(ErrorCode::kInvalidParameterValue, "Too many tags added for queue " + req.queue_name + ".");
  }
  QueueConfig config;
  if (auto st = apply_attributes(config, req.attributes, /*creating=*/true); !st) {
    return tern::unexpected(std::move(st).error());
  }
  if (auto existing = find_queue_by_name(req.queue_name)) {
    std::lock_guard lock(existing->mu);
    QueueConfig probe = existing->config;
    if (auto st = apply_attributes(probe, req.attributes, /*creating=*/true); !st) {
      return tern::unexpected(std::move(st).error());
    }
    for (const auto& [name, value] : req.attributes) {
      if (render_attribute(probe, name) != render_attribute(existing->config, name) ||
          (name == "FifoQueue" && !existing->config.fifo)) {
        return fail(ErrorCode::kQueueNameExists,
                    "A queue already exists with the same name and a different value for "
                    "attribute " + name);
      }
    }
    return CreateQueueResult{existing->url};
  }
  if (auto st = validate_redrive(config, req.queue_name); !st) {
    return tern::unexpected(std::move(st).error());
  }
  std::unique_lock lock(mu_);
  if (auto it = queues_.find(req.queue_name); it != queues_.end()) {
    return CreateQueueResult{it->second->url};  // lost a race with an identical create
  }
  if (options_.enforce_queue_deleted_recently) {
    auto d = deleted_at_ms_.find(req.queue_name);
    if (d != deleted_at_ms_.end() && now - d->second < 60'000) {
      return fail(ErrorCode::kQueueDeletedRecently,
                  "You must wait 60 seconds after deleting a queue before you can create another "
                  "with the same name.");
    }
  }
  auto q = std::make_shared<Queue>(req.queue_name, queue_arn(req.queue_name),
                                   queue_url(req.queue_name), config, now);
  q->tags = req.tags;
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  queues_.emplace(req.queue_name, q);
  if (options_.journal != nullptr) {
    std::lock_guard ql(q->mu);
    options_.journal->queue_snapshot(*q);
  }
  return CreateQueueResult{q->url};
}

Result<GetQueueUrlResult> Engine::get_queue_url(const GetQueueUrlRequest& req) {
  if (req.queue_owner_aws_account_id && *req.queue_owner_aws_account_id != options_.account_id) {
    return no_queue();
  }
  auto q = find_queue_by_name(req.queue_name);
  if (!q) return no_queue();
  return GetQueueUrlResult{q->url};
}

Result<ListQueuesResult> Engine::list_queues(const ListQueuesRequest& req) {
  if (req.max_results && (*req.max_results < 1 || *req.max_results > 1000)) {
    return invalid_param(std::to_string(*req.max_results), "MaxResults",
                         "MaxResults must be an integer between 1 and 1000.");
  }
  std::string after;
  if (req.next_token && !req.next_token->empty()) {
    auto decoded = base64url_decode(*req.next_token);
    if (!decoded) return invalid_param(*req.next_token, "NextToken", "Invalid NextToken value.");
    after = *decoded;
  }
  const std::string prefix = req.queue_name_prefix.value_or("");
  const size_t limit = req.max_results ? static_cast<size_t>(*req.max_results) : 1000;
  ListQueuesResult out;
  std::shared_lock lock(mu_);
  auto it = after.empty() ? queues_.lower_bound(prefix) : queues_.upper_bound(after);
  for (; it != queues_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) {
      if (it->first > prefix) break;
      continue;
    }
    if (out.queue_urls.size() == limit) {
      if (req.max_results) out.next_token = base64url_encode(out.queue_urls.empty() ? "" : after);
      break;
    }
    out.queue_urls.push_back(it->second->url);
    after = it->first;
  }
  return out;
}

Result<Empty> Engine::delete_queue(const DeleteQueueRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  {
    std::unique_lock lock(mu_);
    auto it = queues_.find((*q)->name);
    if (it == queues_.end() || it->second != *q) return no_queue();
    queues_.erase(it);
    deleted_at_ms_[(*q)->name] = options_.clock->now_ms();
  }
  std::lock_guard ql((*q)->mu);
  if (options_.journal != nullptr) options_.journal->queue_deleted(**q);
  (*q)->deleted = true;
  (*q)->purge();
  (*q)->wake_all();
  return Empty{};
}

Result<Empty> Engine::purge_queue(const PurgeQueueRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  const int64_t now = options_.clock->now_ms();
  std::lock_guard lock((*q)->mu);
  if ((*q)->last_purge_ms >= 0 && now - (*q)->last_purge_ms < 60'000) {
    return fail(ErrorCode::kPurgeQueueInProgress,
                "Only one PurgeQueue operation on " + (*q)->name + " is allowed every 60 seconds.");
  }
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  (*q)->last_purge_ms = now;
  if (options_.journal != nullptr) options_.journal->queue_purged(**q);
  (*q)->purge();
  return Empty{};
}

Result<GetQueueAttributesResult> Engine::get_queue_attributes(
    const GetQueueAttributesRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  static const std::vector<std::string_view> kComputed = {
      "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
      "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "LastModifiedTimestamp",
      "QueueArn"};
  bool all = false;
  std::set<std::string, std::less<>> wanted;
  for (const auto& n : req.attribute_names) {
    if (n == "All") {
      all = true;
      continue;
    }
    bool known = std::find(kComputed.begin(), kComputed.end(), n) != kComputed.end() ||
                 std::find(settable_attribute_names().begin(), settable_attribute_names().end(),
                           n) != settable_attribute_names().end();
    if (!known) return fail(ErrorCode::kInvalidAttributeName, "Unknown Attribute " + n + ".");
    wanted.insert(n);
  }
  Queue& queue = **q;
  std::lock_guard lock(queue.mu);
  queue.process_due(options_.clock->now_ms());
  std::vector<std::pair<std::string, std::string>> attrs;
  auto computed = [&](std::string_view n) -> std::optional<std::string> {
    if (n == "ApproximateNumberOfMessages") return std::to_string(queue.ready_count());
    if (n == "ApproximateNumberOfMessagesDelayed") return std::to_string(queue.delayed_count());
    if (n == "ApproximateNumberOfMessagesNotVisible") return std::to_string(queue.inflight_count());
    if (n == "CreatedTimestamp") return std::to_string(queue.created_s);
    if (n == "LastModifiedTimestamp") return std::to_string(queue.last_modified_s);
    if (n == "QueueArn") return queue.arn;
    return render_attribute(queue.config, n);
  };
  std::vector<std::string_view> names(kComputed.begin(), kComputed.end());
  names.insert(names.end(), settable_attribute_names().begin(), settable_attribute_names().end());
  std::sort(names.begin(), names.end());
  for (auto n : names) {
    if (!all && wanted.count(n) == 0) continue;
    if (auto v = computed(n)) attrs.emplace_back(std::string(n), std::move(*v));
  }
  return GetQueueAttributesResult{std::move(attrs)};
}

Result<Empty> Engine::set_queue_attributes(const SetQueueAttributesRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  QueueConfig next;
  {
    std::lock_guard lock((*q)->mu);
    next = (*q)->config;
  }
  if (auto st = apply_attributes(next, req.attributes, /*creating=*/false); !st) {
    return tern::unexpected(std::move(st).error());
  }
  if (req.attributes.count("RedrivePolicy")) {
    if (auto st = validate_redrive(next, (*q)->name); !st) {
      return tern::unexpected(std::move(st).error());
    }
  }
  std::lock_guard lock((*q)->mu);
  // Apply again on the current config so that a concurrent change to another attribute is kept.
  QueueConfig& c = (*q)->config;
  QueueConfig applied = c;
  if (auto st = apply_attributes(applied, req.attributes, false); !st) {
    return tern::unexpected(std::move(st).error());
  }
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  c = std::move(applied);
  (*q)->last_modified_s = options_.clock->now_ms() / 1000;
  if (options_.journal != nullptr) options_.journal->queue_snapshot(**q);
  return Empty{};
}

Result<Empty> Engine::tag_queue(const TagQueueRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (req.tags.empty()) {
    return fail(ErrorCode::kMissingParameter, "The request must contain the parameter Tags.");
  }
  for (const auto& [k, v] : req.tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256 || starts_with_icase(k, "aws:")) {
      return fail(ErrorCode::kInvalidParameterValue, "Invalid tag key or value: " + k);
    }
  }
  std::lock_guard lock((*q)->mu);
  TagMap merged = (*q)->tags;
  for (const auto& [k, v] : req.tags) merged[k] = v;
  if (merged.size() > 50) {
    return fail(ErrorCode::kInvalidParameterValue, "Too many tags added for queue " + (*q)->name + ".");
  }
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  (*q)->tags = std::move(merged);
  if (options_.journal != nullptr) options_.journal->queue_snapshot(**q);
  return Empty{};
}

Result<Empty> Engine::untag_queue(const UntagQueueRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (req.tag_keys.empty()) {
    return fail(ErrorCode::kMissingParameter, "The request must contain the parameter TagKeys.");
  }
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  std::lock_guard lock((*q)->mu);
  for (const auto& k : req.tag_keys) (*q)->tags.erase(k);
  if (options_.journal != nullptr) options_.journal->queue_snapshot(**q);
  return Empty{};
}

Result<ListQueueTagsResult> Engine::list_queue_tags(const ListQueueTagsRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  std::lock_guard lock((*q)->mu);
  return ListQueueTagsResult{(*q)->tags};
}

// ---- sending ----------------------------------------------------------------------------------

Status Engine::validate_send(Queue& q, const SendFields& f, const std::string& sender_id,
                             const std::optional<std::string>& trace_header, MessageRecord& rec,
                             int64_t& delay, int64_t& size) const {
  const std::string& body = *f.body;
  if (body.empty()) {
    return fail(ErrorCode::kMissingParameter, "The request must contain the parameter MessageBody.");
  }
  if (!is_valid_sqs_text(body)) {
    return fail(ErrorCode::kInvalidMessageContents,
                "Invalid binary character was found in the message body, the set of allowed "
                "characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to "
                "#x10FFFF");
  }
  auto attr_size = validate_message_attributes(*f.message_attributes);
  if (!attr_size) return tern::unexpected(std::move(attr_size).error());
  size = static_cast<int64_t>(body.size()) + *attr_size;
  if (size > q.config.maximum_message_size) {
    return fail(ErrorCode::kInvalidParameterValue,
                "One or more parameters are invalid. Reason: Message must be shorter than " +
                    std::to_string(q.config.maximum_message_size) + " bytes.");
  }
  for (const auto& [name, v] : *f.message_system_attributes) {
    if (name != "AWSTraceHeader") {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Message system attribute name '" + name + "' is invalid.");
    }
    if (v.data_type != "String" || !v.string_value || v.string_value->empty()) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Message system attribute 'AWSTraceHeader' must contain a non-empty value of "
                  "type 'String'.");
    }
  }
  delay = q.config.delay_seconds;
  if (f.delay_seconds->has_value()) {
    int64_t d = **f.delay_seconds;
    if (d < 0 || d > kMaxDelaySeconds) {
      return invalid_param(std::to_string(d), "DelaySeconds",
                           "DelaySeconds must be >= 0 and <= 900.");
    }
    if (q.config.fifo && d != 0) {
      return invalid_param(std::to_string(d), "DelaySeconds",
                           "The request include parameter that is not valid for this queue type.");
    }
    if (!q.config.fifo) delay = d;
  }
  const auto& group = *f.group_id;
  const auto& dedup = *f.deduplication_id;
  if (group && !valid_fifo_token(*group)) {
    return invalid_param(*group, "MessageGroupId",
                         "MessageGroupId can only include alphanumeric and punctuation "
                         "characters. 1 to 128 in length.");
  }
  if (q.config.fifo) {
    if (!group) {
      return fail(ErrorCode::kMissingParameter,
                  "The request must contain the parameter MessageGroupId.");
    }
    if (dedup && !valid_fifo_token(*dedup)) {
      return invalid_param(*dedup, "MessageDeduplicationId",
                           "MessageDeduplicationId can only include alphanumeric and punctuation "
                           "characters. 1 to 128 in length.");
    }
    if (!dedup && !q.config.content_based_deduplication) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "The queue should either have ContentBasedDeduplication enabled or "
                  "MessageDeduplicationId provided explicitly");
    }
    rec.deduplication_id = dedup ? *dedup : sha256_hex(body);
  } else if (dedup) {
    return invalid_param(*dedup, "MessageDeduplicationId",
                         "The request include parameter that is not valid for this queue type.");
  }
  rec.group_id = group;
  rec.body = body;
  if (!f.message_attributes->empty()) {
    rec.attributes = std::make_shared<const MessageAttributes>(*f.message_attributes);
    rec.md5_of_message_attributes = md5_of_attributes(*f.message_attributes);
  }
  if (auto it = f.message_system_attributes->find("AWSTraceHeader");
      it != f.message_system_attributes->end()) {
    rec.trace_header = it->second.string_value;
  } else if (trace_header) {
    rec.trace_header = trace_header;
  }
  rec.sender_id = sender_id.empty() ? options_.account_id : sender_id;
  return {};
}

SendMessageBatchResultEntry Engine::enqueue(Queue& q, MessageRecord rec, int64_t delay,
                                            int64_t now) {
  SendMessageBatchResultEntry r;
  r.md5_of_message_body = md5_hex(rec.body);
  r.md5_of_message_attributes = rec.md5_of_message_attributes;
  std::string dedup_key;
  if (q.config.fifo) {
    dedup_key = q.config.deduplication_scope == "messageGroup"
                    ? *rec.group_id + '\x1f' + *rec.deduplication_id
                    : *rec.deduplication_id;
    if (auto seen = q.find_dedup(dedup_key, now)) {
      r.message_id = std::move(seen->message_id);
      r.sequence_number = q.sequence_number(seen->seq);
      return r;
    }
  }
  rec.message_id = new_uuid();
  rec.md5_of_body = r.md5_of_message_body;
  r.message_id = rec.message_id;
  rec.seq = q.reserve_seq();
  rec.sent_ms = now;
  rec.visible_at_ms = now + delay * 1000;
  const uint64_t seq = rec.seq;
  // Journaled first, from the whole record; the queue keeps it resident until the log has it.
  if (options_.journal != nullptr) {
    options_.journal->message_sent(q, rec);
    if (rec.body_ref.valid() && !index_only()) std::string().swap(rec.body);  // the log has it
  }
  q.add(std::move(rec), delay, now, index_only());
  q.counters.sent.add(1);
  if (q.config.fifo) {
    r.sequence_number = q.sequence_number(seq);
    q.remember_dedup(dedup_key, r.message_id, seq, now + kDedupWindowMs);
  }
  return r;
}

Result<SendMessageResult> Engine::send_message(const SendMessageRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  Queue& queue = **q;
  MessageRecord rec;
  int64_t delay = 0, size = 0;
  const int64_t now = options_.clock->now_ms();
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  std::lock_guard lock(queue.mu);
  if (queue.deleted) return no_queue();
  SendFields f{&req.message_body,       &req.delay_seconds,
               &req.message_attributes, &req.message_system_attributes,
               &req.message_deduplication_id, &req.message_group_id};
  if (auto st = validate_send(queue, f, req.sender_id, req.trace_header, rec, delay, size); !st) {
    return tern::unexpected(std::move(st).error());
  }
  queue.process_due(now);
  auto e = enqueue(queue, std::move(rec), delay, now);
  SendMessageResult out;
  out.message_id = std::move(e.message_id);
  out.md5_of_message_body = std::move(e.md5_of_message_body);
  out.md5_of_message_attributes = std::move(e.md5_of_message_attributes);
  if (!req.message_system_attributes.empty()) {
    out.md5_of_message_system_attributes = md5_of_attributes(req.message_system_attributes);
  }
  out.sequence_number = std::move(e.sequence_number);
  return out;
}

namespace {
template <class Entry>
Status validate_batch_shape(const std::vector<Entry>& entries, std::string_view entry_type) {
  if (entries.empty()) {
    return fail(ErrorCode::kEmptyBatchRequest,
                "There should be at least one " + std::string(entry_type) + " in the request.");
  }
  if (entries.size() > kMaxBatchEntries) {
    return fail(ErrorCode::kTooManyEntriesInBatchRequest,
                "Maximum number of entries per request are 10. You have sent " +
                    std::to_string(entries.size()) + ".");
  }
  std::set<std::string_view> ids;
  for (const auto& e : entries) {
    if (!valid_batch_id(e.id)) {
      return fail(ErrorCode::kInvalidBatchEntryId,
                  "A batch entry id can only contain alphanumeric characters, hyphens and "
                  "underscores. It can be at most 80 letters long.");
    }
    if (!ids.insert(e.id).second) {
      return fail(ErrorCode::kBatchEntryIdsNotDistinct, "Id " + e.id + " repeated.");
    }
  }
  return {};
}

BatchResultError batch_error(const std::string& id, Error e) {
  bool sender = e.code != ErrorCode::kInternalFailure && e.code != ErrorCode::kServiceUnavailable;
  return BatchResultError{id, sender, std::move(e)};
}
}  // namespace

Result<SendMessageBatchResult> Engine::send_message_batch(const SendMessageBatchRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (auto st = validate_batch_shape(req.entries, "SendMessageBatchRequestEntry"); !st) {
    return tern::unexpected(std::move(st).error());
  }
  int64_t total = 0;
  for (const auto& e : req.entries) {
    total += static_cast<int64_t>(e.message_body.size());
    for (const auto& [n, v] : e.message_attributes) {
      total += static_cast<int64_t>(n.size() + v.data_type.size() +
                                    v.string_value.value_or("").size() +
                                    v.binary_value.value_or("").size());
    }
  }
  if (total > kMaxBatchBytes) {
    return fail(ErrorCode::kBatchRequestTooLong,
                "Batch requests cannot be longer than 1048576 bytes. You have sent " +
                    std::to_string(total) + " bytes.");
  }
  Queue& queue = **q;
  const int64_t now = options_.clock->now_ms();
  SendMessageBatchResult out;
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  std::lock_guard lock(queue.mu);
  if (queue.deleted) return no_queue();
  if (queue.config.fifo) {  // FIFO rules fail the whole request, as AWS does
    for (const auto& e : req.entries) {
      if (!e.message_group_id) {
        return fail(ErrorCode::kMissingParameter,
                    "The request must contain the parameter MessageGroupId.");
      }
      if (!e.message_deduplication_id && !queue.config.content_based_deduplication) {
        return fail(ErrorCode::kInvalidParameterValue,
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly");
      }
    }
  }
  queue.process_due(now);
  for (const auto& e : req.entries) {
    MessageRecord rec;
    int64_t delay = 0, size = 0;
    SendFields f{&e.message_body,       &e.delay_seconds,
                 &e.message_attributes, &e.message_system_attributes,
                 &e.message_deduplication_id, &e.message_group_id};
    if (auto st = validate_send(queue, f, req.sender_id, req.trace_header, rec, delay, size); !st) {
      out.failed.push_back(batch_error(e.id, std::move(st).error()));
      continue;
    }
    auto r = enqueue(queue, std::move(rec), delay, now);
    r.id = e.id;
    if (!e.message_system_attributes.empty()) {
      r.md5_of_message_system_attributes = md5_of_attributes(e.message_system_attributes);
    }
    out.successful.push_back(std::move(r));
  }
  return out;
}

// ---- receiving --------------------------------------------------------------------------------

Message Engine::to_message(const Queue& q, MessageRecord& m,
                           const std::vector<std::string>& attribute_names,
                           const std::vector<std::string>& message_attribute_names) const {
  Message out;
  out.message_id = std::move(m.message_id);
  out.receipt_handle = encode_receipt_handle(
      {q.uid, m.seq, static_cast<uint32_t>(m.receive_count)});
  out.md5_of_body = std::move(m.md5_of_body);
  out.body = std::move(m.body);
  if (!attribute_names.empty()) {
    bool all = std::find(attribute_names.begin(), attribute_names.end(), "All") !=
               attribute_names.end();
    auto want = [&](std::string_view n) {
      return all || std::find(attribute_names.begin(), attribute_names.end(), n) !=
                        attribute_names.end();
    };
    auto add = [&](std::string_view n, std::string v) {
      if (want(n)) out.attributes.emplace_back(std::string(n), std::move(v));
    };
    if (m.trace_header) add("AWSTraceHeader", *m.trace_header);
    add("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
    add("ApproximateReceiveCount", std::to_string(m.receive_count));
    if (m.dead_letter_source_arn) add("DeadLetterQueueSourceArn", *m.dead_letter_source_arn);
    if (q.config.fifo && m.deduplication_id) add("MessageDeduplicationId", *m.deduplication_id);
    if (m.group_id) add("MessageGroupId", *m.group_id);
    add("SenderId", m.sender_id);
    add("SentTimestamp", std::to_string(m.sent_ms));
    if (q.config.fifo) add("SequenceNumber", q.sequence_number(m.seq));
  }
  if (!message_attribute_names.empty() && m.attributes) {
    for (const auto& [name, v] : *m.attributes) {
      bool take = false;
      for (const auto& pat : message_attribute_names) {
        if (pat == "All" || pat == ".*" || pat == name ||
            (pat.size() >= 2 && pat.compare(pat.size() - 2, 2, ".*") == 0 &&
             name.compare(0, pat.size() - 2, pat, 0, pat.size() - 2) == 0)) {
          take = true;
          break;
        }
      }
      if (take) out.message_attributes.emplace(name, v);
    }
    if (!out.message_attributes.empty()) {
      out.md5_of_message_attributes = out.message_attributes.size() == m.attributes->size()
                                          ? *m.md5_of_message_attributes
                                          : md5_of_attributes(out.message_attributes);
    }
  }
  return out;
}

std::vector<MessageRecord> Engine::prepare_move(Queue& source, Queue& target,
                                                std::vector<MessageRecord>& taken, bool as_new) {
  std::vector<MessageRecord> out;
  out.reserve(taken.size());
  const int64_t now = options_.clock->now_ms();
  for (auto& m : taken) {
    // While the source's lock is held: its log record cannot be compacted away meanwhile.
    if (!hydrate(m)) {
      // Unreadable (a damaged record): nothing was journaled for it, so it goes back as it was.
      --m.receive_count;
      m.epoch = 0;
      source.add(std::move(m), 0, now, index_only());
      continue;
    }
    MessageRecord rec;
    rec.seq = target.reserve_seq();
    rec.body = m.body;
    rec.md5_of_body = m.md5_of_body;
    rec.attributes = m.attributes;
    rec.md5_of_message_attributes = m.md5_of_message_attributes;
    rec.trace_header = m.trace_header;
    rec.sender_id = m.sender_id;
    rec.group_id = m.group_id;
    if (as_new) {  // a move task: a new message (new id, clock and receive count)
      rec.message_id = new_uuid();
      rec.sent_ms = options_.clock->now_ms();
      if (target.config.fifo && !rec.group_id) rec.group_id = "default";
    } else {  // a dead-letter move keeps identity, clock and receive count
      rec.message_id = m.message_id;
      rec.sent_ms = m.sent_ms;
      rec.first_receive_ms = m.first_receive_ms;
      rec.receive_count = m.receive_count;
      rec.dead_letter_source_arn = source.arn;
    }
    if (target.config.fifo) rec.deduplication_id = rec.message_id;
    rec.visible_at_ms = now;
    if (options_.journal != nullptr) {
      options_.journal->message_sent(target, rec);
      options_.journal->message_deleted(source, m);
    }
    out.push_back(std::move(rec));
  }
  return out;
}

void Engine::add_prepared(Queue& target, std::vector<MessageRecord>& prepared) {
  const int64_t now = options_.clock->now_ms();
  std::lock_guard lock(target.mu);
  if (target.deleted) return;
  for (auto& rec : prepared) target.add(std::move(rec), 0, now, index_only());
}

Result<ReceiveMessageResult> Engine::receive_message(const ReceiveMessageRequest& req,
                                                     ReceiveContext* ctx) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  int64_t max = req.max_number_of_messages.value_or(1);
  if (max < 1 || max > 10) {
    return invalid_param(std::to_string(max), "MaxNumberOfMessages",
                         "Must be between 1 and 10, if provided.");
  }
  if (req.wait_time_seconds && (*req.wait_time_seconds < 0 || *req.wait_time_seconds > 20)) {
    return invalid_param(std::to_string(*req.wait_time_seconds), "WaitTimeSeconds",
                         "Must be >= 0 and <= 20, if provided.");
  }
  if (req.visibility_timeout &&
      (*req.visibility_timeout < 0 || *req.visibility_timeout > kMaxVisibilityTimeout)) {
    return invalid_param(std::to_string(*req.visibility_timeout), "VisibilityTimeout",
                         "Must be >= 0 and <= 43200, if provided.");
  }
  static const std::set<std::string, std::less<>> kSystemNames = {
      "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount",
      "ApproximateFirstReceiveTimestamp", "SequenceNumber", "MessageDeduplicationId",
      "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn"};
  for (const auto& n : req.attribute_names) {
    if (kSystemNames.count(n) == 0) {
      return fail(ErrorCode::kInvalidAttributeName, "Unknown Attribute " + n + ".");
    }
  }
  if (req.receive_request_attempt_id && !valid_fifo_token(*req.receive_request_attempt_id)) {
    return invalid_param(*req.receive_request_attempt_id, "ReceiveRequestAttemptId",
                         "ReceiveRequestAttemptId can only include alphanumeric and punctuation "
                         "characters. 1 to 128 in length.");
  }
  Queue& queue = **q;
  std::shared_ptr<Queue> dlq;
  int64_t move_after = 0;
  {
    std::lock_guard lock(queue.mu);
    if (queue.config.redrive_policy) {
      dlq = find_queue_by_arn(queue.config.dead_letter_target_arn);
      if (dlq) move_after = queue.config.max_receive_count;
    }
  }
  const int64_t now = options_.clock->now_ms();
  ReceiveMessageResult out;
  std::vector<MessageRecord> moved, to_dlq;
  {
    std::lock_guard lock(queue.mu);
    if (queue.deleted) return no_queue();
    queue.process_due(now);
    const int64_t visibility = req.visibility_timeout.value_or(queue.config.visibility_timeout);
    if (ctx != nullptr) {
      ctx->wait_seconds = req.wait_time_seconds.value_or(queue.config.receive_message_wait_time_seconds);
    }
    std::vector<Queue::Taken> got;
    bool replayed = false;
    if (queue.config.fifo && req.receive_request_attempt_id) {
      auto it = queue.attempts.find(*req.receive_request_attempt_id);
      if (it != queue.attempts.end() && it->second.expires_ms > now) {
        bool intact = true;
        for (auto [seq, epoch] : it->second.messages) {
          auto* m = queue.find(seq);
          if (m == nullptr || m->epoch() != epoch || m->state() != MessageState::kInFlight) {
            intact = false;
            break;
          }
          got.push_back({seq, m});
        }
        if (intact) {
          replayed = true;
          for (auto& t : got) queue.set_visibility(t.seq, *t.entry, now + visibility * 1000, now);
        } else {
          got.clear();
        }
      }
    }
    if (!replayed) {
      if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
      queue.receive(static_cast<int>(max), visibility, now, move_after, got, moved);
      if (options_.journal != nullptr) {
        for (auto& t : got) {
          options_.journal->message_received(queue, queue.materialize(t.seq, *t.entry, false));
        }
      }
      if (!moved.empty()) {
        to_dlq = prepare_move(queue, *dlq, moved, /*as_new=*/false);
        queue.counters.dead_lettered.add(moved.size());
      }
    }
    queue.counters.received.add(got.size());
    if (queue.config.fifo && req.receive_request_attempt_id && !got.empty()) {
      Queue::Attempt a{{}, now + kDedupWindowMs};
      for (auto& t : got) a.messages.emplace_back(t.seq, t.entry->epoch());
      queue.attempts[*req.receive_request_attempt_id] = std::move(a);
    }
    out.messages.reserve(got.size());
    for (auto& t : got) {
      MessageRecord m = queue.materialize(t.seq, *t.entry);
      if (auto st = hydrate(m); !st) return tern::unexpected(std::move(st).error());
      out.messages.push_back(to_message(queue, m, req.attribute_names, req.message_attribute_names));
    }
    if (ctx != nullptr) {
      if (got.empty() && ctx->waiter) queue.add_waiter(ctx->waiter);
      ctx->next_due_ms = queue.next_due_ms();
    }
  }
  if (!to_dlq.empty()) add_prepared(*dlq, to_dlq);
  return out;
}

Status Engine::delete_one(Queue& q, const std::string& handle, int64_t now) {
  auto h = decode_receipt_handle(handle);
  if (!h || h->queue_uid != q.uid) return tern::unexpected(invalid_handle(handle));
  auto* m = q.find(h->seq);
  if (m == nullptr) return {};  // already deleted: success, as on AWS
  if (q.config.fifo && (m->state() != MessageState::kInFlight ||
                        static_cast<uint32_t>(m->receive_count()) != h->receive_count)) {
    return invalid_param(handle, "ReceiptHandle", "The receipt handle has expired.");
  }
  if (auto st = check_writable(); !st) return st;
  if (options_.journal != nullptr) {
    options_.journal->message_deleted(q, q.materialize(h->seq, *m, /*with_static=*/false));
  }
  q.erase(h->seq);
  q.counters.deleted.add(1);
  return {};
}

Result<Empty> Engine::delete_message(const DeleteMessageRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  const int64_t now = options_.clock->now_ms();
  std::lock_guard lock((*q)->mu);
  if ((*q)->deleted) return no_queue();
  (*q)->process_due(now);
  if (auto st = delete_one(**q, req.receipt_handle, now); !st) {
    return tern::unexpected(std::move(st).error());
  }
  return Empty{};
}

Result<DeleteMessageBatchResult> Engine::delete_message_batch(
    const DeleteMessageBatchRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (auto st = validate_batch_shape(req.entries, "DeleteMessageBatchRequestEntry"); !st) {
    return tern::unexpected(std::move(st).error());
  }
  const int64_t now = options_.clock->now_ms();
  DeleteMessageBatchResult out;
  std::lock_guard lock((*q)->mu);
  if ((*q)->deleted) return no_queue();
  (*q)->process_due(now);
  for (const auto& e : req.entries) {
    if (auto st = delete_one(**q, e.receipt_handle, now); !st) {
      out.failed.push_back(batch_error(e.id, std::move(st).error()));
    } else {
      out.successful.push_back({e.id});
    }
  }
  return out;
}

Status Engine::change_visibility_one(Queue& q, const std::string& handle, int64_t timeout,
                                     int64_t now) {
  if (timeout < 0 || timeout > kMaxVisibilityTimeout) {
    return invalid_param(std::to_string(timeout), "VisibilityTimeout",
                         "VisibilityTimeout must be an integer between 0 and 43200.");
  }
  auto h = decode_receipt_handle(handle);
  if (!h || h->queue_uid != q.uid) return tern::unexpected(invalid_handle(handle));
  auto* m = q.find(h->seq);
  if (m == nullptr || static_cast<uint32_t>(m->receive_count()) != h->receive_count ||
      m->state() == MessageState::kDelayed ||
      (q.config.fifo && m->state() != MessageState::kInFlight)) {
    return invalid_param(handle, "ReceiptHandle",
                         "Message does not exist or is not available for visibility timeout "
                         "change.");
  }
  if (now + timeout * 1000 - m->received_ms() > kMaxVisibilityTimeout * 1000) {
    return invalid_param(std::to_string(timeout), "VisibilityTimeout",
                         "Total VisibilityTimeout for the message is beyond the limit [43200 "
                         "seconds]");
  }
  q.set_visibility(h->seq, *m, now + timeout * 1000, now);
  return {};
}

Result<Empty> Engine::change_message_visibility(const ChangeMessageVisibilityRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  const int64_t now = options_.clock->now_ms();
  std::lock_guard lock((*q)->mu);
  if ((*q)->deleted) return no_queue();
  (*q)->process_due(now);
  if (auto st = change_visibility_one(**q, req.receipt_handle, req.visibility_timeout, now); !st) {
    return tern::unexpected(std::move(st).error());
  }
  return Empty{};
}

Result<ChangeMessageVisibilityBatchResult> Engine::change_message_visibility_batch(
    const ChangeMessageVisibilityBatchRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (auto st = validate_batch_shape(req.entries, "ChangeMessageVisibilityBatchRequestEntry");
      !st) {
    return tern::unexpected(std::move(st).error());
  }
  const int64_t now = options_.clock->now_ms();
  ChangeMessageVisibilityBatchResult out;
  std::lock_guard lock((*q)->mu);
  if ((*q)->deleted) return no_queue();
  (*q)->process_due(now);
  for (const auto& e : req.entries) {
    if (auto st = change_visibility_one(**q, e.receipt_handle, e.visibility_timeout, now); !st) {
      out.failed.push_back(batch_error(e.id, std::move(st).error()));
    } else {
      out.successful.push_back({e.id});
    }
  }
  return out;
}

// ---- dead-letter sources and permissions ------------------------------------------------------

Result<ListDeadLetterSourceQueuesResult> Engine::list_dead_letter_source_queues(
    const ListDeadLetterSourceQueuesRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (req.max_results && (*req.max_results < 1 || *req.max_results > 1000)) {
    return invalid_param(std::to_string(*req.max_results), "MaxResults",
                         "MaxResults must be an integer between 1 and 1000.");
  }
  std::string after;
  if (req.next_token && !req.next_token->empty()) {
    auto decoded = base64url_decode(*req.next_token);
    if (!decoded) return invalid_param(*req.next_token, "NextToken", "Invalid NextToken value.");
    after = *decoded;
  }
  const size_t limit = req.max_results ? static_cast<size_t>(*req.max_results) : 1000;
  std::vector<std::shared_ptr<Queue>> all;
  {
    std::shared_lock lock(mu_);
    for (auto it = queues_.upper_bound(after); it != queues_.end(); ++it) all.push_back(it->second);
  }
  ListDeadLetterSourceQueuesResult out;
  std::string last;
  for (const auto& s : all) {
    if (s == *q) continue;
    bool match;
    {
      std::lock_guard lock(s->mu);
      match = s->config.redrive_policy && s->config.dead_letter_target_arn == (*q)->arn;
    }
    if (!match) continue;
    if (out.queue_urls.size() == limit) {
      if (req.max_results) out.next_token = base64url_encode(last);
      break;
    }
    out.queue_urls.push_back(s->url);
    last = s->name;
  }
  return out;
}

namespace {
bool is_account_id(const std::string& s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
// The actions a queue policy statement may grant (spec §2, AddPermission).
bool is_permission_action(const std::string& a) {
  static const std::set<std::string, std::less<>> kActions = {
      "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
      "ListDeadLetterSourceQueues", "ListQueueTags", "PurgeQueue", "ReceiveMessage",
      "SendMessage", "SetQueueAttributes", "TagQueue", "UntagQueue", "CancelMessageMoveTask",
      "ListMessageMoveTasks", "StartMessageMoveTask"};
  return kActions.count(a) != 0;
}
// The Statement array of a policy document, created when absent. REQUIRES: policy is an object.
boost::json::array& statements_of(boost::json::object& policy) {
  auto& st = policy["Statement"];
  if (st.is_object()) {  // a single statement may be written as an object
    boost::json::array arr;
    arr.push_back(st);
    st = std::move(arr);
  } else if (!st.is_array()) {
    st = boost::json::array();
  }
  return st.as_array();
}
}  // namespace

Result<Empty> Engine::add_permission(const AddPermissionRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  if (req.label.empty() || req.label.size() > 80 ||
      !std::all_of(req.label.begin(), req.label.end(), is_name_char)) {
    return invalid_param(req.label, "Label",
                         "Can only include alphanumeric characters, hyphens, or underscores. 1 to "
                         "80 in length");
  }
  if (req.aws_account_ids.empty()) {
    return fail(ErrorCode::kMissingParameter, "The request must contain the parameter AWSAccountIds.");
  }
  if (req.actions.empty()) {
    return fail(ErrorCode::kMissingParameter, "The request must contain the parameter Actions.");
  }
  for (const auto& id : req.aws_account_ids) {
    if (!is_account_id(id)) {
      return invalid_param(id, "AWSAccountIds", "An AWS account id is 12 digits.");
    }
  }
  for (const auto& a : req.actions) {
    if (!is_permission_action(a)) {
      return invalid_param(a, "Actions", "Only SQS action names (without the SQS: prefix) or * are allowed.");
    }
  }
  if (req.actions.size() > 7) {
    return fail(ErrorCode::kOverLimit, std::to_string(req.actions.size()) +
                                           " Actions were found, maximum allowed is 7.");
  }
  std::lock_guard lock((*q)->mu);
  boost::json::object policy;
  if ((*q)->config.policy) {
    boost::system::error_code ec;
    auto jv = boost::json::parse(*(*q)->config.policy, ec);
    if (!ec && jv.is_object()) policy = std::move(jv.as_object());
  }
  if (policy.empty()) {
    policy["Version"] = "2008-10-17";
    policy["Id"] = (*q)->arn + "/SQSDefaultPolicy";
  }
  auto& statements = statements_of(policy);
  for (const auto& st : statements) {
    const auto* sid = st.is_object() ? st.as_object().if_contains("Sid") : nullptr;
    if (sid != nullptr && sid->is_string() && sid->as_string() == req.label) {
      return invalid_param(req.label, "Label", "Already exists.");
    }
  }
  auto one_or_many = [](const std::vector<std::string>& v, const std::string& pre,
                        const std::string& post) -> boost::json::value {
    if (v.size() == 1) return boost::json::value(pre + v[0] + post);
    boost::json::array arr;
    for (const auto& x : v) arr.emplace_back(pre + x + post);
    return arr;
  };
  boost::json::object stmt;
  stmt["Sid"] = req.label;
  stmt["Effect"] = "Allow";
  stmt["Principal"] = boost::json::object{{"AWS", one_or_many(req.aws_account_ids, "arn:aws:iam::", ":root")}};
  stmt["Action"] = one_or_many(req.actions, "SQS:", "");
  stmt["Resource"] = (*q)->arn;
  statements.push_back(std::move(stmt));
  std::string text = boost::json::serialize(policy);
  if (text.size() > 8192) {
    return fail(ErrorCode::kOverLimit, "The policy would exceed 8192 bytes.");
  }
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  (*q)->config.policy = std::move(text);
  if (options_.journal != nullptr) options_.journal->queue_snapshot(**q);
  return Empty{};
}

Result<Empty> Engine::remove_permission(const RemovePermissionRequest& req) {
  auto q = resolve(req.queue_url);
  if (!q) return tern::unexpected(std::move(q).error());
  std::lock_guard lock((*q)->mu);
  boost::json::object policy;
  if ((*q)->config.policy) {
    boost::system::error_code ec;
    auto jv = boost::json::parse(*(*q)->config.policy, ec);
    if (!ec && jv.is_object()) policy = std::move(jv.as_object());
  }
  bool found = false;
  if (!policy.empty()) {
    auto& statements = statements_of(policy);
    for (auto it = statements.begin(); it != statements.end(); ++it) {
      const auto* sid = it->is_object() ? it->as_object().if_contains("Sid") : nullptr;
      if (sid != nullptr && sid->is_string() && sid->as_string() == req.label) {
        statements.erase(it);
        found = true;
        break;
      }
    }
    if (found && statements.empty()) policy.clear();
  }
  if (!found) return invalid_param(req.label, "Label", "can't find label.");
  if (auto st = check_writable(); !st) return tern::unexpected(std::move(st).error());
  if (policy.empty()) {
    (*q)->config.policy.reset();  // the last statement gone: the attribute disappears
  } else {
    (*q)->config.policy = boost::json::serialize(policy);
  }
  if (options_.journal != nullptr) options_.journal->queue_snapshot(**q);
  return Empty{};
}

Status Engine::check_writable() const {
  if (options_.journal == nullptr || options_.journal->writable()) return {};
  return fail(ErrorCode::kServiceUnavailable,
              "The server could not make a write durable (its data directory failed) and "
              "refuses writes until it is restarted; reads still work.");
}

Status Engine::hydrate(MessageRecord& m) const {
  if (!m.body_ref.valid() || options_.journal == nullptr) return {};
  auto unreadable = [&] {
    return fail(ErrorCode::kInternalFailure,
                "Message " + (m.message_id.empty() ? std::to_string(m.seq) : m.message_id) +
                    " could not be read from the log (segment " +
                    std::to_string(m.body_ref.segment) + ", offset " +
                    std::to_string(m.body_ref.offset) + ").");
  };
  if (!m.message_id.empty()) {  // the queue kept the fields: the body at most is in the log
    if (!m.body.empty()) return {};
    auto body = options_.journal->read_body(m.body_ref);
    if (!body) return unreadable();
    m.body = std::move(*body);
    return {};
  }
  auto full = options_.journal->read_message(m.body_ref);
  if (!full) return unreadable();
  // The record's static fields; the queue's own (receive count, times, state) stay.
  m.message_id = std::move(full->message_id);
  m.body = std::move(full->body);
  m.md5_of_body = std::move(full->md5_of_body);
  m.attributes = std::move(full->attributes);
  m.md5_of_message_attributes = std::move(full->md5_of_message_attributes);
  m.trace_header = std::move(full->trace_header);
  m.group_id = std::move(full->group_id);
  m.deduplication_id = std::move(full->deduplication_id);
  m.dead_letter_source_arn = std::move(full->dead_letter_source_arn);
  m.sender_id = std::move(full->sender_id);
  return {};
}

std::vector<std::shared_ptr<Queue>> Engine::all_queues() const {
  std::vector<std::shared_ptr<Queue>> all;
  std::shared_lock lock(mu_);
  for (const auto& [_, q] : queues_) all.push_back(q);
  return all;
}

std::shared_ptr<Queue> Engine::find_queue_by_uid(uint64_t uid) const {
  auto it = recovering_.find(uid);
  return it == recovering_.end() ? nullptr : it->second;
}

QueueSnapshot snapshot_of(const Queue& q) {
  QueueSnapshot s;
  s.name = q.name;
  s.uid = q.uid;
  s.created_s = q.created_s;
  s.last_modified_s = q.last_modified_s;
  s.last_purge_ms = q.last_purge_ms;
  for (auto n : settable_attribute_names()) {
    if (auto v = render_attribute(q.config, n)) s.attributes.emplace(std::string(n), *v);
  }
  s.tags = q.tags;
  s.next_seq = q.next_seq();
  return s;
}

void Engine::restore_queue(const QueueSnapshot& s) {
  auto existing = find_queue_by_uid(s.uid);
  QueueConfig config = existing ? existing->config : QueueConfig{};
  // A snapshot was valid when it was written; apply it leniently (creating=true allows FifoQueue).
  (void)apply_attributes(config, s.attributes, /*creating=*/true);
  if (existing) {
    existing->raise_next_seq(s.next_seq);
    existing->config = config;
    existing->tags = s.tags;
    existing->last_modified_s = s.last_modified_s;
    existing->last_purge_ms = s.last_purge_ms;
    return;
  }
  auto q = std::make_shared<Queue>(s.name, queue_arn(s.name), queue_url(s.name), config,
                                   s.created_s * 1000, s.uid);
  q->created_s = s.created_s;
  q->last_modified_s = s.last_modified_s;
  q->last_purge_ms = s.last_purge_ms;
  q->tags = s.tags;
  q->raise_next_seq(s.next_seq);
  recovering_[s.uid] = q;
  {
    std::unique_lock lock(mu_);
    queues_[s.name] = q;
  }
  if (auto d = deferred_.find(s.uid); d != deferred_.end()) {
    auto ops = std::move(d->second);
    deferred_.erase(d);
    for (auto& op : ops) op();
  }
}

void Engine::restore_queue_deleted(uint64_t uid) {
  auto q = find_queue_by_uid(uid);
  if (!q) {
    deferred_.erase(uid);  // its records before the (compacted) snapshot go with it
    return;
  }
  q->deleted = true;
  q->purge();
  recovering_.erase(uid);
  std::unique_lock lock(mu_);
  auto it = queues_.find(q->name);
  if (it != queues_.end() && it->second == q) queues_.erase(it);
}

void Engine::restore_queue_purged(uint64_t uid, int64_t purge_ms) {
  if (defer(uid, [this, uid, purge_ms] { restore_queue_purged(uid, purge_ms); })) return;
  if (auto q = find_queue_by_uid(uid)) {
    q->last_purge_ms = purge_ms;
    q->purge();
  }
}

void Engine::restore_message(uint64_t uid, MessageRecord rec) {
  auto q = find_queue_by_uid(uid);
  if (!q) {
    auto shared = std::make_shared<MessageRecord>(std::move(rec));
    defer(uid, [this, uid, shared] { restore_message(uid, std::move(*shared)); });
    return;
  }
  const int64_t now = options_.clock->now_ms();
  if (q->config.fifo && rec.deduplication_id && rec.sent_ms + kDedupWindowMs > now) {
    std::string key = q->config.deduplication_scope == "messageGroup"
                          ? rec.group_id.value_or("") + '\x1f' + *rec.deduplication_id
                          : *rec.deduplication_id;
    q->remember_dedup(key, rec.message_id, rec.seq, rec.sent_ms + kDedupWindowMs);
  }
  if (rec.sent_ms + q->config.message_retention_period * 1000 <= now) {
    q->erase(rec.seq);  // an older copy (before a compaction rewrite) may be there
    return;
  }
  if (q->find(rec.seq) != nullptr) q->erase(rec.seq);  // a compaction copy: the later one wins
  q->restore(std::move(rec), now);
}

void Engine::restore_received(uint64_t uid, uint64_t seq, int32_t count, int64_t first_ms) {
  if (defer(uid, [=, this] { restore_received(uid, seq, count, first_ms); })) return;
  auto q = find_queue_by_uid(uid);
  if (!q) return;
  q->restore_received(seq, count, first_ms);
}

void Engine::restore_deleted(uint64_t uid, uint64_t seq) {
  if (defer(uid, [this, uid, seq] { restore_deleted(uid, seq); })) return;
  if (auto q = find_queue_by_uid(uid)) q->erase(seq);
}

// Compaction re-appends a queue's snapshot at the head of the log while records of its messages
// may remain in later segments, so replay can meet a queue's records before its (only surviving)
// snapshot. They are kept in order and applied when the snapshot arrives; a QueueDeleted drops
// them, and whatever is left at the end belonged to no surviving queue.
bool Engine::defer(uint64_t uid, std::function<void()> op) {
  if (find_queue_by_uid(uid)) return false;
  deferred_[uid].push_back(std::move(op));
  return true;
}


void Engine::finish_recovery() {
  for (auto& [uid, q] : recovering_) q->finish_restore();
  recovering_.clear();
  deferred_.clear();
}

void Engine::wake_all_waiters() {
  std::vector<std::shared_ptr<Queue>> all;
  {
    std::shared_lock lock(mu_);
    for (auto& [_, q] : queues_) all.push_back(q);
  }
  for (auto& q : all) {
    std::lock_guard lock(q->mu);
    q->wake_all();
  }
}

}  // namespace tern::engine
