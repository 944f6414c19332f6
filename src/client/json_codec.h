#pragma once
// The client's side of AWS JSON 1.0: request structs (engine/api.h) -> JSON bodies, JSON bodies
// -> result structs, and error responses -> ClientError. It is the mirror image of
// protocol/codec.cc (which decodes requests and encodes results for the server); member names are
// the SQS model's exactly (CreateQueue sends lowercase `tags`, ListDeadLetterSourceQueues returns
// lowercase `queueUrls`). Absent optionals and empty lists/maps are omitted, as botocore does.
// Blobs are raw bytes in the structs and base64 on the wire.
//
// Result decoding is lenient where AWS is (absent lists are empty, unknown members ignored) and
// strict about types: a member of the wrong JSON type is a protocol error, never a crash.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/expected.h"
#include "engine/api.h"

namespace tern::client {

namespace api = tern::engine;

// Action name and result type of each request type.
template <class Request>
struct Action;
#define TERN_CLIENT_ACTION(Name, Req, Res)         \
  template <>                                      \
  struct Action<api::Req> {                        \
    static constexpr std::string_view kName = Name; \
    using Result = api::Res;                       \
  };
TERN_CLIENT_ACTION("CreateQueue", CreateQueueRequest, CreateQueueResult)
TERN_CLIENT_ACTION("GetQueueUrl", GetQueueUrlRequest, GetQueueUrlResult)
TERN_CLIENT_ACTION("ListQueues", ListQueuesRequest, ListQueuesResult)
TERN_CLIENT_ACTION("DeleteQueue", DeleteQueueRequest, Empty)
TERN_CLIENT_ACTION("PurgeQueue", PurgeQueueRequest, Empty)
TERN_CLIENT_ACTION("GetQueueAttributes", GetQueueAttributesRequest, GetQueueAttributesResult)
TERN_CLIENT_ACTION("SetQueueAttributes", SetQueueAttributesRequest, Empty)
TERN_CLIENT_ACTION("TagQueue", TagQueueRequest, Empty)
TERN_CLIENT_ACTION("UntagQueue", UntagQueueRequest, Empty)
TERN_CLIENT_ACTION("ListQueueTags", ListQueueTagsRequest, ListQueueTagsResult)
TERN_CLIENT_ACTION("SendMessage", SendMessageRequest, SendMessageResult)
TERN_CLIENT_ACTION("SendMessageBatch", SendMessageBatchRequest, SendMessageBatchResult)
TERN_CLIENT_ACTION("ReceiveMessage", ReceiveMessageRequest, ReceiveMessageResult)
TERN_CLIENT_ACTION("DeleteMessage", DeleteMessageRequest, Empty)
TERN_CLIENT_ACTION("DeleteMessageBatch", DeleteMessageBatchRequest, DeleteMessageBatchResult)
TERN_CLIENT_ACTION("ChangeMessageVisibility", ChangeMessageVisibilityRequest, Empty)
TERN_CLIENT_ACTION("ChangeMessageVisibilityBatch", ChangeMessageVisibilityBatchRequest,
                   ChangeMessageVisibilityBatchResult)
TERN_CLIENT_ACTION("AddPermission", AddPermissionRequest, Empty)
TERN_CLIENT_ACTION("RemovePermission", RemovePermissionRequest, Empty)
TERN_CLIENT_ACTION("ListDeadLetterSourceQueues", ListDeadLetterSourceQueuesRequest,
                   ListDeadLetterSourceQueuesResult)
TERN_CLIENT_ACTION("StartMessageMoveTask", StartMessageMoveTaskRequest,
                   StartMessageMoveTaskResult)
TERN_CLIENT_ACTION("CancelMessageMoveTask", CancelMessageMoveTaskRequest,
                   CancelMessageMoveTaskResult)
TERN_CLIENT_ACTION("ListMessageMoveTasks", ListMessageMoveTasksRequest,
                   ListMessageMoveTasksResult)
#undef TERN_CLIENT_ACTION

// A decoding failure: the member path and what was wrong ("Messages[2].Body: not a string").
using DecodeStatus = tern::Expected<void, std::string>;

// ---- requests -> JSON ---------------------------------------------------------------------------
// Server-filled fields (SendMessageRequest::sender_id, trace_header) are not wire members and are
// never sent.
boost::json::object encode(const api::CreateQueueRequest& r);
boost::json::object encode(const api::GetQueueUrlRequest& r);
boost::json::object encode(const api::ListQueuesRequest& r);
boost::json::object encode(const api::DeleteQueueRequest& r);
boost::json::object encode(const api::PurgeQueueRequest& r);
boost::json::object encode(const api::GetQueueAttributesRequest& r);
boost::json::object encode(const api::SetQueueAttributesRequest& r);
boost::json::object encode(const api::TagQueueRequest& r);
boost::json::object encode(const api::UntagQueueRequest& r);
boost::json::object encode(const api::ListQueueTagsRequest& r);
boost::json::object encode(const api::SendMessageRequest& r);
boost::json::object encode(const api::SendMessageBatchRequest& r);
boost::json::object encode(const api::ReceiveMessageRequest& r);
boost::json::object encode(const api::DeleteMessageRequest& r);
boost::json::object encode(const api::DeleteMessageBatchRequest& r);
boost::json::object encode(const api::ChangeMessageVisibilityRequest& r);
boost::json::object encode(const api::ChangeMessageVisibilityBatchRequest& r);
boost::json::object encode(const api::AddPermissionRequest& r);
boost::json::object encode(const api::RemovePermissionRequest& r);
boost::json::object encode(const api::ListDeadLetterSourceQueuesRequest& r);
boost::json::object encode(const api::StartMessageMoveTaskRequest& r);
boost::json::object encode(const api::CancelMessageMoveTaskRequest& r);
boost::json::object encode(const api::ListMessageMoveTasksRequest& r);

// ---- JSON -> results ----------------------------------------------------------------------------
DecodeStatus decode(const boost::json::object& o, api::Empty& out);
DecodeStatus decode(const boost::json::object& o, api::CreateQueueResult& out);
DecodeStatus decode(const boost::json::object& o, api::GetQueueUrlResult& out);
DecodeStatus decode(const boost::json::object& o, api::ListQueuesResult& out);
DecodeStatus decode(const boost::json::object& o, api::GetQueueAttributesResult& out);
DecodeStatus decode(const boost::json::object& o, api::ListQueueTagsResult& out);
DecodeStatus decode(const boost::json::object& o, api::SendMessageResult& out);
DecodeStatus decode(const boost::json::object& o, api::SendMessageBatchResult& out);
DecodeStatus decode(const boost::json::object& o, api::ReceiveMessageResult& out);
DecodeStatus decode(const boost::json::object& o, api::DeleteMessageBatchResult& out);
DecodeStatus decode(const boost::json::object& o, api::ChangeMessageVisibilityBatchResult& out);
DecodeStatus decode(const boost::json::object& o, api::ListDeadLetterSourceQueuesResult& out);
DecodeStatus decode(const boost::json::object& o, api::StartMessageMoveTaskResult& out);
DecodeStatus decode(const boost::json::object& o, api::CancelMessageMoveTaskResult& out);
DecodeStatus decode(const boost::json::object& o, api::ListMessageMoveTasksResult& out);

// ---- errors -------------------------------------------------------------------------------------
// The parts of an error response (spec §1.7.2, §1.7.6): `__type` (namespace and ":suffix"
// stripped), `message` or `Message`, and the code before ';' in `x-amzn-query-error` (sender
// fault from the part after it). A body that is not JSON still yields the HTTP status.
struct WireError {
  std::string code;   // query code, or the shape when the header is absent
  std::string shape;  // may be empty when the body has no __type
  std::string message;
  bool sender_fault = true;
};
WireError parse_error(int http_status, std::string_view query_error_header,
                      std::string_view error_type_header, std::string_view body);

// A batch entry's Code (`BatchResultErrorEntry.Code`) as an engine error code, best effort:
// unknown codes map to kInternalFailure but keep their text in the message.
api::ErrorCode error_code_from_wire(std::string_view code);

// MD5OfMessageAttributes over `attributes` (spec §5.2). The client computes it itself rather than
// borrowing the engine's, so that a bug on one side cannot hide one on the other.
std::string md5_of_message_attributes(const api::MessageAttributes& attributes);

}  // namespace tern::client
