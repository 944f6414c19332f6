#include "server/dispatcher.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <thread>

#include "common/text.h"

namespace tern::server {
namespace {
namespace asio = boost::asio;

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : engine_(options()), dispatcher_(engine_) {}
  engine::EngineOptions options() {
    engine::EngineOptions o;
    o.base_url = "http://127.0.0.1:9324";
    return o;
  }
  protocol::WireResponse call(HttpRequest req) {
    asio::io_context ioc;
    auto fut = asio::co_spawn(asio::make_strand(ioc), dispatcher_.handle(req), asio::use_future);
    ioc.run();
    return fut.get();
  }
  protocol::WireResponse json(std::string action, std::string body) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "AmazonSQS." + action}};
    r.body = std::move(body);
    return call(r);
  }
  protocol::WireResponse query(std::string body, std::string target = "/") {
    HttpRequest r;
    r.method = "POST";
    r.target = std::move(target);
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = std::move(body);
    return call(r);
  }
  static std::string header(const protocol::WireResponse& r, std::string_view name) {
    for (auto& [k, v] : r.headers) {
      if (iequals(k, name)) return v;
    }
    return "";
  }
  engine::Engine engine_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, JsonCreateSendReceiveDelete_RoundTrip) {
  auto c = json("CreateQueue", R"({"QueueName":"q1"})");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.body, R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q1"})");
  auto s = json("SendMessage",
                R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q1","MessageBody":"hello"})");
  ASSERT_EQ(s.status, 200) << s.body;
  auto sj = boost::json::parse(s.body).as_object();
  EXPECT_EQ(sj["MD5OfMessageBody"].as_string(), "5d41402abc4b2a76b9719d911017c592");
  auto r = json("ReceiveMessage",
                R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q1","AttributeNames":["All"]})");
  ASSERT_EQ(r.status, 200);
  auto rj = boost::json::parse(r.body).as_object();
  auto& m = rj["Messages"].as_array()[0].as_object();
  EXPECT_EQ(m["Body"].as_string(), "hello");
  EXPECT_EQ(m["Attributes"].as_object()["ApproximateReceiveCount"].as_string(), "1");
  auto d = json("DeleteMessage", R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q1","ReceiptHandle":")" +
                                     std::string(m["ReceiptHandle"].as_string()) + "\"}");
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body, "{}");
  auto empty = json("ReceiveMessage", R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q1"})");
  EXPECT_EQ(empty.body, "{}");
}

TEST_F(DispatcherTest, QueryProtocol_AnswersXml_AndResolvesQueueFromPath) {
  auto c = query("Action=CreateQueue&Version=2012-11-05&QueueName=q2");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_NE(c.body.find("<QueueUrl>http://127.0.0.1:9324/000000000000/q2</QueueUrl>"),
            std::string::npos);
  auto s = query("Action=SendMessage&Version=2012-11-05&MessageBody=a+b%0D", "/000000000000/q2");
  ASSERT_EQ(s.status, 200) << s.body;
  auto r = query("Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fx%2F000000000000%2Fq2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<Body>a b&#xD;</Body>"), std::string::npos) << r.body;
}

TEST_F(DispatcherTest, Errors_CarryQueryErrorHeaderAndRightStatus) {
  auto e = json("GetQueueUrl", R"({"QueueName":"missing"})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(header(e, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_NE(e.body.find("QueueDoesNotExist"), std::string::npos);
  EXPECT_FALSE(header(e, "x-amzn-RequestId").empty());
  auto bad = json("SendMessage", "{not json");
  EXPECT_EQ(bad.status, 400);
  auto unknown = json("Frobnicate", "{}");
  EXPECT_EQ(unknown.status, 400);
  auto q = query("Action=GetQueueUrl&QueueName=missing");
  EXPECT_EQ(q.status, 400);
  EXPECT_NE(q.body.find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"), std::string::npos);
}

TEST_F(DispatcherTest, MoveTaskOnMissingSource_AnswersResourceNotFound404) {
  auto r = json("ListMessageMoveTasks", R"({"SourceArn":"arn:aws:sqs:us-east-1:000000000000:x"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(header(r, "x-amzn-query-error").find("ResourceNotFoundException"), std::string::npos);
}

TEST_F(DispatcherTest, LongPoll_ReturnsAsSoonAsAnotherThreadSends) {
  ASSERT_EQ(json("CreateQueue", R"({"QueueName":"lp"})").status, 200);
  asio::io_context ioc;
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "AmazonSQS.ReceiveMessage"}};
  r.body = R"({"QueueUrl":"/000000000000/lp","WaitTimeSeconds":20})";
  auto start = std::chrono::steady_clock::now();
  auto fut = asio::co_spawn(asio::make_strand(ioc), dispatcher_.handle(r), asio::use_future);
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    engine::SendMessageRequest s;
    s.queue_url = "/000000000000/lp";
    s.message_body = "wake";
    ASSERT_TRUE(engine_.send_message(s));
  });
  ioc.run();
  sender.join();
  auto res = fut.get();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_NE(res.body.find("wake"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(DispatcherTest, Shutdown_EndsPendingLongPollsWithNoMessages) {
  ASSERT_EQ(json("CreateQueue", R"({"QueueName":"lp2"})").status, 200);
  asio::io_context ioc;
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "AmazonSQS.ReceiveMessage"}};
  r.body = R"({"QueueUrl":"/000000000000/lp2","WaitTimeSeconds":20})";
  auto start = std::chrono::steady_clock::now();
  auto fut = asio::co_spawn(asio::make_strand(ioc), dispatcher_.handle(r), asio::use_future);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    dispatcher_.shutdown();
  });
  ioc.run();
  stopper.join();
  auto res = fut.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "{}");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace tern::server
