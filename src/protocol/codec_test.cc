#include "protocol/codec.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>
#include <type_traits>

#include "protocol/response.h"
#include "protocol/wire.h"

namespace tern::protocol {
namespace {
namespace json = boost::json;
using engine::ErrorCode;

json::object obj(std::string_view text) { return json::parse(text).as_object(); }

template <class Req>
engine::Status decode_text(std::string_view text, Req& out) {
  return decode(obj(text), out);
}

template <class Req>
engine::Error decode_error(std::string_view text) {
  Req req;
  auto s = decode_text(text, req);
  EXPECT_FALSE(s) << text;
  return s ? engine::Error{} : s.error();
}

// Classifies a query body and decodes it into Req.
template <class Req>
Req decode_query(std::string_view body) {
  auto c = classify({"POST", "/", "application/x-www-form-urlencoded", "", body});
  EXPECT_TRUE(c) << body;
  Req req;
  if (c) {
    auto s = decode(c->params, req);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
  }
  return req;
}

template <class R>
std::string json_of(const R& r) {
  return encode_success(Protocol::kJson, "X", r, "rid").body;
}

// The inner content of <{Action}Result> (or the whole document for Empty).
template <class R>
std::string xml_of(std::string_view action, const R& r) {
  std::string body = encode_success(Protocol::kQuery, action, r, "rid").body;
  std::string open = "<" + std::string(action) + "Result>";
  std::string close = "</" + std::string(action) + "Result>";
  auto b = body.find(open);
  auto e = body.find(close);
  if (b == std::string::npos || e == std::string::npos) return body;
  return body.substr(b + open.size(), e - b - open.size());
}

// ---- decoding: captured botocore query bodies (spec §1.5) --------------------------------------

TEST(DecodeQuery, FillsSendMessage_WhenBotocoreBody) {
  auto r = decode_query<engine::SendMessageRequest>(
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F00000000000"
      "0%2Fq1&MessageBody=hello&DelaySeconds=0&MessageAttribute.1.Name=b&MessageAttribute.1.Valu"
      "e.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAE%3D&MessageAttribute.2.Name=a&M"
      "essageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=x+y&MessageSy"
      "stemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&Message"
      "SystemAttribute.1.Value.StringValue=Root%3D1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_EQ(r.queue_url, "http://localhost:9324/000000000000/q1");
  EXPECT_EQ(r.message_body, "hello");
  EXPECT_EQ(r.delay_seconds, 0);
  ASSERT_EQ(r.message_attributes.size(), 2u);
  EXPECT_EQ(r.message_attributes["b"].data_type, "Binary");
  EXPECT_EQ(r.message_attributes["b"].binary_value, std::string("\x00\x01", 2));
  EXPECT_EQ(r.message_attributes["a"].data_type, "String");
  EXPECT_EQ(r.message_attributes["a"].string_value, "x y");
  ASSERT_EQ(r.message_system_attributes.size(), 1u);
  EXPECT_EQ(r.message_system_attributes["AWSTraceHeader"].string_value,
            "Root=1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_FALSE(r.message_group_id);
}

TEST(DecodeQuery, FillsCreateQueue_WhenBotocoreBody) {
  auto r = decode_query<engine::CreateQueueRequest>(
      "Action=CreateQueue&Version=2012-11-05&QueueName=q1.fifo&Attribute.1.Name=FifoQueue&Attribu"
      "te.1.Value=true&Attribute.2.Name=DelaySeconds&Attribute.2.Value=0&Tag.1.Key=k&Tag.1.Value="
      "v");
  EXPECT_EQ(r.queue_name, "q1.fifo");
  EXPECT_EQ(r.attributes, (engine::AttributeMap{{"FifoQueue", "true"}, {"DelaySeconds", "0"}}));
  EXPECT_EQ(r.tags, (engine::TagMap{{"k", "v"}}));
}

TEST(DecodeQuery, FillsReceiveMessage_WhenBotocoreBody) {
  auto r = decode_query<engine::ReceiveMessageRequest>(
      "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F1%2Fq&AttributeName.1=Se"
      "ntTimestamp&MessageAttributeName.1=foo.%2A&VisibilityTimeout=5&ReceiveRequestAttemptId=abc");
  EXPECT_EQ(r.queue_url, "http://h/1/q");
  EXPECT_EQ(r.attribute_names, std::vector<std::string>{"SentTimestamp"});
  EXPECT_EQ(r.message_attribute_names, std::vector<std::string>{"foo.*"});
  EXPECT_EQ(r.visibility_timeout, 5);
  EXPECT_FALSE(r.max_number_of_messages);
  EXPECT_FALSE(r.wait_time_seconds);
  EXPECT_EQ(r.receive_request_attempt_id, "abc");
}

TEST(DecodeQuery, FillsDeleteMessage_WhenBotocoreBody) {
  auto r = decode_query<engine::DeleteMessageRequest>(
      "Action=DeleteMessage&Version=2012-11-05&QueueUrl=u&ReceiptHandle=rh%2B%2F%3D");
  EXPECT_EQ(r.queue_url, "u");
  EXPECT_EQ(r.receipt_handle, "rh+/=");
}

TEST(DecodeQuery, FillsBatchEntriesInIndexOrder_WhenChangeVisibilityBatch) {
  auto r = decode_query<engine::ChangeMessageVisibilityBatchRequest>(
      "Action=ChangeMessageVisibilityBatch&QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.2."
      "Id=b&ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle=h2&ChangeMessageVisibilityB"
      "atchRequestEntry.2.VisibilityTimeout=20&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&C"
      "hangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h1&ChangeMessageVisibilityBatchRe"
      "questEntry.1.VisibilityTimeout=10");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].id, "a");
  EXPECT_EQ(r.entries[0].receipt_handle, "h1");
  EXPECT_EQ(r.entries[0].visibility_timeout, 10);
  EXPECT_EQ(r.entries[1].id, "b");
  EXPECT_EQ(r.entries[1].visibility_timeout, 20);
}

TEST(DecodeQuery, FillsAddPermission_WhenLists) {
  auto r = decode_query<engine::AddPermissionRequest>(
      "Action=AddPermission&QueueUrl=u&Label=l&AWSAccountId.1=111&ActionName.1=SendMessage&Action"
      "Name.2=ReceiveMessage");
  EXPECT_EQ(r.label, "l");
  EXPECT_EQ(r.aws_account_ids, std::vector<std::string>{"111"});
  EXPECT_EQ(r.actions, (std::vector<std::string>{"SendMessage", "ReceiveMessage"}));
}

// ---- decoding: JSON -----------------------------------------------------------------------------

TEST(DecodeJson, FillsSendMessage_WhenSpecExample) {
  engine::SendMessageRequest r;
  ASSERT_TRUE(decode_text(R"({
      "QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/MyQueue","MessageBody":"hello",
      "MessageAttributes":{"City":{"DataType":"String","StringValue":"Any City"},
      "Population":{"DataType":"Number","StringValue":"1250800"},
      "Blob":{"DataType":"Binary","BinaryValue":"AAEC"}},"Unknown":[1,2]})",
                          r));
  EXPECT_EQ(r.message_attributes.size(), 3u);
  EXPECT_EQ(r.message_attributes["Blob"].binary_value, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(r.message_attributes["Population"].string_value, "1250800");
}

TEST(DecodeJson, DecodesListValues_WhenStringAndBinaryLists) {
  engine::SendMessageRequest r;
  ASSERT_TRUE(decode_text(R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"l":{
      "DataType":"String","StringListValues":["a","b"],"BinaryListValues":["AA==","AQI="]}}})",
                          r));
  EXPECT_EQ(r.message_attributes["l"].string_list_values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.message_attributes["l"].binary_list_values,
            (std::vector<std::string>{std::string("\0", 1), std::string("\x01\x02", 2)}));
}

TEST(DecodeJson, UnionsAttributeNames_WhenBothAliasesGiven) {
  engine::ReceiveMessageRequest r;
  ASSERT_TRUE(decode_text(R"({"QueueUrl":"u","AttributeNames":["SenderId","All"],
      "MessageSystemAttributeNames":["All","SequenceNumber"],"MaxNumberOfMessages":10,
      "WaitTimeSeconds":"20"})",
                          r));
  EXPECT_EQ(r.attribute_names, (std::vector<std::string>{"SenderId", "All", "SequenceNumber"}));
  EXPECT_EQ(r.max_number_of_messages, 10);
  EXPECT_EQ(r.wait_time_seconds, 20);
}

TEST(DecodeJson, TreatsEmptyArraysAndNullAsAbsent_WhenOptional) {
  engine::ReceiveMessageRequest r;
  ASSERT_TRUE(decode_text(
      R"({"QueueUrl":"u","AttributeNames":[],"MessageAttributeNames":null,
          "VisibilityTimeout":null})",
      r));
  EXPECT_TRUE(r.attribute_names.empty());
  EXPECT_TRUE(r.message_attribute_names.empty());
  EXPECT_FALSE(r.visibility_timeout);
}

TEST(DecodeJson, AcceptsIntegralNumbersAndStrings_WhenIntegerMember) {
  engine::ListQueuesRequest r;
  ASSERT_TRUE(decode_text(R"({"MaxResults":5.0})", r));
  EXPECT_EQ(r.max_results, 5);
  ASSERT_TRUE(decode_text(R"({"MaxResults":"-7"})", r));
  EXPECT_EQ(r.max_results, -7);
  ASSERT_TRUE(decode_text(R"({"MaxResults":9223372036854775807})", r));
  EXPECT_EQ(r.max_results, INT64_MAX);
}

TEST(DecodeJson, UsesLowercaseTags_WhenCreateQueue) {
  engine::CreateQueueRequest r;
  ASSERT_TRUE(decode_text(R"({"QueueName":"q","tags":{"a":"1"},"Tags":{"b":"2"}})", r));
  EXPECT_EQ(r.tags, (engine::TagMap{{"a", "1"}}));
}

TEST(DecodeJson, FillsEveryMember_WhenMoveTaskAndDlqActions) {
  engine::StartMessageMoveTaskRequest s;
  ASSERT_TRUE(decode_text(
      R"({"SourceArn":"arn:s","DestinationArn":"arn:d","MaxNumberOfMessagesPerSecond":50})", s));
  EXPECT_EQ(s.source_arn, "arn:s");
  EXPECT_EQ(s.destination_arn, "arn:d");
  EXPECT_EQ(s.max_number_of_messages_per_second, 50);
  engine::CancelMessageMoveTaskRequest c;
  ASSERT_TRUE(decode_text(R"({"TaskHandle":"t"})", c));
  EXPECT_EQ(c.task_handle, "t");
  engine::ListMessageMoveTasksRequest l;
  ASSERT_TRUE(decode_text(R"({"SourceArn":"arn:s","MaxResults":3})", l));
  EXPECT_EQ(l.max_results, 3);
  engine::ListDeadLetterSourceQueuesRequest d;
  ASSERT_TRUE(decode_text(R"({"QueueUrl":"u","MaxResults":3,"NextToken":"n"})", d));
  EXPECT_EQ(d.next_token, "n");
  engine::GetQueueUrlRequest g;
  ASSERT_TRUE(decode_text(R"({"QueueName":"q","QueueOwnerAWSAccountId":"1"})", g));
  EXPECT_EQ(g.queue_owner_aws_account_id, "1");
}

// ---- decoding: malformed input ------------------------------------------------------------------

struct BadCase {
  std::string json;
  ErrorCode code;
  std::string message;  // exact when non-empty
};

template <class Req>
void expect_errors(const std::vector<BadCase>& cases) {
  for (const auto& c : cases) {
    engine::Error e = decode_error<Req>(c.json);
    EXPECT_EQ(e.code, c.code) << c.json << " -> " << e.message;
    if (!c.message.empty()) {
      EXPECT_EQ(e.message, c.message) << c.json;
    }
  }
}

constexpr auto kMissing = ErrorCode::kMissingParameter;
constexpr auto kInvalid = ErrorCode::kInvalidParameterValue;

std::string missing(std::string_view name) {
  return "The request must contain the parameter " + std::string(name) + ".";
}

TEST(DecodeErrors, ReportsMissingQueueUrl_WhenAnyQueueScopedActionLacksIt) {
  const std::string m = missing("QueueUrl");
  expect_errors<engine::DeleteQueueRequest>({{"{}", kMissing, m}});
  expect_errors<engine::PurgeQueueRequest>({{"{}", kMissing, m}});
  expect_errors<engine::GetQueueAttributesRequest>({{"{}", kMissing, m}});
  expect_errors<engine::SetQueueAttributesRequest>({{R"({"Attributes":{"a":"b"}})", kMissing, m}});
  expect_errors<engine::TagQueueRequest>({{"{}", kMissing, m}});
  expect_errors<engine::UntagQueueRequest>({{"{}", kMissing, m}});
  expect_errors<engine::ListQueueTagsRequest>({{"{}", kMissing, m}});
  expect_errors<engine::SendMessageRequest>({{R"({"MessageBody":"x"})", kMissing, m}});
  expect_errors<engine::SendMessageBatchRequest>({{"{}", kMissing, m}});
  expect_errors<engine::ReceiveMessageRequest>({{"{}", kMissing, m}});
  expect_errors<engine::DeleteMessageRequest>({{"{}", kMissing, m}});
  expect_errors<engine::DeleteMessageBatchRequest>({{"{}", kMissing, m}});
  expect_errors<engine::ChangeMessageVisibilityRequest>({{"{}", kMissing, m}});
  expect_errors<engine::ChangeMessageVisibilityBatchRequest>({{"{}", kMissing, m}});
  expect_errors<engine::AddPermissionRequest>({{"{}", kMissing, m}});
  expect_errors<engine::RemovePermissionRequest>({{"{}", kMissing, m}});
  expect_errors<engine::ListDeadLetterSourceQueuesRequest>({{"{}", kMissing, m}});
}

TEST(DecodeErrors, ReportsMissingRequiredMember_WhenAbsentOrEmpty) {
  expect_errors<engine::CreateQueueRequest>({{"{}", kMissing, missing("QueueName")}});
  expect_errors<engine::GetQueueUrlRequest>({{"{}", kMissing, missing("QueueName")}});
  expect_errors<engine::SetQueueAttributesRequest>({
      {R"({"QueueUrl":"u"})", kMissing, missing("Attributes")},
      {R"({"QueueUrl":"u","Attributes":{}})", kMissing, missing("Attributes")},
  });
  expect_errors<engine::TagQueueRequest>({{R"({"QueueUrl":"u"})", kMissing, missing("Tags")}});
  expect_errors<engine::UntagQueueRequest>({
      {R"({"QueueUrl":"u"})", kMissing, missing("TagKeys")},
      {R"({"QueueUrl":"u","TagKeys":[]})", kMissing, missing("TagKeys")},
  });
  expect_errors<engine::SendMessageRequest>({
      {R"({"QueueUrl":"u"})", kMissing, missing("MessageBody")},
      {R"({"QueueUrl":"u","MessageBody":""})", kMissing, missing("MessageBody")},
  });
  expect_errors<engine::DeleteMessageRequest>(
      {{R"({"QueueUrl":"u"})", kMissing, missing("ReceiptHandle")}});
  expect_errors<engine::ChangeMessageVisibilityRequest>({
      {R"({"QueueUrl":"u","VisibilityTimeout":1})", kMissing, missing("ReceiptHandle")},
      {R"({"QueueUrl":"u","ReceiptHandle":"h"})", kMissing, missing("VisibilityTimeout")},
  });
  expect_errors<engine::AddPermissionRequest>({
      {R"({"QueueUrl":"u"})", kMissing, missing("Label")},
      {R"({"QueueUrl":"u","Label":"l","Actions":["a"]})", kMissing, missing("AWSAccountIds")},
      {R"({"QueueUrl":"u","Label":"l","AWSAccountIds":["1"]})", kMissing, missing("Actions")},
  });
  expect_errors<engine::RemovePermissionRequest>(
      {{R"({"QueueUrl":"u"})", kMissing, missing("Label")}});
  expect_errors<engine::StartMessageMoveTaskRequest>({{"{}", kMissing, missing("SourceArn")}});
  expect_errors<engine::ListMessageMoveTasksRequest>({{"{}", kMissing, missing("SourceArn")}});
  expect_errors<engine::CancelMessageMoveTaskRequest>({{"{}", kMissing, missing("TaskHandle")}});
}

TEST(DecodeErrors, ReportsEmptyBatchRequest_WhenEntriesAbsentOrEmpty) {
  expect_errors<engine::SendMessageBatchRequest>({
      {R"({"QueueUrl":"u"})", ErrorCode::kEmptyBatchRequest,
       "There should be at least one SendMessageBatchRequestEntry in the request."},
      {R"({"QueueUrl":"u","Entries":[]})", ErrorCode::kEmptyBatchRequest, ""},
  });
  expect_errors<engine::DeleteMessageBatchRequest>({
      {R"({"QueueUrl":"u","Entries":[]})", ErrorCode::kEmptyBatchRequest,
       "There should be at least one DeleteMessageBatchRequestEntry in the request."},
  });
  expect_errors<engine::ChangeMessageVisibilityBatchRequest>({
      {R"({"QueueUrl":"u"})", ErrorCode::kEmptyBatchRequest,
       "There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request."},
  });
}

TEST(DecodeErrors, ReportsMissingEntryMember_WhenBatchEntryIncomplete) {
  expect_errors<engine::SendMessageBatchRequest>({
      {R"({"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x"},{"MessageBody":"y"}]})", kMissing,
       missing("SendMessageBatchRequestEntry.2.Id")},
      {R"({"QueueUrl":"u","Entries":[{"Id":"a"}]})", kMissing,
       missing("SendMessageBatchRequestEntry.1.MessageBody")},
  });
  expect_errors<engine::DeleteMessageBatchRequest>({
      {R"({"QueueUrl":"u","Entries":[{"Id":"a"}]})", kMissing,
       missing("DeleteMessageBatchRequestEntry.1.ReceiptHandle")},
  });
  expect_errors<engine::ChangeMessageVisibilityBatchRequest>({
      {R"({"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"h"}]})", kMissing,
       missing("ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout")},
  });
}

TEST(DecodeErrors, ReportsInvalidParameterValue_WhenTypeIsWrong) {
  expect_errors<engine::CreateQueueRequest>({
      {R"({"QueueName":5})", kInvalid,
       "Value 5 for parameter QueueName is invalid. Reason: Must be a string."},
      {R"({"QueueName":"q","Attributes":["a"]})", kInvalid, ""},
      {R"({"QueueName":"q","Attributes":{"DelaySeconds":5}})", kInvalid,
       "Value 5 for parameter Attributes.DelaySeconds is invalid. Reason: Must be a string."},
      {R"({"QueueName":"q","tags":"k=v"})", kInvalid, ""},
  });
  expect_errors<engine::GetQueueUrlRequest>({{R"({"QueueName":["q"]})", kInvalid, ""}});
  expect_errors<engine::ListQueuesRequest>({
      {R"({"MaxResults":true})", kInvalid, ""},
      {R"({"QueueNamePrefix":{}})", kInvalid, ""},
      {R"({"NextToken":1})", kInvalid, ""},
  });
  expect_errors<engine::DeleteQueueRequest>({{R"({"QueueUrl":{}})", kInvalid, ""}});
  expect_errors<engine::PurgeQueueRequest>({{R"({"QueueUrl":false})", kInvalid, ""}});
  expect_errors<engine::GetQueueAttributesRequest>({
      {R"({"QueueUrl":"u","AttributeNames":"All"})", kInvalid,
       "Value All for parameter AttributeNames is invalid. Reason: Must be a list of strings."},
      {R"({"QueueUrl":"u","AttributeNames":["All",1]})", kInvalid, ""},
  });
  expect_errors<engine::TagQueueRequest>({{R"({"QueueUrl":"u","Tags":{"k":null}})", kInvalid, ""}});
  expect_errors<engine::UntagQueueRequest>(
      {{R"({"QueueUrl":"u","TagKeys":{"a":1}})", kInvalid, ""}});
  expect_errors<engine::ListQueueTagsRequest>({{R"({"QueueUrl":1.5})", kInvalid, ""}});
  expect_errors<engine::SendMessageRequest>({
      {R"({"QueueUrl":"u","MessageBody":1})", kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":[]})", kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":"x"}})", kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":{"DataType":1}}})", kInvalid,
       "Value 1 for parameter MessageAttributes.a.DataType is invalid. Reason: Must be a string."},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageSystemAttributes":{"AWSTraceHeader":{
          "DataType":"String","StringListValues":"x"}}})",
       kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageGroupId":7})", kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageDeduplicationId":[]})", kInvalid, ""},
  });
  expect_errors<engine::SendMessageBatchRequest>({
      {R"({"QueueUrl":"u","Entries":{"Id":"a"}})", kInvalid, ""},
      {R"({"QueueUrl":"u","Entries":["a"]})", kInvalid, ""},
      {R"({"QueueUrl":"u","Entries":[{"Id":1,"MessageBody":"x"}]})", kInvalid,
       "Value 1 for parameter SendMessageBatchRequestEntry.1.Id is invalid. Reason: Must be a "
       "string."},
      {R"({"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x","MessageAttributes":{"n":{
          "DataType":"Binary","BinaryValue":"!!"}}}]})",
       kInvalid,
       "Value !! for parameter SendMessageBatchRequestEntry.1.MessageAttributes.n.BinaryValue is "
       "invalid. Reason: Must be base64-encoded binary data."},
  });
  expect_errors<engine::ReceiveMessageRequest>({
      {R"({"QueueUrl":"u","MessageSystemAttributeNames":[null]})", kInvalid, ""},
      {R"({"QueueUrl":"u","MessageAttributeNames":"All"})", kInvalid, ""},
      {R"({"QueueUrl":"u","ReceiveRequestAttemptId":1})", kInvalid, ""},
  });
  expect_errors<engine::DeleteMessageRequest>(
      {{R"({"QueueUrl":"u","ReceiptHandle":[]})", kInvalid, ""}});
  expect_errors<engine::DeleteMessageBatchRequest>(
      {{R"({"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":{}}]})", kInvalid, ""}});
  expect_errors<engine::ChangeMessageVisibilityRequest>(
      {{R"({"QueueUrl":"u","ReceiptHandle":"h","VisibilityTimeout":[1]})", kInvalid, ""}});
  expect_errors<engine::AddPermissionRequest>(
      {{R"({"QueueUrl":"u","Label":"l","AWSAccountIds":[1],"Actions":["a"]})", kInvalid, ""}});
  expect_errors<engine::RemovePermissionRequest>(
      {{R"({"QueueUrl":"u","Label":true})", kInvalid, ""}});
  expect_errors<engine::ListDeadLetterSourceQueuesRequest>(
      {{R"({"QueueUrl":"u","NextToken":{}})", kInvalid, ""}});
  expect_errors<engine::StartMessageMoveTaskRequest>(
      {{R"({"SourceArn":"s","DestinationArn":3})", kInvalid, ""}});
  expect_errors<engine::CancelMessageMoveTaskRequest>({{R"({"TaskHandle":3})", kInvalid, ""}});
  expect_errors<engine::ListMessageMoveTasksRequest>({{R"({"SourceArn":3})", kInvalid, ""}});
}

TEST(DecodeErrors, ReportsInvalidParameterValue_WhenIntegerIsBad) {
  const std::string reason = " is invalid. Reason: Must be an integer.";
  expect_errors<engine::ReceiveMessageRequest>({
      {R"({"QueueUrl":"u","MaxNumberOfMessages":"ten"})", kInvalid,
       "Value ten for parameter MaxNumberOfMessages" + reason},
      {R"({"QueueUrl":"u","WaitTimeSeconds":"1.5"})", kInvalid, ""},
      {R"({"QueueUrl":"u","WaitTimeSeconds":1.5})", kInvalid, ""},
      {R"({"QueueUrl":"u","VisibilityTimeout":" 5"})", kInvalid, ""},
      {R"({"QueueUrl":"u","VisibilityTimeout":""})", kInvalid, ""},
      {R"({"QueueUrl":"u","VisibilityTimeout":"99999999999999999999"})", kInvalid, ""},
      {R"({"QueueUrl":"u","VisibilityTimeout":18446744073709551615})", kInvalid, ""},
      {R"({"QueueUrl":"u","VisibilityTimeout":1e300})", kInvalid, ""},
  });
  expect_errors<engine::SendMessageRequest>(
      {{R"({"QueueUrl":"u","MessageBody":"b","DelaySeconds":"5s"})", kInvalid, ""}});
  expect_errors<engine::ChangeMessageVisibilityBatchRequest>({
      {R"({"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"h","VisibilityTimeout":"x"}]})",
       kInvalid,
       "Value x for parameter ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout" +
           reason},
  });
  expect_errors<engine::ListQueuesRequest>({{R"({"MaxResults":"0x10"})", kInvalid, ""}});
  expect_errors<engine::ListDeadLetterSourceQueuesRequest>(
      {{R"({"QueueUrl":"u","MaxResults":"abc"})", kInvalid, ""}});
  expect_errors<engine::StartMessageMoveTaskRequest>(
      {{R"({"SourceArn":"s","MaxNumberOfMessagesPerSecond":"fast"})", kInvalid, ""}});
  expect_errors<engine::ListMessageMoveTasksRequest>(
      {{R"({"SourceArn":"s","MaxResults":[]})", kInvalid, ""}});
}

TEST(DecodeErrors, ReportsInvalidParameterValue_WhenBase64IsBad) {
  expect_errors<engine::SendMessageRequest>({
      {R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":{"DataType":"Binary",
          "BinaryValue":"AAE"}}})",
       kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":{"DataType":"Binary",
          "BinaryValue":3}}})",
       kInvalid, ""},
      {R"({"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":{"DataType":"Binary",
          "BinaryListValues":["AA==","A*=="]}}})",
       kInvalid, ""},
  });
}

TEST(DecodeErrors, CutsLongValues_WhenQuotingThemInMessages) {
  std::string big(5000, 'x');
  engine::Error e = decode_error<engine::ListQueuesRequest>(R"({"MaxResults":")" + big + "\"}");
  EXPECT_LT(e.message.size(), 400u);
}

// Every decoder, fed every member with every JSON type: never throws, never crashes.
template <class Req>
void hammer(const std::vector<std::string>& members) {
  const std::vector<std::string> values = {"null",
                                           "1",
                                           "-1",
                                           "1.5",
                                           "true",
                                           "\"\"",
                                           "\"x\"",
                                           "\"AA==\"",
                                           "[]",
                                           "[1]",
                                           "[\"a\"]",
                                           "{}",
                                           R"({"a":1})",
                                           R"({"a":{"DataType":[]}})",
                                           R"([{"Id":{}}])",
                                           R"([{"Id":"a","MessageBody":1}])"};
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    json::object o;
    for (const auto& m : members) {
      if (rng() % 3 != 0) o[m] = json::parse(values[rng() % values.size()]);
    }
    Req req;
    EXPECT_NO_THROW({ auto s = decode(o, req); }) << json::serialize(o);
  }
}

TEST(DecodeFuzz, NeverThrows_WhenMembersHaveRandomTypes) {
  const std::vector<std::string> m = {"QueueUrl",
                                      "QueueName",
                                      "Attributes",
                                      "tags",
                                      "Tags",
                                      "TagKeys",
                                      "AttributeNames",
                                      "MessageSystemAttributeNames",
                                      "MessageAttributeNames",
                                      "MessageBody",
                                      "DelaySeconds",
                                      "MessageAttributes",
                                      "MessageSystemAttributes",
                                      "MessageDeduplicationId",
                                      "MessageGroupId",
                                      "Entries",
                                      "MaxNumberOfMessages",
                                      "VisibilityTimeout",
                                      "WaitTimeSeconds",
                                      "ReceiveRequestAttemptId",
                                      "ReceiptHandle",
                                      "Label",
                                      "AWSAccountIds",
                                      "Actions",
                                      "MaxResults",
                                      "NextToken",
                                      "QueueNamePrefix",
                                      "QueueOwnerAWSAccountId",
                                      "SourceArn",
                                      "DestinationArn",
                                      "MaxNumberOfMessagesPerSecond",
                                      "TaskHandle"};
  hammer<engine::CreateQueueRequest>(m);
  hammer<engine::GetQueueUrlRequest>(m);
  hammer<engine::ListQueuesRequest>(m);
  hammer<engine::DeleteQueueRequest>(m);
  hammer<engine::PurgeQueueRequest>(m);
  hammer<engine::GetQueueAttributesRequest>(m);
  hammer<engine::SetQueueAttributesRequest>(m);
  hammer<engine::TagQueueRequest>(m);
  hammer<engine::UntagQueueRequest>(m);
  hammer<engine::ListQueueTagsRequest>(m);
  hammer<engine::SendMessageRequest>(m);
  hammer<engine::SendMessageBatchRequest>(m);
  hammer<engine::ReceiveMessageRequest>(m);
  hammer<engine::DeleteMessageRequest>(m);
  hammer<engine::DeleteMessageBatchRequest>(m);
  hammer<engine::ChangeMessageVisibilityRequest>(m);
  hammer<engine::ChangeMessageVisibilityBatchRequest>(m);
  hammer<engine::AddPermissionRequest>(m);
  hammer<engine::RemovePermissionRequest>(m);
  hammer<engine::ListDeadLetterSourceQueuesRequest>(m);
  hammer<engine::StartMessageMoveTaskRequest>(m);
  hammer<engine::CancelMessageMoveTaskRequest>(m);
  hammer<engine::ListMessageMoveTasksRequest>(m);
}

// ---- encoding: golden JSON and XML --------------------------------------------------------------

engine::BatchResultError failure(std::string id) {
  return {std::move(id),
          true,
          {ErrorCode::kInvalidParameterValue,
           "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 "
           "bytes."}};
}

TEST(EncodeSuccess, WritesEmptyObjectAndNoResult_WhenActionHasNoOutput) {
  auto j = encode_success(Protocol::kJson, "DeleteQueue", engine::Empty{}, "rid");
  EXPECT_EQ(j.status, 200);
  EXPECT_EQ(j.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(j.body, "{}");
  ASSERT_EQ(j.headers.size(), 1u);
  EXPECT_EQ(j.headers[0], (std::pair<std::string, std::string>{"x-amzn-RequestId", "rid"}));
  auto x = encode_success(Protocol::kQuery, "DeleteQueue", engine::Empty{}, "rid");
  EXPECT_EQ(x.content_type, "text/xml");
  EXPECT_EQ(x.body,
            "<?xml version=\"1.0\"?><DeleteQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ResponseMetadata><RequestId>"
            "rid</RequestId></ResponseMetadata></DeleteQueueResponse>");
}

TEST(EncodeSuccess, WritesFullEnvelope_WhenQueryCreateQueue) {
  auto x = encode_success(Protocol::kQuery, "CreateQueue",
                          engine::CreateQueueResult{"http://h:9324/000000000000/q"}, "rid");
  EXPECT_EQ(x.body,
            "<?xml version=\"1.0\"?><CreateQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>"
            "http://h:9324/000000000000/q</QueueUrl></CreateQueueResult><ResponseMetadata>"
            "<RequestId>rid</RequestId></ResponseMetadata></CreateQueueResponse>");
  EXPECT_EQ(json_of(engine::CreateQueueResult{"u"}), R"({"QueueUrl":"u"})");
  EXPECT_EQ(json_of(engine::GetQueueUrlResult{"u"}), R"({"QueueUrl":"u"})");
  EXPECT_EQ(xml_of("GetQueueUrl", engine::GetQueueUrlResult{"u"}), "<QueueUrl>u</QueueUrl>");
}

TEST(EncodeSuccess, WritesSelfClosingResult_WhenReceiveIsEmpty) {
  auto x = encode_success(Protocol::kQuery, "ReceiveMessage", engine::ReceiveMessageResult{}, "r");
  EXPECT_NE(x.body.find("<ReceiveMessageResult/>"), std::string::npos) << x.body;
  EXPECT_EQ(json_of(engine::ReceiveMessageResult{}), "{}");
  auto l = encode_success(Protocol::kQuery, "ListQueues", engine::ListQueuesResult{}, "r");
  EXPECT_NE(l.body.find("<ListQueuesResult/>"), std::string::npos) << l.body;
  EXPECT_EQ(json_of(engine::ListQueuesResult{}), "{}");
}

TEST(EncodeSuccess, WritesQueueUrls_WhenListQueues) {
  engine::ListQueuesResult r{{"u1", "u2"}, "tok"};
  EXPECT_EQ(json_of(r), R"({"QueueUrls":["u1","u2"],"NextToken":"tok"})");
  EXPECT_EQ(xml_of("ListQueues", r),
            "<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl><NextToken>tok</NextToken>");
}

TEST(EncodeSuccess, AlwaysWritesLowercaseQueueUrls_WhenListDeadLetterSourceQueues) {
  EXPECT_EQ(json_of(engine::ListDeadLetterSourceQueuesResult{}), R"({"queueUrls":[]})");
  engine::ListDeadLetterSourceQueuesResult r{{"u1"}, "n"};
  EXPECT_EQ(json_of(r), R"({"queueUrls":["u1"],"NextToken":"n"})");
  EXPECT_EQ(xml_of("ListDeadLetterSourceQueues", r),
            "<QueueUrl>u1</QueueUrl><NextToken>n</NextToken>");
}

TEST(EncodeSuccess, WritesAttributeMapInGivenOrder_WhenGetQueueAttributes) {
  engine::GetQueueAttributesResult r{{{"VisibilityTimeout", "30"}, {"DelaySeconds", "0"}}};
  EXPECT_EQ(json_of(r), R"({"Attributes":{"VisibilityTimeout":"30","DelaySeconds":"0"}})");
  EXPECT_EQ(xml_of("GetQueueAttributes", r),
            "<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>"
            "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>");
  EXPECT_EQ(json_of(engine::GetQueueAttributesResult{}), "{}");
}

TEST(EncodeSuccess, WritesTags_WhenListQueueTags) {
  engine::ListQueueTagsResult r{{{"a", "1"}, {"b", "<2>"}}};
  EXPECT_EQ(json_of(r), R"({"Tags":{"a":"1","b":"<2>"}})");
  EXPECT_EQ(xml_of("ListQueueTags", r),
            "<Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>&lt;2&gt;</Value>"
            "</Tag>");
  EXPECT_EQ(json_of(engine::ListQueueTagsResult{}), "{}");
}

TEST(EncodeSuccess, WritesSpecExample_WhenSendMessage) {
  engine::SendMessageResult r{"5fea7756-0ea4-451a-a703-a558b933e274",
                              "5d41402abc4b2a76b9719d911017c592",
                              "69d43f899c5f825653b41c617787137a", std::nullopt, std::nullopt};
  EXPECT_EQ(json_of(r), R"({"MD5OfMessageBody":"5d41402abc4b2a76b9719d911017c592",)"
                        R"("MD5OfMessageAttributes":"69d43f899c5f825653b41c617787137a",)"
                        R"("MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"})");
  EXPECT_EQ(xml_of("SendMessage", r),
            "<MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>"
            "<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>"
            "<MD5OfMessageAttributes>69d43f899c5f825653b41c617787137a</MD5OfMessageAttributes>");
  engine::SendMessageResult fifo{"m", "b", std::nullopt, "s", "18"};
  EXPECT_EQ(json_of(fifo),
            R"({"MD5OfMessageBody":"b","MD5OfMessageSystemAttributes":"s","MessageId":"m",)"
            R"("SequenceNumber":"18"})");
  EXPECT_EQ(xml_of("SendMessage", fifo),
            "<MessageId>m</MessageId><MD5OfMessageBody>b</MD5OfMessageBody>"
            "<MD5OfMessageSystemAttributes>s</MD5OfMessageSystemAttributes>"
            "<SequenceNumber>18</SequenceNumber>");
}

TEST(EncodeSuccess, WritesSuccessfulAndFailed_WhenSendMessageBatch) {
  engine::SendMessageBatchResult r;
  r.successful.push_back({"a", "m1", "md5", "ma", std::nullopt, "7"});
  r.failed.push_back(failure("b"));
  EXPECT_EQ(json_of(r),
            R"({"Successful":[{"Id":"a","MessageId":"m1","MD5OfMessageBody":"md5",)"
            R"("MD5OfMessageAttributes":"ma","SequenceNumber":"7"}],)"
            R"("Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidParameterValue",)"
            R"("Message":"One or more parameters cannot be validated. Reason: Message must be )"
            R"(shorter than 1024 bytes."}]})");
  EXPECT_EQ(xml_of("SendMessageBatch", r),
            "<SendMessageBatchResultEntry><Id>a</Id><MessageId>m1</MessageId>"
            "<MD5OfMessageBody>md5</MD5OfMessageBody><MD5OfMessageAttributes>ma"
            "</MD5OfMessageAttributes><SequenceNumber>7</SequenceNumber>"
            "</SendMessageBatchResultEntry><BatchResultErrorEntry><Id>b</Id>"
            "<SenderFault>true</SenderFault><Code>InvalidParameterValue</Code><Message>One or "
            "more parameters cannot be validated. Reason: Message must be shorter than 1024 "
            "bytes.</Message></BatchResultErrorEntry>");
  engine::SendMessageBatchResult ok_only;
  ok_only.successful.push_back({"a", "m", "d", std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(json_of(ok_only),
            R"({"Successful":[{"Id":"a","MessageId":"m","MD5OfMessageBody":"d"}]})");
}

TEST(EncodeSuccess, UsesQueryCodeInBatchErrors_WhenCodeIsNamespaced) {
  engine::DeleteMessageBatchResult r;
  r.failed.push_back({"x", true, {ErrorCode::kReceiptHandleIsInvalid, "bad"}});
  r.failed.push_back({"y", false, {ErrorCode::kInternalFailure, "oops"}});
  EXPECT_EQ(json_of(r),
            R"({"Failed":[{"Id":"x","SenderFault":true,"Code":"ReceiptHandleIsInvalid",)"
            R"("Message":"bad"},{"Id":"y","SenderFault":false,"Code":"InternalFailure",)"
            R"("Message":"oops"}]})");
  EXPECT_NE(xml_of("DeleteMessageBatch", r).find("<SenderFault>false</SenderFault>"),
            std::string::npos);
}

TEST(EncodeSuccess, WritesIdEntries_WhenDeleteAndChangeVisibilityBatch) {
  engine::DeleteMessageBatchResult d{{{"a"}, {"b"}}, {}};
  EXPECT_EQ(json_of(d), R"({"Successful":[{"Id":"a"},{"Id":"b"}]})");
  EXPECT_EQ(xml_of("DeleteMessageBatch", d),
            "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"
            "<DeleteMessageBatchResultEntry><Id>b</Id></DeleteMessageBatchResultEntry>");
  engine::ChangeMessageVisibilityBatchResult c{{{"a"}}, {failure("b")}};
  EXPECT_EQ(
      xml_of("ChangeMessageVisibilityBatch", c)
          .find("<ChangeMessageVisibilityBatchResultEntry><Id>a</Id>"
                "</ChangeMessageVisibilityBatchResultEntry><BatchResultErrorEntry><Id>b</Id>"),
      0u);
  EXPECT_NE(json_of(c).find(R"("Failed":[{"Id":"b")"), std::string::npos);
  EXPECT_EQ(json_of(engine::DeleteMessageBatchResult{}), "{}");
}

TEST(EncodeSuccess, WritesSpecExample_WhenReceiveMessage) {
  engine::Message m;
  m.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  m.receipt_handle = "AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXq==";
  m.md5_of_body = "6e2baaf3b97dbeef01c0043275f9a0e7";
  m.body = "msg";
  m.attributes = {{"SenderId", "AIDAEXAMPLE"}, {"SentTimestamp", "1700000000000"}};
  m.md5_of_message_attributes = "ae7155c6026991b6d54b11589678bf9c";
  m.message_attributes["Foo"] = {"String", "Bar", std::nullopt, {}, {}};
  engine::ReceiveMessageResult r{{m}};
  auto x =
      encode_success(Protocol::kQuery, "ReceiveMessage", r, "b6633655-283d-45b4-aee4-4e84e0ae6afa");
  EXPECT_EQ(x.body,
            "<?xml version=\"1.0\"?><ReceiveMessageResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ReceiveMessageResult><Message>"
            "<MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>"
            "<ReceiptHandle>AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXq==</ReceiptHandle>"
            "<MD5OfBody>6e2baaf3b97dbeef01c0043275f9a0e7</MD5OfBody><Body>msg</Body>"
            "<Attribute><Name>SenderId</Name><Value>AIDAEXAMPLE</Value></Attribute>"
            "<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>"
            "<MD5OfMessageAttributes>ae7155c6026991b6d54b11589678bf9c</MD5OfMessageAttributes>"
            "<MessageAttribute><Name>Foo</Name><Value><StringValue>Bar</StringValue>"
            "<DataType>String</DataType></Value></MessageAttribute></Message>"
            "</ReceiveMessageResult><ResponseMetadata><RequestId>"
            "b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId></ResponseMetadata>"
            "</ReceiveMessageResponse>");
  EXPECT_EQ(json_of(r),
            R"({"Messages":[{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274",)"
            R"("ReceiptHandle":"AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXq==",)"
            R"("MD5OfBody":"6e2baaf3b97dbeef01c0043275f9a0e7","Body":"msg",)"
            R"("Attributes":{"SenderId":"AIDAEXAMPLE","SentTimestamp":"1700000000000"},)"
            R"("MD5OfMessageAttributes":"ae7155c6026991b6d54b11589678bf9c",)"
            R"("MessageAttributes":{"Foo":{"StringValue":"Bar","DataType":"String"}}}]})");
}

TEST(EncodeSuccess, EncodesBinaryAsBase64AndEscapesCr_WhenReceiveMessage) {
  engine::Message m;
  m.message_id = "i";
  m.receipt_handle = "h";
  m.md5_of_body = "d";
  m.body = "line1\r\nline2 & \"q\"";
  m.message_attributes["b"] = {"Binary", std::nullopt, std::string("\x00\x01\x02", 3), {}, {}};
  m.message_attributes["l"] = {
      "String", std::nullopt, std::nullopt, {"x", "y"}, {std::string("\xff", 1)}};
  engine::ReceiveMessageResult r{{m}};
  EXPECT_EQ(
      json_of(r),
      R"({"Messages":[{"MessageId":"i","ReceiptHandle":"h","MD5OfBody":"d",)"
      R"("Body":"line1\r\nline2 & \"q\"","MessageAttributes":{)"
      R"("b":{"BinaryValue":"AAEC","DataType":"Binary"},)"
      R"("l":{"StringListValues":["x","y"],"BinaryListValues":["/w=="],"DataType":"String"}}}]})");
  EXPECT_EQ(xml_of("ReceiveMessage", r),
            "<Message><MessageId>i</MessageId><ReceiptHandle>h</ReceiptHandle>"
            "<MD5OfBody>d</MD5OfBody><Body>line1&#xD;\nline2 &amp; &quot;q&quot;</Body>"
            "<MessageAttribute><Name>b</Name><Value><BinaryValue>AAEC</BinaryValue>"
            "<DataType>Binary</DataType></Value></MessageAttribute>"
            "<MessageAttribute><Name>l</Name><Value><StringListValue>x</StringListValue>"
            "<StringListValue>y</StringListValue><BinaryListValue>/w==</BinaryListValue>"
            "<DataType>String</DataType></Value></MessageAttribute></Message>");
}

TEST(EncodeSuccess, WritesMoveTaskResults_WhenMoveTaskActions) {
  EXPECT_EQ(json_of(engine::StartMessageMoveTaskResult{"th"}), R"({"TaskHandle":"th"})");
  EXPECT_EQ(xml_of("StartMessageMoveTask", engine::StartMessageMoveTaskResult{"th"}),
            "<TaskHandle>th</TaskHandle>");
  EXPECT_EQ(json_of(engine::CancelMessageMoveTaskResult{42}),
            R"({"ApproximateNumberOfMessagesMoved":42})");
  EXPECT_EQ(xml_of("CancelMessageMoveTask", engine::CancelMessageMoveTaskResult{42}),
            "<ApproximateNumberOfMessagesMoved>42</ApproximateNumberOfMessagesMoved>");
  engine::MessageMoveTask running{"th", "RUNNING", "arn:src",    std::nullopt, 10,
                                  3,    9,         std::nullopt, 1700000000000};
  engine::MessageMoveTask failed{std::nullopt, "FAILED", "arn:src",    "arn:dst", std::nullopt, 1,
                                 std::nullopt, "boom",   1600000000000};
  engine::ListMessageMoveTasksResult r{{running, failed}};
  EXPECT_EQ(json_of(r),
            R"({"Results":[{"TaskHandle":"th","Status":"RUNNING","SourceArn":"arn:src",)"
            R"("MaxNumberOfMessagesPerSecond":10,"ApproximateNumberOfMessagesMoved":3,)"
            R"("ApproximateNumberOfMessagesToMove":9,"StartedTimestamp":1700000000000},)"
            R"({"Status":"FAILED","SourceArn":"arn:src","DestinationArn":"arn:dst",)"
            R"("ApproximateNumberOfMessagesMoved":1,"FailureReason":"boom",)"
            R"("StartedTimestamp":1600000000000}]})");
  EXPECT_EQ(xml_of("ListMessageMoveTasks", r),
            "<ListMessageMoveTasksResultEntry><TaskHandle>th</TaskHandle><Status>RUNNING</Status>"
            "<SourceArn>arn:src</SourceArn><MaxNumberOfMessagesPerSecond>10"
            "</MaxNumberOfMessagesPerSecond><ApproximateNumberOfMessagesMoved>3"
            "</ApproximateNumberOfMessagesMoved><ApproximateNumberOfMessagesToMove>9"
            "</ApproximateNumberOfMessagesToMove><StartedTimestamp>1700000000000"
            "</StartedTimestamp></ListMessageMoveTasksResultEntry>"
            "<ListMessageMoveTasksResultEntry><Status>FAILED</Status><SourceArn>arn:src"
            "</SourceArn><DestinationArn>arn:dst</DestinationArn>"
            "<ApproximateNumberOfMessagesMoved>1</ApproximateNumberOfMessagesMoved>"
            "<FailureReason>boom</FailureReason><StartedTimestamp>1600000000000"
            "</StartedTimestamp></ListMessageMoveTasksResultEntry>");
  EXPECT_EQ(json_of(engine::ListMessageMoveTasksResult{}), "{}");
}

}  // namespace
}  // namespace tern::protocol
