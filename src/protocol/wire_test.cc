#include "protocol/wire.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>

namespace tern::protocol {
namespace {
namespace json = boost::json;
using engine::ErrorCode;

constexpr std::string_view kForm = "application/x-www-form-urlencoded; charset=utf-8";

WireRequest json_request(std::string_view target, std::string_view body) {
  return {"POST", "/", "application/x-amz-json-1.0", target, body};
}
WireRequest form_request(std::string_view body, std::string_view path = "/") {
  return {"POST", path, kForm, "", body};
}

// Classifies and returns the params serialized, or "ERROR <code>: <message>".
std::string params_of(const WireRequest& req) {
  auto c = classify(req);
  if (!c) {
    return "ERROR " + std::to_string(static_cast<int>(c.error().error.code)) + ": " +
           c.error().error.message;
  }
  return json::serialize(c->params);
}

TEST(ClassifyJson, SelectsJsonAndParsesBody_WhenTargetHeaderPresent) {
  auto c = classify(json_request("AmazonSQS.SendMessage",
                                 R"({"QueueUrl":"http://h/1/q","MessageBody":"hello"})"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->protocol, Protocol::kJson);
  EXPECT_EQ(c->action, "SendMessage");
  EXPECT_EQ(c->params.at("MessageBody").as_string(), "hello");
}

TEST(ClassifyJson, UsesEmptyObject_WhenBodyIsEmptyOrBlank) {
  for (std::string_view body : {"", "  \r\n"}) {
    auto c = classify(json_request("AmazonSQS.ListQueues", body));
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->params.empty());
  }
}

TEST(ClassifyJson, IgnoresPathAndFormContentType_WhenTargetHeaderPresent) {
  auto c =
      classify({"POST", "/000000000000/q?Action=CreateQueue", kForm, "AmazonSQS.ListQueues", "{}"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->protocol, Protocol::kJson);
  EXPECT_EQ(c->action, "ListQueues");
}

TEST(ClassifyJson, ReturnsSerializationException_WhenBodyIsNotAJsonObject) {
  for (std::string_view body : {"{", "[]", "\"x\"", "42", "{\"a\":1}x", "{\"a\":\"\xff\"}"}) {
    auto c = classify(json_request("AmazonSQS.ListQueues", body));
    ASSERT_FALSE(c) << body;
    EXPECT_EQ(c.error().protocol, Protocol::kJson);
    EXPECT_EQ(c.error().error.code, ErrorCode::kSerializationException) << body;
  }
}

TEST(ClassifyJson, ReturnsUnknownOperation_WhenTargetPrefixIsNotSqs) {
  auto c = classify(json_request("DynamoDB_20120810.ListTables", "{}"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().protocol, Protocol::kJson);
  EXPECT_EQ(c.error().error.code, ErrorCode::kUnknownOperation);
}

TEST(ClassifyJson, ReturnsInvalidAction_WhenActionUnknown) {
  auto c = classify(json_request("AmazonSQS.FlyToTheMoon", "{}"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().protocol, Protocol::kJson);
  EXPECT_EQ(c.error().error.code, ErrorCode::kInvalidAction);
  EXPECT_EQ(c.error().error.message, "The action FlyToTheMoon is not valid for this endpoint.");
}

TEST(ClassifyQuery, UnflattensBotocoreSendMessage_WhenCapturedBody) {
  auto req = form_request(
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F00000000000"
      "0%2Fq1&MessageBody=hello&DelaySeconds=0&MessageAttribute.1.Name=b&MessageAttribute.1.Valu"
      "e.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAE%3D&MessageAttribute.2.Name=a&M"
      "essageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=x+y&MessageSy"
      "stemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&Message"
      "SystemAttribute.1.Value.StringValue=Root%3D1-5759e988-bd862e3fe1be46a994272793");
  auto c = classify(req);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->protocol, Protocol::kQuery);
  EXPECT_EQ(c->action, "SendMessage");
  EXPECT_EQ(c->params, json::parse(R"({
    "QueueUrl":"http://localhost:9324/000000000000/q1","MessageBody":"hello","DelaySeconds":"0",
    "MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAE="},
                         "a":{"DataType":"String","StringValue":"x y"}},
    "MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String",
        "StringValue":"Root=1-5759e988-bd862e3fe1be46a994272793"}}})")
                           .as_object());
}

TEST(ClassifyQuery, UsesLowercaseTags_WhenCreateQueue) {
  EXPECT_EQ(params_of(form_request("Action=CreateQueue&Version=2012-11-05&QueueName=q1.fifo&Attri"
                                   "bute.1.Name=FifoQueue&Attribute.1.Value=true&Attribute.2.Name"
                                   "=DelaySeconds&Attribute.2.Value=0&Tag.1.Key=k&Tag.1.Value=v")),
            R"({"QueueName":"q1.fifo","Attributes":{"FifoQueue":"true","DelaySeconds":"0"},)"
            R"("tags":{"k":"v"}})");
}

TEST(ClassifyQuery, UsesCapitalTags_WhenTagQueue) {
  EXPECT_EQ(params_of(form_request("Action=TagQueue&QueueUrl=u&Tag.1.Key=k&Tag.1.Value=")),
            R"({"QueueUrl":"u","Tags":{"k":""}})");
}

TEST(ClassifyQuery, UnflattensLists_WhenReceiveMessage) {
  EXPECT_EQ(
      json::parse(params_of(form_request(
          "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&AttributeName.1=SentTimestam"
          "p&MessageAttributeName.1=foo.%2A&VisibilityTimeout=5&ReceiveRequestAttemptId=abc"))),
      json::parse(R"({"QueueUrl":"u","AttributeNames":["SentTimestamp"],)"
                  R"("MessageAttributeNames":["foo.*"],"VisibilityTimeout":"5",)"
                  R"("ReceiveRequestAttemptId":"abc"})"));
}

TEST(ClassifyQuery, DecodesPlusSlashEquals_WhenReceiptHandleEscaped) {
  EXPECT_EQ(params_of(form_request(
                "Action=DeleteMessage&Version=2012-11-05&QueueUrl=u&ReceiptHandle=rh%2B%2F%3D")),
            R"({"QueueUrl":"u","ReceiptHandle":"rh+/="})");
}

TEST(ClassifyQuery, OrdersByNumericIndexAndCompacts_WhenIndicesHaveGaps) {
  EXPECT_EQ(params_of(form_request(
                "Action=UntagQueue&QueueUrl=u&TagKey.10=ten&TagKey.2=two&TagKey.9=nine")),
            R"({"QueueUrl":"u","TagKeys":["two","nine","ten"]})");
}

TEST(ClassifyQuery, UnflattensEntries_WhenSendMessageBatch) {
  EXPECT_EQ(
      params_of(form_request(
          "Action=SendMessageBatch&QueueUrl=u&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatc"
          "hRequestEntry.2.MessageBody=B&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequ"
          "estEntry.1.MessageBody=A&SendMessageBatchRequestEntry.1.DelaySeconds=3&SendMessageBatc"
          "hRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttrib"
          "ute.1.Value.DataType=String.list&SendMessageBatchRequestEntry.1.MessageAttribute.1.Val"
          "ue.StringListValue.1=x&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.BinaryL"
          "istValue.1=AA%3D%3D&SendMessageBatchRequestEntry.1.MessageGroupId=g")),
      R"({"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"A","DelaySeconds":"3",)"
      R"("MessageGroupId":"g","MessageAttributes":{"n":{"DataType":"String.list",)"
      R"("StringListValues":["x"],"BinaryListValues":["AA=="]}}},{"Id":"b","MessageBody":"B"}]})");
}

TEST(ClassifyQuery, UnflattensEntries_WhenDeleteAndChangeVisibilityBatch) {
  EXPECT_EQ(params_of(form_request("Action=DeleteMessageBatch&QueueUrl=u&DeleteMessageBatchReques"
                                   "tEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle="
                                   "h")),
            R"({"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"h"}]})");
  EXPECT_EQ(
      params_of(form_request(
          "Action=ChangeMessageVisibilityBatch&QueueUrl=u&ChangeMessageVisibilityBatchReque"
          "stEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h&Change"
          "MessageVisibilityBatchRequestEntry.1.VisibilityTimeout=7")),
      R"({"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"h","VisibilityTimeout":"7"}]})");
}

TEST(ClassifyQuery, UnflattensPermissionLists_WhenAddPermission) {
  EXPECT_EQ(params_of(form_request("Action=AddPermission&QueueUrl=u&Label=l&AWSAccountId.1=111&AW"
                                   "SAccountId.2=222&ActionName.1=SendMessage")),
            R"({"QueueUrl":"u","Label":"l","AWSAccountIds":["111","222"],)"
            R"("Actions":["SendMessage"]})");
}

TEST(ClassifyQuery, IgnoresVersionSignatureAndEmptyListKeys_WhenPresent) {
  EXPECT_EQ(params_of({"GET",
                       "/?Action=GetQueueAttributes&QueueUrl=u&AttributeNames=&Version=2012-11-05"
                       "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc&Foo.1=x&Bar=y",
                       "", "", ""}),
            R"({"QueueUrl":"u"})");
}

TEST(ClassifyQuery, ReadsQueryString_WhenGetWithoutBody) {
  auto c = classify(
      {"GET", "/123456789012/MyQueue?Action=GetQueueAttributes&AttributeName.1=All", "", "", ""});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->action, "GetQueueAttributes");
  EXPECT_EQ(json::serialize(c->params),
            R"({"AttributeNames":["All"],"QueueUrl":"/123456789012/MyQueue"})");
}

TEST(ClassifyQuery, DerivesQueueUrlFromPath_WhenParameterAbsent) {
  EXPECT_EQ(params_of(form_request("Action=PurgeQueue", "/123456789012/MyQueue")),
            R"({"QueueUrl":"/123456789012/MyQueue"})");
}

TEST(ClassifyQuery, KeepsQueueUrlParameter_WhenPathAlsoNamesQueue) {
  EXPECT_EQ(params_of(form_request("Action=PurgeQueue&QueueUrl=http%3A%2F%2Fh%2F1%2Fother",
                                   "/123456789012/MyQueue")),
            R"({"QueueUrl":"http://h/1/other"})");
}

TEST(ClassifyQuery, PrefersBody_WhenKeyInBothQueryStringAndBody) {
  EXPECT_EQ(
      params_of({"POST", "/?Action=ListQueues&QueueNamePrefix=a", kForm, "", "QueueNamePrefix=b"}),
      R"({"QueueNamePrefix":"b"})");
}

TEST(ClassifyQuery, IgnoresBody_WhenContentTypeIsNotForm) {
  auto c = classify({"POST", "/?Action=ListQueues", "text/plain", "", "QueueNamePrefix=b"});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->params.empty());
}

TEST(ClassifyQuery, ReturnsUnknownOperation404_WhenNoActionAnywhere) {
  for (const WireRequest& req :
       {WireRequest{"GET", "/123456789012/MyQueue", "", "", ""},
        WireRequest{"POST", "/", kForm, "", "QueueName=x"},
        WireRequest{"POST", "/", "application/x-amz-json-1.0", "", "{}"}}) {
    auto c = classify(req);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().protocol, Protocol::kQuery);
    EXPECT_EQ(c.error().error.code, ErrorCode::kUnknownOperation);
    EXPECT_EQ(c.error().http_status_override, 404);
  }
}

TEST(ClassifyQuery, ReturnsInvalidAction_WhenAccountActionSentToQueuePath) {
  for (std::string_view action : {"CreateQueue", "ListQueues"}) {
    auto c = classify(
        form_request("Action=" + std::string(action) + "&QueueName=x", "/123456789012/MyQueue"));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().protocol, Protocol::kQuery);
    EXPECT_EQ(c.error().error.code, ErrorCode::kInvalidAction);
    EXPECT_EQ(c.error().error.message,
              "The action " + std::string(action) + " is not valid for this endpoint.");
  }
}

TEST(ClassifyQuery, ReturnsInvalidAction_WhenActionUnknown) {
  auto c = classify(form_request("Action=Nope"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().error.code, ErrorCode::kInvalidAction);
  EXPECT_EQ(c.error().error.message, "The action Nope is not valid for this endpoint.");
}

TEST(ClassifyQuery, ReturnsMalformedQueryString_WhenEscapeIsBroken) {
  auto a = classify({"GET", "/?Action=ListQueues&x=%G1", "", "", ""});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().error.code, ErrorCode::kMalformedQueryString);
  auto b = classify(form_request("Action=ListQueues&x=%4"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().error.code, ErrorCode::kMalformedQueryString);
}

TEST(ClassifyQuery, ReturnsMissingParameter_WhenMapEntryLacksHalf) {
  EXPECT_EQ(params_of(form_request("Action=SetQueueAttributes&QueueUrl=u&Attribute.1.Value=3")),
            "ERROR " + std::to_string(static_cast<int>(ErrorCode::kMissingParameter)) +
                ": The request must contain the parameter Attribute.1.Name.");
  EXPECT_EQ(params_of(form_request("Action=TagQueue&QueueUrl=u&Tag.1.Key=k")),
            "ERROR " + std::to_string(static_cast<int>(ErrorCode::kMissingParameter)) +
                ": The request must contain the parameter Tag.1.Value.");
  EXPECT_EQ(
      params_of(form_request("Action=SendMessageBatch&QueueUrl=u&SendMessageBatchRequestEntry.1.M"
                             "essageAttribute.2.Value.DataType=String")),
      "ERROR " + std::to_string(static_cast<int>(ErrorCode::kMissingParameter)) +
          ": The request must contain the parameter "
          "SendMessageBatchRequestEntry.1.MessageAttribute.2.Name.");
}

TEST(QueuePath, RecognisesAccountAndName_WhenTwoSegments) {
  EXPECT_TRUE(is_queue_path("/123456789012/MyQueue"));
  EXPECT_TRUE(is_queue_path("/000000000000/q.fifo"));
  EXPECT_FALSE(is_queue_path("/"));
  EXPECT_FALSE(is_queue_path("/123456789012"));
  EXPECT_FALSE(is_queue_path("/123456789012/"));
  EXPECT_FALSE(is_queue_path("//q"));
  EXPECT_FALSE(is_queue_path("/a/b/c"));
  EXPECT_EQ(target_path("/a/b?x=1"), "/a/b");
}

TEST(KnownActions, ListsAllTwentyThreeActions_WhenAsked) {
  EXPECT_EQ(known_actions().size(), 23u);
  EXPECT_TRUE(is_known_action("ListMessageMoveTasks"));
  EXPECT_FALSE(is_known_action("listqueues"));
}

TEST(ClassifyFuzz, NeverThrows_WhenFedRandomBytes) {
  std::mt19937 rng(12345);
  const std::string alphabet =
      "Action=SendMessageBatchRequestEntry.1.Id&%+={}[]\":,\\\r\n\x00\xff"
      "MessageAttribute.2.Value.StringListValue.3Tag.Key";
  for (int i = 0; i < 20000; ++i) {
    std::string body;
    size_t len = rng() % 120;
    for (size_t j = 0; j < len; ++j) {
      body += (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    std::string target = (rng() % 2) ? "/?" + body.substr(0, body.size() / 2) : "/1/q";
    std::string_view amz = (rng() % 3 == 0) ? "AmazonSQS.SendMessageBatch" : "";
    std::string_view ct = (rng() % 2) ? kForm : "application/x-amz-json-1.0";
    EXPECT_NO_THROW({ auto c = classify({"POST", target, ct, amz, body}); });
  }
}

}  // namespace
}  // namespace tern::protocol

namespace tern::protocol {
namespace {

// Regression: the JS SDKs send a lone surrogate in MessageBody as the JSON escape "\ud800";
// Boost.JSON 1.81 rejects it, which made the reply SerializationException instead of SQS's
// InvalidMessageContents.
TEST(Wire, LoneSurrogateEscape_IsReplacedSoTheEngineRejectsTheBody) {
  EXPECT_EQ(replace_lone_surrogates(R"({"B":"a\ud800b"})"), R"({"B":"a\u0000b"})");
  EXPECT_EQ(replace_lone_surrogates(R"({"B":"\udc00"})"), R"({"B":"\u0000"})");
  EXPECT_EQ(replace_lone_surrogates(R"({"B":"\ud83d\ude00"})"), R"({"B":"\ud83d\ude00"})");
  EXPECT_EQ(replace_lone_surrogates(R"({"B":"\\ud800"})"), R"({"B":"\\ud800"})");
  WireRequest r{"POST", "/", "application/x-amz-json-1.0", "AmazonSQS.SendMessage",
                R"({"QueueUrl":"/000000000000/q","MessageBody":"x\ud800"})"};
  auto c = classify(r);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->params.at("MessageBody").as_string(), std::string("x\0", 2));
}

}  // namespace
}  // namespace tern::protocol
