#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>

namespace tern::engine {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : engine_(make_options()) {}
  EngineOptions make_options() {
    EngineOptions o;
    o.clock = &clock_;
    o.base_url = "http://localhost:9324";
    return o;
  }
  std::string create(const std::string& name, AttributeMap attrs = {}) {
    auto r = engine_.create_queue({name, std::move(attrs), {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->queue_url : "";
  }
  SendMessageResult send(const std::string& url, const std::string& body,
                         std::optional<int64_t> delay = std::nullopt,
                         std::optional<std::string> group = std::nullopt,
                         std::optional<std::string> dedup = std::nullopt) {
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = body;
    r.delay_seconds = delay;
    r.message_group_id = group;
    r.message_deduplication_id = dedup;
    auto res = engine_.send_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    return res ? *res : SendMessageResult{};
  }
  std::vector<Message> receive(const std::string& url, int max = 10,
                               std::optional<int64_t> vis = std::nullopt,
                               std::vector<std::string> attrs = {}) {
    ReceiveMessageRequest r;
    r.queue_url = url;
    r.max_number_of_messages = max;
    r.visibility_timeout = vis;
    r.attribute_names = std::move(attrs);
    auto res = engine_.receive_message(r);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    return res ? res->messages : std::vector<Message>{};
  }
  std::string attr(const std::string& url, const std::string& name) {
    auto r = engine_.get_queue_attributes({url, {name}});
    if (!r || r->attributes.empty()) return "<none>";
    return r->attributes[0].second;
  }

  ManualClock clock_;
  Engine engine_;
};

TEST_F(EngineTest, CreateQueue_IsIdempotent_WhenAttributesMatch) {
  auto url = create("q1", {{"VisibilityTimeout", "30"}});
  EXPECT_EQ(url, "http://localhost:9324/000000000000/q1");
  EXPECT_EQ(create("q1", {{"VisibilityTimeout", "30"}}), url);
  EXPECT_EQ(create("q1"), url);
}

TEST_F(EngineTest, CreateQueue_FailsWithQueueNameExists_WhenAttributeDiffers) {
  create("q1", {{"DelaySeconds", "0"}});
  auto r = engine_.create_queue({"q1", {{"DelaySeconds", "5"}}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kQueueNameExists);
  EXPECT_NE(r.error().message.find("DelaySeconds"), std::string::npos);
}

TEST_F(EngineTest, CreateQueue_RejectsBadNamesAndValues) {
  EXPECT_EQ(engine_.create_queue({"bad/name", {}, {}}).error().code,
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(engine_.create_queue({std::string(81, 'a'), {}, {}}).error().code,
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(engine_.create_queue({"x.fifo", {}, {}}).error().code,
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(engine_.create_queue({"x", {{"VisibilityTimeout", "43201"}}, {}}).error().code,
            ErrorCode::kInvalidAttributeValue);
  EXPECT_EQ(engine_.create_queue({"x", {{"Bogus", "1"}}, {}}).error().code,
            ErrorCode::kInvalidAttributeName);
  EXPECT_EQ(engine_.create_queue({"x", {{"FifoQueue", "false"}}, {}}).error().code,
            ErrorCode::kInvalidAttributeName);
  EXPECT_EQ(engine_.create_queue({"x", {{"DeduplicationScope", "queue"}}, {}}).error().code,
            ErrorCode::kInvalidAttributeName);
}

TEST_F(EngineTest, GetQueueAttributes_All_ListsStandardSet) {
  auto url = create("q1");
  auto r = engine_.get_queue_attributes({url, {"All"}});
  ASSERT_TRUE(r);
  std::vector<std::string> names;
  for (auto& [k, v] : r->attributes) names.push_back(k);
  std::vector<std::string> expected = {"ApproximateNumberOfMessages",
                                       "ApproximateNumberOfMessagesDelayed",
                                       "ApproximateNumberOfMessagesNotVisible",
                                       "CreatedTimestamp",
                                       "DelaySeconds",
                                       "LastModifiedTimestamp",
                                       "MaximumMessageSize",
                                       "MessageRetentionPeriod",
                                       "QueueArn",
                                       "ReceiveMessageWaitTimeSeconds",
                                       "SqsManagedSseEnabled",
                                       "VisibilityTimeout"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(attr(url, "QueueArn"), "arn:aws:sqs:us-east-1:000000000000:q1");
  EXPECT_EQ(engine_.get_queue_attributes({url, {"Nope"}}).error().code,
            ErrorCode::kInvalidAttributeName);
}

TEST_F(EngineTest, ListQueues_PaginatesWithNextToken_WhenMaxResultsGiven) {
  for (auto n : {"a1", "a2", "a3", "b1"}) create(n);
  ListQueuesRequest r;
  r.queue_name_prefix = "a";
  r.max_results = 2;
  auto p1 = engine_.list_queues(r);
  ASSERT_TRUE(p1);
  ASSERT_EQ(p1->queue_urls.size(), 2u);
  ASSERT_TRUE(p1->next_token);
  r.next_token = p1->next_token;
  auto p2 = engine_.list_queues(r);
  ASSERT_TRUE(p2);
  ASSERT_EQ(p2->queue_urls.size(), 1u);
  EXPECT_EQ(p2->queue_urls[0], "http://localhost:9324/000000000000/a3");
  EXPECT_FALSE(p2->next_token);
  EXPECT_EQ(engine_.list_queues({}).value().queue_urls.size(), 4u);
}

TEST_F(EngineTest, Message_ReappearsAfterVisibilityTimeout_WithGrowingReceiveCount) {
  auto url = create("q");
  auto sent = send(url, "hello");
  EXPECT_EQ(sent.md5_of_message_body, "5d41402abc4b2a76b9719d911017c592");
  auto m1 = receive(url, 1, 10, {"All"});
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_EQ(m1[0].body, "hello");
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_TRUE(receive(url).empty());
  clock_.advance_ms(9'999);
  EXPECT_TRUE(receive(url).empty());
  clock_.advance_ms(1);
  auto m2 = receive(url, 1, 10, {"ApproximateReceiveCount"});
  ASSERT_EQ(m2.size(), 1u);
  EXPECT_EQ(m2[0].message_id, m1[0].message_id);
  EXPECT_NE(m2[0].receipt_handle, m1[0].receipt_handle);
  ASSERT_EQ(m2[0].attributes.size(), 1u);
  EXPECT_EQ(m2[0].attributes[0].second, "2");
}

TEST_F(EngineTest, DeleteMessage_Succeeds_WhenHandleExpiredOrAlreadyDeleted) {
  auto url = create("q");
  send(url, "x");
  auto m = receive(url, 1, 1);
  clock_.advance_ms(2000);
  EXPECT_TRUE(engine_.delete_message({url, m[0].receipt_handle}));
  EXPECT_TRUE(engine_.delete_message({url, m[0].receipt_handle}));
  EXPECT_TRUE(receive(url).empty());
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessages"), "0");
}

TEST_F(EngineTest, DeleteMessage_FailsWithReceiptHandleIsInvalid_WhenGarbageOrOtherQueue) {
  auto url = create("q");
  auto other = create("other");
  send(other, "x");
  auto m = receive(other);
  auto r = engine_.delete_message({url, "garbage"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kReceiptHandleIsInvalid);
  EXPECT_EQ(r.error().message,
            "The input receipt handle \"garbage\" is not a valid receipt handle.");
  EXPECT_EQ(engine_.delete_message({url, m[0].receipt_handle}).error().code,
            ErrorCode::kReceiptHandleIsInvalid);
  std::string tampered = m[0].receipt_handle;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(engine_.delete_message({other, tampered}).error().code,
            ErrorCode::kReceiptHandleIsInvalid);
}

TEST_F(EngineTest, ChangeVisibility_ZeroMakesVisibleAtOnce_AndDeletedMessageIsRejected) {
  auto url = create("q");
  send(url, "x");
  auto m = receive(url, 1, 100);
  ASSERT_TRUE(engine_.change_message_visibility({url, m[0].receipt_handle, 0}));
  auto again = receive(url, 1, 100);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(engine_.delete_message({url, again[0].receipt_handle}));
  auto r = engine_.change_message_visibility({url, again[0].receipt_handle, 10});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(EngineTest, ChangeVisibility_RejectsTotalBeyondTwelveHours) {
  auto url = create("q");
  send(url, "x");
  auto m = receive(url, 1, 43'000);
  clock_.advance_ms(1000 * 1000);
  auto r = engine_.change_message_visibility({url, m[0].receipt_handle, 43'000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(engine_.change_message_visibility({url, m[0].receipt_handle, 42'000}));
}

TEST_F(EngineTest, DelayedMessage_IsHiddenUntilDue_QueueAndMessageDelay) {
  auto url = create("q", {{"DelaySeconds", "5"}});
  send(url, "queue-delay");
  send(url, "msg-delay", 2);
  send(url, "no-delay", 0);
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessagesDelayed"), "2");
  auto m = receive(url);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "no-delay");
  clock_.advance_ms(2000);
  m = receive(url);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "msg-delay");
  clock_.advance_ms(3000);
  m = receive(url);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "queue-delay");
}

TEST_F(EngineTest, Retention_DropsOldMessagesInEveryState) {
  auto url = create("q", {{"MessageRetentionPeriod", "60"}});
  send(url, "visible");
  send(url, "delayed", 900);
  send(url, "inflight");
  receive(url, 1, 1000);  // takes "visible" or "inflight"
  clock_.advance_ms(60'000);
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessagesNotVisible"), "0");
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessagesDelayed"), "0");
}

TEST_F(EngineTest, SendMessage_ValidatesBodyAndAttributes) {
  auto url = create("q", {{"MaximumMessageSize", "1024"}});
  SendMessageRequest r;
  r.queue_url = url;
  r.message_body = "";
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kMissingParameter);
  r.message_body = std::string("a\x01z");
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidMessageContents);
  r.message_body = "\xED\xA0\x80";  // an encoded surrogate is not valid UTF-8
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidMessageContents);
  r.message_body = std::string(1024, 'a');
  EXPECT_TRUE(engine_.send_message(r));
  r.message_body = std::string(1025, 'a');
  auto big = engine_.send_message(r);
  EXPECT_EQ(big.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_NE(big.error().message.find("Message must be shorter than 1024 bytes"), std::string::npos);
  r.message_body = "ok";
  r.delay_seconds = 901;
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
  r.delay_seconds.reset();
  MessageAttributeValue empty;
  empty.data_type = "String";
  empty.string_value = "";
  r.message_attributes["a"] = empty;
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
  MessageAttributeValue n;
  n.data_type = "Number.float";
  n.string_value = "abc";
  r.message_attributes = {{"n", n}};
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
  n.string_value = "1.5e3";
  r.message_attributes = {{"n", n}};
  EXPECT_TRUE(engine_.send_message(r));
  MessageAttributeValue bad_type;
  bad_type.data_type = "Strin";
  bad_type.string_value = "x";
  r.message_attributes = {{"n", bad_type}};
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
  r.message_attributes = {{"AWS.x", n}};
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(EngineTest, ReceiveMessage_FiltersMessageAttributesAndRecomputesMd5) {
  auto url = create("q");
  SendMessageRequest r;
  r.queue_url = url;
  r.message_body = "b";
  MessageAttributeValue v;
  v.data_type = "String";
  v.string_value = "Any City";
  r.message_attributes["City"] = v;
  v.data_type = "Number";
  v.string_value = "1250800";
  r.message_attributes["Population"] = v;
  auto sent = engine_.send_message(r);
  ASSERT_TRUE(sent);
  EXPECT_EQ(*sent->md5_of_message_attributes, "bf1eb494fecc925abadc71de4be9785c");
  ReceiveMessageRequest rr;
  rr.queue_url = url;
  rr.message_attribute_names = {"Ci.*"};
  rr.visibility_timeout = 0;
  auto got = engine_.receive_message(rr);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].message_attributes.size(), 1u);
  EXPECT_EQ(*got->messages[0].md5_of_message_attributes, "0c32cb5c844c01fbd5b6b434b52cf670");
  rr.message_attribute_names = {};
  got = engine_.receive_message(rr);
  EXPECT_TRUE(got->messages[0].message_attributes.empty());
  EXPECT_FALSE(got->messages[0].md5_of_message_attributes);
  rr.message_attribute_names = {"All"};
  got = engine_.receive_message(rr);
  EXPECT_EQ(got->messages[0].message_attributes.size(), 2u);
}

TEST_F(EngineTest, ReceiveMessage_RejectsOutOfRangeParameters) {
  auto url = create("q");
  ReceiveMessageRequest r;
  r.queue_url = url;
  r.max_number_of_messages = 11;
  auto e = engine_.receive_message(r);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message,
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
            "and 10, if provided.");
  r.max_number_of_messages = 1;
  r.wait_time_seconds = 21;
  EXPECT_EQ(engine_.receive_message(r).error().message,
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
            "if provided.");
}

TEST_F(EngineTest, SendMessageBatch_ReportsPartialFailures_AndRejectsBadShapes) {
  auto url = create("q");
  SendMessageBatchRequest b;
  b.queue_url = url;
  EXPECT_EQ(engine_.send_message_batch(b).error().code, ErrorCode::kEmptyBatchRequest);
  for (int i = 0; i < 11; ++i) b.entries.push_back({"id" + std::to_string(i), "body"});
  EXPECT_EQ(engine_.send_message_batch(b).error().code, ErrorCode::kTooManyEntriesInBatchRequest);
  b.entries = {{"a", "ok"}, {"a", "dup"}};
  EXPECT_EQ(engine_.send_message_batch(b).error().code, ErrorCode::kBatchEntryIdsNotDistinct);
  b.entries = {{"bad id!", "x"}};
  EXPECT_EQ(engine_.send_message_batch(b).error().code, ErrorCode::kInvalidBatchEntryId);
  b.entries = {{"a", "ok"}, {"b", std::string("\x02")}, {"c", "fine"}};
  auto r = engine_.send_message_batch(b);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->successful.size(), 2u);
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].id, "b");
  EXPECT_EQ(r->failed[0].error.code, ErrorCode::kInvalidMessageContents);
  EXPECT_TRUE(r->failed[0].sender_fault);
  b.entries = {{"a", std::string(600'000, 'x')}, {"b", std::string(600'000, 'y')}};
  EXPECT_EQ(engine_.send_message_batch(b).error().code, ErrorCode::kBatchRequestTooLong);
}

TEST_F(EngineTest, PurgeQueue_RemovesEverything_AndRefusesSecondPurgeWithin60s) {
  auto url = create("q");
  send(url, "a");
  send(url, "b");
  receive(url, 1);
  ASSERT_TRUE(engine_.purge_queue({url}));
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attr(url, "ApproximateNumberOfMessagesNotVisible"), "0");
  EXPECT_EQ(engine_.purge_queue({url}).error().code, ErrorCode::kPurgeQueueInProgress);
  clock_.advance_ms(60'000);
  EXPECT_TRUE(engine_.purge_queue({url}));
}

TEST_F(EngineTest, DeleteQueue_ThenEveryActionSaysQueueDoesNotExist) {
  auto url = create("q");
  ASSERT_TRUE(engine_.delete_queue({url}));
  EXPECT_EQ(engine_.delete_queue({url}).error().code, ErrorCode::kQueueDoesNotExist);
  EXPECT_EQ(engine_.get_queue_url({"q", {}}).error().code, ErrorCode::kQueueDoesNotExist);
  SendMessageRequest r;
  r.queue_url = url;
  r.message_body = "x";
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kQueueDoesNotExist);
}

TEST_F(EngineTest, QueueUrl_IsResolvedByPath_WhateverTheHost) {
  create("q");
  SendMessageRequest r;
  r.queue_url = "https://sqs.us-east-1.amazonaws.com/000000000000/q";
  r.message_body = "x";
  EXPECT_TRUE(engine_.send_message(r));
  r.queue_url = "/000000000000/q";
  EXPECT_TRUE(engine_.send_message(r));
  r.queue_url = "http://localhost:9324/111111111111/q";
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kQueueDoesNotExist);
}

TEST_F(EngineTest, Tags_AddOverwriteAndRemove) {
  auto url = create("q");
  ASSERT_TRUE(engine_.tag_queue({url, {{"a", "1"}, {"b", "2"}}}));
  ASSERT_TRUE(engine_.tag_queue({url, {{"a", "3"}}}));
  ASSERT_TRUE(engine_.untag_queue({url, {"b"}}));
  auto t = engine_.list_queue_tags({url});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->tags, (TagMap{{"a", "3"}}));
}

struct CountingWaiter : Waiter {
  std::atomic<int> n{0};
  void notify() override { ++n; }
};

TEST_F(EngineTest, LongPollWaiter_IsNotifiedBySend_AndNotBeforeIt) {
  auto url = create("q");
  auto w = std::make_shared<CountingWaiter>();
  ReceiveContext ctx;
  ctx.waiter = w;
  ReceiveMessageRequest r;
  r.queue_url = url;
  r.wait_time_seconds = 20;
  auto res = engine_.receive_message(r, &ctx);
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->messages.empty());
  EXPECT_EQ(ctx.wait_seconds, 20);
  EXPECT_EQ(w->n, 0);
  send(url, "wake");
  EXPECT_EQ(w->n, 1);
  send(url, "again");  // the waiter was consumed by the first wake-up
  EXPECT_EQ(w->n, 1);
}

TEST_F(EngineTest, ReceiveContext_ReportsNextDueTime_ForDelayedMessages) {
  auto url = create("q");
  send(url, "later", 7);
  ReceiveContext ctx;
  ReceiveMessageRequest r;
  r.queue_url = url;
  ASSERT_TRUE(engine_.receive_message(r, &ctx));
  EXPECT_EQ(ctx.next_due_ms, clock_.now_ms() + 7000);
}

// ---- FIFO and dead-letter queues -------------------------------------------------------------

TEST_F(EngineTest, Fifo_KeepsGroupOrder_AndBlocksGroupWhileInFlight) {
  auto url = create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send(url, "a1", std::nullopt, "A");
  send(url, "b1", std::nullopt, "B");
  send(url, "a2", std::nullopt, "A");
  send(url, "b2", std::nullopt, "B");
  auto first = receive(url, 1, 30);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "a1");
  auto next = receive(url, 10, 30);  // group A is blocked; B fills the receive in order
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].body, "b1");
  EXPECT_EQ(next[1].body, "b2");
  ASSERT_TRUE(engine_.delete_message({url, first[0].receipt_handle}));
  auto last = receive(url, 10, 30);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].body, "a2");
}

TEST_F(EngineTest, Fifo_DeduplicatesWithinFiveMinutes_EvenAfterDelete) {
  auto url = create("f.fifo", {{"FifoQueue", "true"}});
  auto s1 = send(url, "x", std::nullopt, "g", "d1");
  auto s2 = send(url, "x", std::nullopt, "g", "d1");
  EXPECT_EQ(s1.message_id, s2.message_id);
  EXPECT_EQ(s1.sequence_number, s2.sequence_number);
  auto m = receive(url);
  ASSERT_EQ(m.size(), 1u);
  engine_.delete_message({url, m[0].receipt_handle});
  send(url, "x", std::nullopt, "g", "d1");
  EXPECT_TRUE(receive(url).empty());
  clock_.advance_ms(5 * 60 * 1000);
  auto s3 = send(url, "x", std::nullopt, "g", "d1");
  EXPECT_NE(s3.message_id, s1.message_id);
  EXPECT_GT(*s3.sequence_number, *s1.sequence_number);
}

TEST_F(EngineTest, Fifo_RequiresGroupAndDedup_AndRejectsPerMessageDelay) {
  auto url = create("f.fifo", {{"FifoQueue", "true"}});
  SendMessageRequest r;
  r.queue_url = url;
  r.message_body = "x";
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kMissingParameter);
  r.message_group_id = "g";
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
  r.message_deduplication_id = "d";
  r.delay_seconds = 2;
  EXPECT_EQ(engine_.send_message(r).error().code, ErrorCode::kInvalidParameterValue);
  r.delay_seconds = 0;
  EXPECT_TRUE(engine_.send_message(r));
}

TEST_F(EngineTest, RedrivePolicy_MovesMessageToDeadLetterQueue_OnReceiveBeyondMax) {
  auto dlq = create("dlq");
  auto src = create("src", {{"RedrivePolicy",
                             R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"})"}});
  auto sent = send(src, "poison");
  for (int i = 0; i < 2; ++i) {
    auto m = receive(src, 1, 0);
    ASSERT_EQ(m.size(), 1u) << i;
  }
  EXPECT_TRUE(receive(src, 1, 0).empty());
  auto moved = receive(dlq, 1, 30, {"All"});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].message_id, sent.message_id);
  bool saw_source = false;
  for (auto& [k, v] : moved[0].attributes) {
    if (k == "DeadLetterQueueSourceArn") saw_source = v == "arn:aws:sqs:us-east-1:000000000000:src";
    if (k == "ApproximateReceiveCount") {
      EXPECT_EQ(v, "4");
    }
  }
  EXPECT_TRUE(saw_source);
  auto sources = engine_.list_dead_letter_source_queues({dlq, {}, {}});
  ASSERT_TRUE(sources);
  EXPECT_EQ(sources->queue_urls, std::vector<std::string>{src});
}

TEST_F(EngineTest, RedrivePolicy_IsRejected_WhenTargetMissingOrWrongType) {
  auto r = engine_.create_queue(
      {"src", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:none","maxReceiveCount":1})"}}, {}});
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  r = engine_.create_queue({"src", {{"RedrivePolicy", R"({"maxReceiveCount":1})"}}, {}});
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  r = engine_.create_queue({"src", {{"RedrivePolicy", "not json"}}, {}});
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  create("f.fifo", {{"FifoQueue", "true"}});
  r = engine_.create_queue(
      {"src", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:f.fifo","maxReceiveCount":1})"}}, {}});
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(EngineTest, Permissions_AddAndRemoveEditThePolicy) {
  auto url = create("q");
  ASSERT_TRUE(engine_.set_queue_attributes(
      {url, {{"Policy", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Sid\": \"own\"} ]\n}"}}}));
  ASSERT_TRUE(engine_.add_permission({url, "L1", {"111111111111"}, {"SendMessage"}}));
  EXPECT_NE(attr(url, "Policy").find("\"Sid\":\"L1\""), std::string::npos);
  EXPECT_NE(attr(url, "Policy").find("\"Sid\":\"own\""), std::string::npos) << "kept";
  EXPECT_EQ(engine_.add_permission({url, "L1", {"111111111111"}, {"SendMessage"}}).error().code,
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(engine_.add_permission({url, "L2", {"1\"}]}"}, {"SendMessage"}}).error().code,
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(engine_.add_permission({url, "L2", {"111111111111"}, {"Send\"Message"}}).error().code,
            ErrorCode::kInvalidParameterValue);
  ASSERT_TRUE(engine_.remove_permission({url, "own"}));
  ASSERT_TRUE(engine_.remove_permission({url, "L1"}));
  EXPECT_EQ(attr(url, "Policy"), "<none>");
  EXPECT_EQ(engine_.remove_permission({url, "L1"}).error().code, ErrorCode::kInvalidParameterValue);
}

}  // namespace
}  // namespace tern::engine

namespace tern::engine {
namespace {

class MoveTaskTest : public EngineTest {
 protected:
  void SetUp() override {
    dlq_ = create("dlq");
    src_ = create("src", {{"RedrivePolicy",
                           R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1})"}});
  }
  void poison(int n) {
    for (int i = 0; i < n; ++i) send(src_, "m" + std::to_string(i));
    for (int i = 0; i < n; ++i) receive(src_, 10, 0);
    receive(src_, 10, 0);  // second receive moves them all
    ASSERT_EQ(attr(dlq_, "ApproximateNumberOfMessages"), std::to_string(n));
  }
  std::string dlq_, src_;
  const std::string dlq_arn_ = "arn:aws:sqs:us-east-1:000000000000:dlq";
};

TEST_F(MoveTaskTest, MovesBackToSourceAtTheGivenRate_AsNewMessages) {
  poison(6);
  auto moved_before = receive(dlq_, 1, 0);
  StartMessageMoveTaskRequest req;
  req.source_arn = dlq_arn_;
  req.max_number_of_messages_per_second = 2;
  auto started = engine_.start_message_move_task(req);
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(engine_.start_message_move_task(req).error().code, ErrorCode::kInvalidParameterValue);
  clock_.advance_ms(1000);
  engine_.tick();
  EXPECT_EQ(attr(src_, "ApproximateNumberOfMessages"), "2");
  auto list = engine_.list_message_move_tasks({dlq_arn_, 1});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->results.size(), 1u);
  EXPECT_EQ(list->results[0].status, "RUNNING");
  EXPECT_EQ(list->results[0].approximate_number_of_messages_moved, 2);
  EXPECT_TRUE(list->results[0].task_handle);
  for (int i = 0; i < 3; ++i) {
    clock_.advance_ms(1000);
    engine_.tick();
  }
  EXPECT_EQ(attr(src_, "ApproximateNumberOfMessages"), "6");
  EXPECT_EQ(attr(dlq_, "ApproximateNumberOfMessages"), "0");
  list = engine_.list_message_move_tasks({dlq_arn_, 10});
  EXPECT_EQ(list->results[0].status, "COMPLETED");
  EXPECT_FALSE(list->results[0].task_handle);
  auto back = receive(src_, 10, 30, {"ApproximateReceiveCount"});
  ASSERT_FALSE(back.empty());
  for (auto& m : back) {
    EXPECT_NE(m.message_id, moved_before[0].message_id);
    EXPECT_EQ(m.attributes[0].second, "1");  // a new message: counting starts again
  }
}

TEST_F(MoveTaskTest, Cancel_StopsTheTask_AndValidatesHandles) {
  poison(4);
  StartMessageMoveTaskRequest req;
  req.source_arn = dlq_arn_;
  req.destination_arn = create("elsewhere");
  req.destination_arn = "arn:aws:sqs:us-east-1:000000000000:elsewhere";
  req.max_number_of_messages_per_second = 1;
  auto started = engine_.start_message_move_task(req);
  ASSERT_TRUE(started);
  clock_.advance_ms(1000);
  engine_.tick();
  auto c = engine_.cancel_message_move_task({started->task_handle});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->approximate_number_of_messages_moved, 1);
  clock_.advance_ms(5000);
  engine_.tick();
  EXPECT_EQ(attr(dlq_, "ApproximateNumberOfMessages"), "3");
  EXPECT_EQ(engine_.list_message_move_tasks({dlq_arn_, 1})->results[0].status, "CANCELLED");
  EXPECT_EQ(engine_.cancel_message_move_task({"garbage"}).error().code,
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(engine_.cancel_message_move_task({started->task_handle}).error().code,
            ErrorCode::kInvalidParameterValue);
}

TEST_F(MoveTaskTest, Start_RejectsNonDeadLetterSourceAndMissingQueues) {
  StartMessageMoveTaskRequest req;
  req.source_arn = "arn:aws:sqs:us-east-1:000000000000:src";
  EXPECT_EQ(engine_.start_message_move_task(req).error().message,
            "Source queue must be configured as a Dead Letter Queue.");
  req.source_arn = "arn:aws:sqs:us-east-1:000000000000:nope";
  EXPECT_EQ(engine_.start_message_move_task(req).error().code, ErrorCode::kResourceNotFound);
  req.source_arn = dlq_arn_;
  req.destination_arn = "arn:aws:sqs:us-east-1:000000000000:nope";
  EXPECT_EQ(engine_.start_message_move_task(req).error().code, ErrorCode::kResourceNotFound);
}

TEST_F(MoveTaskTest, DeadLetterMove_KeepsRetentionClockOfTheOriginalSend) {
  ASSERT_TRUE(engine_.set_queue_attributes({dlq_, {{"MessageRetentionPeriod", "120"}}}));
  send(src_, "old");
  clock_.advance_ms(100'000);
  receive(src_, 1, 0);
  receive(src_, 1, 0);  // moved now, 100 s after it was sent
  EXPECT_EQ(attr(dlq_, "ApproximateNumberOfMessages"), "1");
  clock_.advance_ms(20'000);  // 120 s after the original send
  EXPECT_TRUE(receive(dlq_).empty());
}

}  // namespace
}  // namespace tern::engine
