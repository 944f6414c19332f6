#include "protocol/errors.h"

#include <set>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "protocol/response.h"

namespace tern::protocol {
namespace {
using engine::ErrorCode;

std::string header(const WireResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(ErrorTable, HasDistinctRowPerCode_ForEveryErrorCode) {
  std::set<std::string_view> query_codes, shapes;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kUnknownOperation); ++i) {
    const ErrorInfo& info = error_info(static_cast<ErrorCode>(i));
    EXPECT_EQ(static_cast<int>(info.code), i);
    EXPECT_FALSE(info.query_code.empty());
    EXPECT_FALSE(info.default_message.empty());
    EXPECT_NE(info.shape.find('#'), std::string_view::npos) << info.shape;
    EXPECT_GE(info.http_status, 400);
    query_codes.insert(info.query_code);
    shapes.insert(info.shape);
  }
  EXPECT_EQ(query_codes.size(), static_cast<size_t>(ErrorCode::kUnknownOperation) + 1);
  EXPECT_EQ(shapes.size(), query_codes.size());
}

TEST(ErrorTable, MatchesSpec_ForModeledAndCommonErrors) {
  EXPECT_EQ(query_code(ErrorCode::kQueueDoesNotExist), "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(error_info(ErrorCode::kQueueDoesNotExist).shape,
            "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(query_code(ErrorCode::kQueueNameExists), "QueueAlreadyExists");
  EXPECT_EQ(error_info(ErrorCode::kQueueNameExists).shape, "com.amazonaws.sqs#QueueNameExists");
  EXPECT_EQ(error_info(ErrorCode::kPurgeQueueInProgress).http_status, 403);
  EXPECT_EQ(error_info(ErrorCode::kReceiptHandleIsInvalid).http_status, 404);
  EXPECT_EQ(error_info(ErrorCode::kResourceNotFound).http_status, 404);
  EXPECT_EQ(query_code(ErrorCode::kResourceNotFound), "ResourceNotFoundException");
  EXPECT_EQ(error_info(ErrorCode::kInvalidParameterValue).shape,
            "com.amazon.coral.service#InvalidParameterValueException");
  EXPECT_EQ(error_info(ErrorCode::kMissingParameter).shape,
            "com.amazon.coral.service#MissingRequiredParameterException");
  EXPECT_EQ(error_info(ErrorCode::kInternalFailure).http_status, 500);
  EXPECT_FALSE(error_info(ErrorCode::kInternalFailure).sender_fault);
  EXPECT_EQ(error_info(ErrorCode::kServiceUnavailable).http_status, 503);
  EXPECT_EQ(error_info(ErrorCode::kMalformedQueryString).http_status, 404);
  EXPECT_EQ(query_code(ErrorCode::kTooManyEntriesInBatchRequest),
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
}

TEST(ErrorTable, FallsBackToInternalFailure_WhenCodeIsOutOfRange) {
  EXPECT_EQ(error_info(static_cast<ErrorCode>(9999)).code, ErrorCode::kInternalFailure);
}

TEST(RenderError, WritesJsonShapeAndQueryHeader_WhenProtocolIsJson) {
  auto r = encode_error(Protocol::kJson, {ErrorCode::kQueueDoesNotExist, "ignored"}, "rid-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(r.body,
            R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist",)"
            R"("message":"The specified queue does not exist."})");
  EXPECT_EQ(header(r, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(header(r, "X-Amzn-ErrorType"), "QueueDoesNotExist");
  EXPECT_EQ(header(r, "x-amzn-RequestId"), "rid-1");
}

TEST(RenderError, WritesErrorResponse_WhenProtocolIsQuery) {
  auto r = encode_error(Protocol::kQuery, {ErrorCode::kQueueDoesNotExist, ""}, "42d5");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\"?><ErrorResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type>"
            "<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue "
            "does not exist for this wsdl version.</Message><Detail/></Error>"
            "<RequestId>42d5</RequestId></ErrorResponse>");
  EXPECT_EQ(header(r, "x-amzn-RequestId"), "42d5");
}

TEST(RenderError, UsesReceiverTypeAndStatus_WhenServerFault) {
  auto q = encode_error(Protocol::kQuery, {ErrorCode::kInternalFailure, "boom <x>"}, "r");
  EXPECT_EQ(q.status, 500);
  EXPECT_NE(q.body.find("<Type>Receiver</Type>"), std::string::npos);
  EXPECT_NE(q.body.find("<Message>boom &lt;x&gt;</Message>"), std::string::npos);
  auto j = encode_error(Protocol::kJson, {ErrorCode::kInternalFailure, "boom"}, "r");
  EXPECT_EQ(header(j, "x-amzn-query-error"), "InternalFailure;Receiver");
}

TEST(RenderError, UsesDefaultMessage_WhenMessageIsEmpty) {
  auto j = encode_error(Protocol::kJson, {ErrorCode::kEmptyBatchRequest, ""}, "r");
  auto v = boost::json::parse(j.body);
  EXPECT_EQ(v.at("message").as_string(), "The batch request doesn't contain any entries.");
}

TEST(RenderError, KeepsEngineMessage_WhenGiven) {
  auto j = encode_error(Protocol::kJson,
                        {ErrorCode::kMissingParameter,
                         "The request must contain the parameter MessageBody."},
                        "r");
  EXPECT_EQ(j.body,
            R"({"__type":"com.amazon.coral.service#MissingRequiredParameterException",)"
            R"("message":"The request must contain the parameter MessageBody."})");
  EXPECT_EQ(header(j, "x-amzn-query-error"), "MissingParameter;Sender");
}

TEST(RenderError, WritesBareUnknownOperation_WhenQueryHasNoAction) {
  ClassifyError e{Protocol::kQuery, {ErrorCode::kUnknownOperation, ""}, 404};
  auto r = encode_error(e, "r");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "<UnknownOperationException/>");
}

TEST(RenderError, AppliesStatusOverride_WhenGiven) {
  auto r = encode_error(Protocol::kJson, {ErrorCode::kInvalidAction, "x"}, "r", 418);
  EXPECT_EQ(r.status, 418);
}

}  // namespace
}  // namespace tern::protocol
