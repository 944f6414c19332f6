#include "protocol/errors.h"

#include <array>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "protocol/xml.h"

namespace tern::protocol {
namespace {
using engine::ErrorCode;

constexpr std::string_view kQueueMissingJson = "The specified queue does not exist.";
constexpr std::string_view kQueueMissingQuery =
    "The specified queue does not exist for this wsdl version.";

// Modeled errors use the `com.amazonaws.sqs#` namespace; unmodeled and common ones use
// `com.amazon.coral.service#` with the names AWS's JSON front end gives them (spec §1.7.3; the
// JSON names of the auth errors are unconfirmed, see README).
constexpr std::array kTable = {
    ErrorInfo{ErrorCode::kQueueDoesNotExist, "AWS.SimpleQueueService.NonExistentQueue",
              "com.amazonaws.sqs#QueueDoesNotExist", 400, true, kQueueMissingJson},
    ErrorInfo{ErrorCode::kQueueNameExists, "QueueAlreadyExists",
              "com.amazonaws.sqs#QueueNameExists", 400, true,
              "A queue already exists with the same name and a different value for an attribute."},
    ErrorInfo{ErrorCode::kQueueDeletedRecently, "AWS.SimpleQueueService.QueueDeletedRecently",
              "com.amazonaws.sqs#QueueDeletedRecently", 400, true,
              "You must wait 60 seconds after deleting a queue before you can create another "
              "with the same name."},
    ErrorInfo{ErrorCode::kReceiptHandleIsInvalid, "ReceiptHandleIsInvalid",
              "com.amazonaws.sqs#ReceiptHandleIsInvalid", 404, true,
              "The input receipt handle is not a valid receipt handle."},
    ErrorInfo{ErrorCode::kMessageNotInflight, "AWS.SimpleQueueService.MessageNotInflight",
              "com.amazonaws.sqs#MessageNotInflight", 400, true,
              "The message referred to isn't in flight."},
    ErrorInfo{ErrorCode::kPurgeQueueInProgress, "AWS.SimpleQueueService.PurgeQueueInProgress",
              "com.amazonaws.sqs#PurgeQueueInProgress", 403, true,
              "Only one PurgeQueue operation on the queue is allowed every 60 seconds."},
    ErrorInfo{ErrorCode::kOverLimit, "OverLimit", "com.amazonaws.sqs#OverLimit", 403, true,
              "The specified action violates a limit."},
    ErrorInfo{ErrorCode::kTooManyEntriesInBatchRequest,
              "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
              "com.amazonaws.sqs#TooManyEntriesInBatchRequest", 400, true,
              "Maximum number of entries per request are 10."},
    ErrorInfo{ErrorCode::kEmptyBatchRequest, "AWS.SimpleQueueService.EmptyBatchRequest",
              "com.amazonaws.sqs#EmptyBatchRequest", 400, true,
              "The batch request doesn't contain any entries."},
    ErrorInfo{ErrorCode::kBatchEntryIdsNotDistinct,
              "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
              "com.amazonaws.sqs#BatchEntryIdsNotDistinct", 400, true,
              "Two or more batch entries in the request have the same Id."},
    ErrorInfo{ErrorCode::kBatchRequestTooLong, "AWS.SimpleQueueService.BatchRequestTooLong",
              "com.amazonaws.sqs#BatchRequestTooLong", 400, true,
              "Batch requests cannot be longer than 1048576 bytes."},
    ErrorInfo{ErrorCode::kInvalidBatchEntryId, "AWS.SimpleQueueService.InvalidBatchEntryId",
              "com.amazonaws.sqs#InvalidBatchEntryId", 400, true,
              "A batch entry id can only contain alphanumeric characters, hyphens and "
              "underscores. It can be at most 80 letters long."},
    ErrorInfo{ErrorCode::kUnsupportedOperation, "AWS.SimpleQueueService.UnsupportedOperation",
              "com.amazonaws.sqs#UnsupportedOperation", 400, true,
              "Error code 400. Unsupported operation."},
    ErrorInfo{ErrorCode::kInvalidAttributeName, "InvalidAttributeName",
              "com.amazonaws.sqs#InvalidAttributeName", 400, true,
              "The specified attribute doesn't exist."},
    ErrorInfo{ErrorCode::kInvalidAttributeValue, "InvalidAttributeValue",
              "com.amazonaws.sqs#InvalidAttributeValue", 400, true,
              "A queue attribute value is invalid."},
    ErrorInfo{ErrorCode::kInvalidMessageContents, "InvalidMessageContents",
              "com.amazonaws.sqs#InvalidMessageContents", 400, true,
              "The message contains characters outside the allowed set."},
    ErrorInfo{ErrorCode::kInvalidParameterValue, "InvalidParameterValue",
              "com.amazon.coral.service#InvalidParameterValueException", 400, true,
              "An invalid or out-of-range value was supplied for the input parameter."},
    ErrorInfo{ErrorCode::kMissingParameter, "MissingParameter",
              "com.amazon.coral.service#MissingRequiredParameterException", 400, true,
              "A required parameter for the specified action is not supplied."},
    ErrorInfo{ErrorCode::kInvalidAction, "InvalidAction",
              "com.amazon.coral.service#InvalidActionException", 400, true,
              "The action or operation requested is invalid."},
    ErrorInfo{ErrorCode::kInvalidAddress, "InvalidAddress", "com.amazonaws.sqs#InvalidAddress",
              404, true, "The address is not valid for this endpoint."},
    ErrorInfo{ErrorCode::kResourceNotFound, "ResourceNotFoundException",
              "com.amazonaws.sqs#ResourceNotFoundException", 404, true,
              "One or more specified resources don't exist."},
    ErrorInfo{ErrorCode::kAccessDenied, "AccessDenied",
              "com.amazon.coral.service#AccessDeniedException", 403, true,
              "Access to the resource is denied."},
    ErrorInfo{ErrorCode::kMissingAuthenticationToken, "MissingAuthenticationToken",
              "com.amazon.coral.service#MissingAuthenticationTokenException", 403, true,
              "The request must contain either a valid (registered) AWS access key ID or X.509 "
              "certificate."},
    ErrorInfo{ErrorCode::kIncompleteSignature, "IncompleteSignature",
              "com.amazon.coral.service#IncompleteSignatureException", 400, true,
              "The request signature does not conform to AWS standards."},
    ErrorInfo{ErrorCode::kInvalidClientTokenId, "InvalidClientTokenId",
              "com.amazon.coral.service#UnrecognizedClientException", 403, true,
              "The security token included in the request is invalid."},
    ErrorInfo{ErrorCode::kSignatureDoesNotMatch, "SignatureDoesNotMatch",
              "com.amazon.coral.service#InvalidSignatureException", 403, true,
              "The request signature we calculated does not match the signature you provided. "
              "Check your AWS Secret Access Key and signing method. Consult the service "
              "documentation for details."},
    ErrorInfo{ErrorCode::kMalformedQueryString, "MalformedQueryString",
              "com.amazon.coral.service#MalformedQueryStringException", 404, true,
              "The query string contains a syntax error."},
    ErrorInfo{ErrorCode::kServiceUnavailable, "ServiceUnavailable",
              "com.amazon.coral.service#ServiceUnavailableException", 503, false,
              "The request has failed due to a temporary failure of the server."},
    ErrorInfo{ErrorCode::kInternalFailure, "InternalFailure",
              "com.amazon.coral.service#InternalFailure", 500, false,
              "The request processing has failed because of an unknown error, exception or "
              "failure."},
    ErrorInfo{ErrorCode::kSerializationException, "SerializationException",
              "com.amazon.coral.service#SerializationException", 400, true,
              "The request body could not be parsed."},
    ErrorInfo{ErrorCode::kUnknownOperation, "UnknownOperation",
              "com.amazon.coral.service#UnknownOperationException", 400, true,
              "The requested operation is unknown."},
};

// The table is indexed by the enum value; catch a reordering or a forgotten row at compile time.
constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].code) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kTable rows must follow engine::ErrorCode order");
static_assert(kTable.size() == static_cast<size_t>(ErrorCode::kUnknownOperation) + 1,
              "every engine::ErrorCode needs a row in kTable");

std::string_view short_shape(std::string_view shape) {
  auto hash = shape.rfind('#');
  return hash == std::string_view::npos ? shape : shape.substr(hash + 1);
}

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  auto i = static_cast<size_t>(code);
  if (i >= kTable.size()) i = static_cast<size_t>(ErrorCode::kInternalFailure);
  return kTable[i];
}

std::string_view query_code(ErrorCode code) { return error_info(code).query_code; }

std::string error_message(Protocol protocol, const engine::Error& error) {
  if (error.code == ErrorCode::kQueueDoesNotExist) {
    return std::string(protocol == Protocol::kJson ? kQueueMissingJson : kQueueMissingQuery);
  }
  if (!error.message.empty()) return error.message;
  return std::string(error_info(error.code).default_message);
}

WireResponse render_error(Protocol protocol, const engine::Error& error,
                          std::string_view request_id, int http_status_override) {
  const ErrorInfo& info = error_info(error.code);
  WireResponse r;
  r.status = http_status_override != 0 ? http_status_override : info.http_status;
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  const std::string_view fault = info.sender_fault ? "Sender" : "Receiver";
  if (protocol == Protocol::kJson) {
    r.content_type = kJsonContentType;
    boost::json::object body;
    body["__type"] = info.shape;
    body["message"] = error_message(protocol, error);
    r.body = boost::json::serialize(body);
    r.headers.emplace_back("x-amzn-query-error",
                           std::string(info.query_code) + ";" + std::string(fault));
    r.headers.emplace_back("X-Amzn-ErrorType", std::string(short_shape(info.shape)));
    return r;
  }
  r.content_type = kXmlContentType;
  if (error.code == ErrorCode::kUnknownOperation) {
    // What AWS sends for a request without any operation selector [R].
    r.body = "<UnknownOperationException/>";
    return r;
  }
  XmlWriter w;
  w.declaration();
  w.open("ErrorResponse", "xmlns", kQueryXmlNamespace);
  w.open("Error");
  w.element("Type", fault);
  w.element("Code", info.query_code);
  w.element("Message", error_message(protocol, error));
  w.open("Detail");
  w.close();
  w.close();
  w.element("RequestId", request_id);
  r.body = w.finish();
  return r;
}

}  // namespace tern::protocol
