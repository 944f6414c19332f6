#pragma once
// The engine's typed API: one request and one result struct per SQS action, and the error type.
// The protocol layer decodes wire requests (JSON 1.0 or query) into these structs and encodes
// the results; the engine validates values and applies the semantics. Field names follow the SQS
// model's member names in snake_case. Queue-scoped requests carry the QueueUrl as the client sent
// it; the engine resolves it by its path (`/<account>/<name>`), whatever the host.
//
// Presence rules: the decoder reports a required member that is absent (MissingParameter); the
// engine checks values (ranges, characters, sizes). Optional scalars are std::optional; lists and
// maps are empty when absent.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.h"

namespace tern::engine {

// Every error the API can return. The protocol layer owns the table that maps each to its query
// code, JSON shape name and HTTP status (protocol/errors.h).
enum class ErrorCode {
  kQueueDoesNotExist,
  kQueueNameExists,
  kQueueDeletedRecently,
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kPurgeQueueInProgress,
  kOverLimit,
  kTooManyEntriesInBatchRequest,
  kEmptyBatchRequest,
  kBatchEntryIdsNotDistinct,
  kBatchRequestTooLong,
  kInvalidBatchEntryId,
  kUnsupportedOperation,
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kInvalidMessageContents,
  kInvalidParameterValue,
  kMissingParameter,
  kInvalidAction,
  kInvalidAddress,
  kResourceNotFound,
  kAccessDenied,
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kInvalidClientTokenId,
  kSignatureDoesNotMatch,
  kMalformedQueryString,
  kServiceUnavailable,
  kInternalFailure,
  // Appended by the protocol layer: request-framing failures the engine never returns.
  kSerializationException,  // JSON protocol: the body is not a JSON object
  kUnknownOperation,        // no operation selector at all (query: bare GET to a queue path)
};

struct Error {
  ErrorCode code = ErrorCode::kInternalFailure;
  std::string message;
};

template <class T>
using Result = tern::Expected<T, Error>;
using Status = tern::Expected<void, Error>;

inline tern::Unexpected<Error> fail(ErrorCode code, std::string message) {
  return {Error{code, std::move(message)}};
}

// ---- shared value types ---------------------------------------------------------------------

// A message attribute value. Exactly one of the value members is set by a valid request; the
// engine checks that. binary_value / binary_list_values hold raw bytes (already base64-decoded).
struct MessageAttributeValue {
  std::string data_type;
  std::optional<std::string> string_value;
  std::optional<std::string> binary_value;
  std::vector<std::string> string_list_values;
  std::vector<std::string> binary_list_values;
  bool operator==(const MessageAttributeValue&) const = default;
};
// Ordered by name in byte order, which is the order the MD5 digest needs.
using MessageAttributes = std::map<std::string, MessageAttributeValue>;
using AttributeMap = std::map<std::string, std::string>;  // queue attributes, by name
using TagMap = std::map<std::string, std::string>;

// A per-entry failure inside a batch result (HTTP 200 overall).
struct BatchResultError {
  std::string id;
  bool sender_fault = true;
  Error error;  // rendered with the error's query code (e.g. "InvalidParameterValue")
};

// ---- actions ----------------------------------------------------------------------------------

struct CreateQueueRequest {
  std::string queue_name;  // required
  AttributeMap attributes;
  TagMap tags;
};
struct CreateQueueResult {
  std::string queue_url;
};

struct GetQueueUrlRequest {
  std::string queue_name;  // required
  std::optional<std::string> queue_owner_aws_account_id;
};
struct GetQueueUrlResult {
  std::string queue_url;
};

struct ListQueuesRequest {
  std::optional<std::string> queue_name_prefix;
  std::optional<int64_t> max_results;
  std::optional<std::string> next_token;
};
struct ListQueuesResult {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;
};

struct DeleteQueueRequest {
  std::string queue_url;
};
struct PurgeQueueRequest {
  std::string queue_url;
};
struct Empty {};  // result of actions without output

struct GetQueueAttributesRequest {
  std::string queue_url;
  std::vector<std::string> attribute_names;
};
struct GetQueueAttributesResult {
  std::vector<std::pair<std::string, std::string>> attributes;  // in a stable order
};

struct SetQueueAttributesRequest {
  std::string queue_url;
  AttributeMap attributes;
};

struct TagQueueRequest {
  std::string queue_url;
  TagMap tags;
};
struct UntagQueueRequest {
  std::string queue_url;
  std::vector<std::string> tag_keys;
};
struct ListQueueTagsRequest {
  std::string queue_url;
};
struct ListQueueTagsResult {
  TagMap tags;
};

struct SendMessageRequest {
  std::string queue_url;
  std::string message_body;  // presence checked by the decoder; empty is MissingParameter
  std::optional<int64_t> delay_seconds;
  MessageAttributes message_attributes;
  MessageAttributes message_system_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
  // Not on the wire as a member: filled by the server from the caller's identity (SenderId) and
  // from the X-Amzn-Trace-Id header.
  std::string sender_id;
  std::optional<std::string> trace_header;
};
struct SendMessageResult {
  std::string message_id;
  std::string md5_of_message_body;
  std::optional<std::string> md5_of_message_attributes;         // only when attributes sent
  std::optional<std::string> md5_of_message_system_attributes;  // only when sent
  std::optional<std::string> sequence_number;                   // FIFO only
};

struct SendMessageBatchRequestEntry {
  std::string id;
  std::string message_body;
  std::optional<int64_t> delay_seconds;
  MessageAttributes message_attributes;
  MessageAttributes message_system_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
};
struct SendMessageBatchRequest {
  std::string queue_url;
  std::vector<SendMessageBatchRequestEntry> entries;
  std::string sender_id;
  std::optional<std::string> trace_header;
};
struct SendMessageBatchResultEntry {
  std::string id;
  std::string message_id;
  std::string md5_of_message_body;
  std::optional<std::string> md5_of_message_attributes;
  std::optional<std::string> md5_of_message_system_attributes;
  std::optional<std::string> sequence_number;
};
struct SendMessageBatchResult {
  std::vector<SendMessageBatchResultEntry> successful;
  std::vector<BatchResultError> failed;
};

struct ReceiveMessageRequest {
  std::string queue_url;
  // Union of AttributeNames and MessageSystemAttributeNames (both map to AttributeName.N in query).
  std::vector<std::string> attribute_names;
  std::vector<std::string> message_attribute_names;
  std::optional<int64_t> max_number_of_messages;
  std::optional<int64_t> visibility_timeout;
  std::optional<int64_t> wait_time_seconds;
  std::optional<std::string> receive_request_attempt_id;
};
struct Message {
  std::string message_id;
  std::string receipt_handle;
  std::string md5_of_body;
  std::string body;
  std::vector<std::pair<std::string, std::string>> attributes;  // system attributes requested
  std::optional<std::string> md5_of_message_attributes;         // over the returned subset
  MessageAttributes message_attributes;
};
struct ReceiveMessageResult {
  std::vector<Message> messages;
};

struct DeleteMessageRequest {
  std::string queue_url;
  std::string receipt_handle;  // required
};

struct DeleteMessageBatchRequestEntry {
  std::string id;
  std::string receipt_handle;
};
struct DeleteMessageBatchRequest {
  std::string queue_url;
  std::vector<DeleteMessageBatchRequestEntry> entries;
};
struct IdResultEntry {
  std::string id;
};
struct DeleteMessageBatchResult {
  std::vector<IdResultEntry> successful;
  std::vector<BatchResultError> failed;
};

struct ChangeMessageVisibilityRequest {
  std::string queue_url;
  std::string receipt_handle;   // required
  int64_t visibility_timeout;   // required
};

struct ChangeMessageVisibilityBatchRequestEntry {
  std::string id;
  std::string receipt_handle;
  int64_t visibility_timeout = 0;  // required per entry
};
struct ChangeMessageVisibilityBatchRequest {
  std::string queue_url;
  std::vector<ChangeMessageVisibilityBatchRequestEntry> entries;
};
struct ChangeMessageVisibilityBatchResult {
  std::vector<IdResultEntry> successful;
  std::vector<BatchResultError> failed;
};

struct AddPermissionRequest {
  std::string queue_url;
  std::string label;
  std::vector<std::string> aws_account_ids;
  std::vector<std::string> actions;
};
struct RemovePermissionRequest {
  std::string queue_url;
  std::string label;
};

struct ListDeadLetterSourceQueuesRequest {
  std::string queue_url;
  std::optional<int64_t> max_results;
  std::optional<std::string> next_token;
};
struct ListDeadLetterSourceQueuesResult {
  std::vector<std::string> queue_urls;  // JSON member is lowercase `queueUrls`, always present
  std::optional<std::string> next_token;
};

struct StartMessageMoveTaskRequest {
  std::string source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int64_t> max_number_of_messages_per_second;
};
struct StartMessageMoveTaskResult {
  std::string task_handle;
};
struct CancelMessageMoveTaskRequest {
  std::string task_handle;
};
struct CancelMessageMoveTaskResult {
  int64_t approximate_number_of_messages_moved = 0;
};
struct ListMessageMoveTasksRequest {
  std::string source_arn;
  std::optional<int64_t> max_results;
};
struct MessageMoveTask {
  std::optional<std::string> task_handle;  // only while RUNNING
  std::string status;
  std::string source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int64_t> max_number_of_messages_per_second;
  int64_t approximate_number_of_messages_moved = 0;
  std::optional<int64_t> approximate_number_of_messages_to_move;
  std::optional<std::string> failure_reason;
  int64_t started_timestamp = 0;
};
struct ListMessageMoveTasksResult {
  std::vector<MessageMoveTask> results;
};

}  // namespace tern::engine
