#pragma once
// Decoders from the JSON-protocol parameter object (query requests arrive here already
// unflattened by wire.h) into engine requests, and encoders from engine results into JSON and
// query-XML. Member names are the SQS model's, exactly (CreateQueue takes lowercase `tags`,
// ListDeadLetterSourceQueues returns lowercase `queueUrls`).
//
// Decoding rules: a required member that is absent gives MissingParameter ("The request must
// contain the parameter <Name>."); a wrong JSON type, a bad integer or bad base64 gives
// InvalidParameterValue; JSON null and empty arrays/maps count as absent; unknown members are
// ignored. Integers are a JSON number or a decimal string (query sends strings). Blobs are base64
// on the wire and raw bytes in the engine structs. Value ranges are the engine's business.
// Nothing here throws. Pure functions; thread-safe.

#include <boost/json/object.hpp>

#include "engine/api.h"
#include "protocol/xml.h"

namespace tern::protocol {

// ---- requests ---------------------------------------------------------------------------------
engine::Status decode(const boost::json::object& params, engine::CreateQueueRequest& out);
engine::Status decode(const boost::json::object& params, engine::GetQueueUrlRequest& out);
engine::Status decode(const boost::json::object& params, engine::ListQueuesRequest& out);
engine::Status decode(const boost::json::object& params, engine::DeleteQueueRequest& out);
engine::Status decode(const boost::json::object& params, engine::PurgeQueueRequest& out);
engine::Status decode(const boost::json::object& params, engine::GetQueueAttributesRequest& out);
engine::Status decode(const boost::json::object& params, engine::SetQueueAttributesRequest& out);
engine::Status decode(const boost::json::object& params, engine::TagQueueRequest& out);
engine::Status decode(const boost::json::object& params, engine::UntagQueueRequest& out);
engine::Status decode(const boost::json::object& params, engine::ListQueueTagsRequest& out);
engine::Status decode(const boost::json::object& params, engine::SendMessageRequest& out);
engine::Status decode(const boost::json::object& params, engine::SendMessageBatchRequest& out);
engine::Status decode(const boost::json::object& params, engine::ReceiveMessageRequest& out);
engine::Status decode(const boost::json::object& params, engine::DeleteMessageRequest& out);
engine::Status decode(const boost::json::object& params, engine::DeleteMessageBatchRequest& out);
engine::Status decode(const boost::json::object& params,
                      engine::ChangeMessageVisibilityRequest& out);
engine::Status decode(const boost::json::object& params,
                      engine::ChangeMessageVisibilityBatchRequest& out);
engine::Status decode(const boost::json::object& params, engine::AddPermissionRequest& out);
engine::Status decode(const boost::json::object& params, engine::RemovePermissionRequest& out);
engine::Status decode(const boost::json::object& params,
                      engine::ListDeadLetterSourceQueuesRequest& out);
engine::Status decode(const boost::json::object& params,
                      engine::StartMessageMoveTaskRequest& out);
engine::Status decode(const boost::json::object& params,
                      engine::CancelMessageMoveTaskRequest& out);
engine::Status decode(const boost::json::object& params,
                      engine::ListMessageMoveTasksRequest& out);

// ---- results: JSON (members of the top-level object) -------------------------------------------
// Absent optionals and empty lists/maps are omitted, as AWS does; `queueUrls` is always present.
void encode_json(const engine::Empty& r, boost::json::object& out);
void encode_json(const engine::CreateQueueResult& r, boost::json::object& out);
void encode_json(const engine::GetQueueUrlResult& r, boost::json::object& out);
void encode_json(const engine::ListQueuesResult& r, boost::json::object& out);
void encode_json(const engine::GetQueueAttributesResult& r, boost::json::object& out);
void encode_json(const engine::ListQueueTagsResult& r, boost::json::object& out);
void encode_json(const engine::SendMessageResult& r, boost::json::object& out);
void encode_json(const engine::SendMessageBatchResult& r, boost::json::object& out);
void encode_json(const engine::ReceiveMessageResult& r, boost::json::object& out);
void encode_json(const engine::DeleteMessageBatchResult& r, boost::json::object& out);
void encode_json(const engine::ChangeMessageVisibilityBatchResult& r, boost::json::object& out);
void encode_json(const engine::ListDeadLetterSourceQueuesResult& r, boost::json::object& out);
void encode_json(const engine::StartMessageMoveTaskResult& r, boost::json::object& out);
void encode_json(const engine::CancelMessageMoveTaskResult& r, boost::json::object& out);
void encode_json(const engine::ListMessageMoveTasksResult& r, boost::json::object& out);

// ---- results: query XML (the content of <{Action}Result>) --------------------------------------
void encode_xml(const engine::Empty& r, XmlWriter& w);
void encode_xml(const engine::CreateQueueResult& r, XmlWriter& w);
void encode_xml(const engine::GetQueueUrlResult& r, XmlWriter& w);
void encode_xml(const engine::ListQueuesResult& r, XmlWriter& w);
void encode_xml(const engine::GetQueueAttributesResult& r, XmlWriter& w);
void encode_xml(const engine::ListQueueTagsResult& r, XmlWriter& w);
void encode_xml(const engine::SendMessageResult& r, XmlWriter& w);
void encode_xml(const engine::SendMessageBatchResult& r, XmlWriter& w);
void encode_xml(const engine::ReceiveMessageResult& r, XmlWriter& w);
void encode_xml(const engine::DeleteMessageBatchResult& r, XmlWriter& w);
void encode_xml(const engine::ChangeMessageVisibilityBatchResult& r, XmlWriter& w);
void encode_xml(const engine::ListDeadLetterSourceQueuesResult& r, XmlWriter& w);
void encode_xml(const engine::StartMessageMoveTaskResult& r, XmlWriter& w);
void encode_xml(const engine::CancelMessageMoveTaskResult& r, XmlWriter& w);
void encode_xml(const engine::ListMessageMoveTasksResult& r, XmlWriter& w);

}  // namespace tern::protocol
