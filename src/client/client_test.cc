#include "client/sqs_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <boost/json/parse.hpp>

#include "client/test_support.h"
#include "common/crypto.h"
#include "sigv4/verifier.h"

namespace tern::client {
namespace {
using testing::Broker;
using testing::FakeReply;
using testing::FakeServer;
namespace http = boost::beast::http;

std::unique_ptr<BlockingSqsClient> make_client(const std::string& endpoint,
                                               ClientOptions o = {}) {
  ClientOptions base = testing::options_for(endpoint);
  base.retry.max_attempts = o.retry.max_attempts;
  base.verify_md5 = o.verify_md5;
  base.session_token = o.session_token;
  auto c = BlockingSqsClient::create(base, testing::empty_sources());
  EXPECT_TRUE(c) << c.error().to_string();
  return std::move(c.value());
}

class ClientServerTest : public ::testing::Test {
 protected:
  ClientServerTest() : client_(make_client(broker_.url())) {}
  std::string create(const std::string& name, api::AttributeMap attrs = {}) {
    api::CreateQueueRequest r;
    r.queue_name = name;
    r.attributes = std::move(attrs);
    auto q = client_->create_queue(r);
    EXPECT_TRUE(q) << q.error().to_string();
    return q ? q->queue_url : "";
  }
  Broker broker_;
  std::unique_ptr<BlockingSqsClient> client_;
};

TEST_F(ClientServerTest, QueueActions_RoundTripAgainstServer) {
  std::string url = create("q1", {{"VisibilityTimeout", "45"}});
  ASSERT_NE(url.find("/q1"), std::string::npos);
  auto got = client_->get_queue_url({"q1", std::nullopt});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->queue_url, url);
  create("q2");
  api::ListQueuesRequest lq;
  lq.queue_name_prefix = "q";
  auto list = client_->list_queues(lq);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->queue_urls.size(), 2u);

  auto attrs = client_->get_queue_attributes({url, {"All"}});
  ASSERT_TRUE(attrs);
  std::map<std::string, std::string> m(attrs->attributes.begin(), attrs->attributes.end());
  EXPECT_EQ(m["VisibilityTimeout"], "45");
  ASSERT_TRUE(client_->set_queue_attributes({url, {{"DelaySeconds", "0"}, {"VisibilityTimeout", "5"}}}));
  attrs = client_->get_queue_attributes({url, {"VisibilityTimeout"}});
  ASSERT_TRUE(attrs);
  ASSERT_EQ(attrs->attributes.size(), 1u);
  EXPECT_EQ(attrs->attributes[0].second, "5");

  ASSERT_TRUE(client_->tag_queue({url, {{"team", "a"}, {"env", "dev"}}}));
  ASSERT_TRUE(client_->untag_queue({url, {"env"}}));
  auto tags = client_->list_queue_tags({url});
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->tags, (api::TagMap{{"team", "a"}}));

  api::AddPermissionRequest ap{url, "lbl", {"123456789012"}, {"SendMessage"}};
  ASSERT_TRUE(client_->add_permission(ap)) ;
  ASSERT_TRUE(client_->remove_permission({url, "lbl"}));

  std::string dlq = create("dlq");
  auto dlq_arn = client_->get_queue_attributes({dlq, {"QueueArn"}});
  ASSERT_TRUE(dlq_arn);
  std::string arn = dlq_arn->attributes.at(0).second;
  ASSERT_TRUE(client_->set_queue_attributes(
      {url, {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":"3"})"}}}));
  auto sources = client_->list_dead_letter_source_queues({dlq, std::nullopt, std::nullopt});
  ASSERT_TRUE(sources) << sources.error().to_string();
  EXPECT_EQ(sources->queue_urls, std::vector<std::string>{url});

  // Move tasks: start (the DLQ is a source's dead-letter queue now), list, cancel.
  auto task = client_->start_message_move_task({arn, std::nullopt, int64_t{1}});
  ASSERT_TRUE(task) << task.error().to_string();
  EXPECT_FALSE(task->task_handle.empty());
  auto tasks = client_->list_message_move_tasks({arn, 10});
  ASSERT_TRUE(tasks) << tasks.error().to_string();
  ASSERT_EQ(tasks->results.size(), 1u);
  EXPECT_EQ(tasks->results[0].source_arn, arn);
  auto cancelled = client_->cancel_message_move_task({task->task_handle});
  if (!cancelled) {  // an empty DLQ may have completed the task already
    EXPECT_TRUE(cancelled.error().is("InvalidParameterValue")) << cancelled.error().to_string();
  }
  auto bad = client_->cancel_message_move_task({"garbage"});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is("InvalidParameterValue"));

  ASSERT_TRUE(client_->purge_queue({url}));
  ASSERT_TRUE(client_->delete_queue({url}));
  auto gone = client_->get_queue_url({"q1", std::nullopt});
  ASSERT_FALSE(gone);
  EXPECT_TRUE(gone.error().is("QueueDoesNotExist"));
}

TEST_F(ClientServerTest, MessageActions_RoundTripWithAttributesAndChecksums) {
  std::string url = create("m");
  api::SendMessageRequest s;
  s.queue_url = url;
  s.message_body = "hello";
  s.message_attributes["City"] = {"String", "Any City", std::nullopt, {}, {}};
  s.message_attributes["Blob"] = {"Binary", std::nullopt, std::string("\0\1\2", 3), {}, {}};
  auto sent = client_->send_message(s);
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_EQ(sent->md5_of_message_body, "5d41402abc4b2a76b9719d911017c592");
  ASSERT_TRUE(sent->md5_of_message_attributes);

  api::SendMessageBatchRequest b;
  b.queue_url = url;
  for (int i = 0; i < 3; ++i) {
    api::SendMessageBatchRequestEntry e;
    e.id = "e" + std::to_string(i);
    e.message_body = "batch " + std::to_string(i);
    b.entries.push_back(e);
  }
  auto bs = client_->send_message_batch(b);
  ASSERT_TRUE(bs) << bs.error().to_string();
  EXPECT_EQ(bs->successful.size(), 3u);
  EXPECT_TRUE(bs->failed.empty());

  api::ReceiveMessageRequest r;
  r.queue_url = url;
  r.max_number_of_messages = 10;
  r.message_attribute_names = {"All"};
  r.attribute_names = {"All"};
  r.wait_time_seconds = 1;
  r.visibility_timeout = 30;
  std::vector<api::Message> got;
  for (int i = 0; i < 5 && got.size() < 4; ++i) {
    auto rr = client_->receive_message(r);
    ASSERT_TRUE(rr) << rr.error().to_string();
    for (auto& m : rr->messages) got.push_back(m);
  }
  ASSERT_EQ(got.size(), 4u);
  auto hello = std::find_if(got.begin(), got.end(), [](auto& m) { return m.body == "hello"; });
  ASSERT_NE(hello, got.end());
  EXPECT_EQ(hello->message_attributes.at("Blob").binary_value, std::string("\0\1\2", 3));

  ASSERT_TRUE(client_->change_message_visibility({url, got[0].receipt_handle, 60}));
  api::ChangeMessageVisibilityBatchRequest cv{url, {{"a", got[1].receipt_handle, 60}}};
  auto cvr = client_->change_message_visibility_batch(cv);
  ASSERT_TRUE(cvr);
  EXPECT_EQ(cvr->successful.size(), 1u);
  ASSERT_TRUE(client_->delete_message({url, got[0].receipt_handle}));
  api::DeleteMessageBatchRequest db{url, {{"x", got[1].receipt_handle},
                                          {"y", got[2].receipt_handle},
                                          {"z", "garbage"}}};
  auto dbr = client_->delete_message_batch(db);
  ASSERT_TRUE(dbr) << dbr.error().to_string();
  EXPECT_EQ(dbr->successful.size(), 2u);
  ASSERT_EQ(dbr->failed.size(), 1u);
  EXPECT_EQ(dbr->failed[0].id, "z");
  EXPECT_EQ(dbr->failed[0].error.code, api::ErrorCode::kReceiptHandleIsInvalid);
}

TEST_F(ClientServerTest, ServiceErrors_AreTypedAndNotRetried) {
  auto e = client_->get_queue_url({"nope", std::nullopt});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::kService);
  EXPECT_EQ(e.error().code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(e.error().shape, "QueueDoesNotExist");
  EXPECT_EQ(e.error().http_status, 400);
  EXPECT_FALSE(e.error().request_id.empty());
  EXPECT_FALSE(e.error().retryable);

  std::string url = create("err");
  auto bad = client_->delete_message({url, "garbage"});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is("ReceiptHandleIsInvalid")) << bad.error().to_string();

  api::ReceiveMessageRequest r;
  r.queue_url = url;
  r.max_number_of_messages = 11;
  auto range = client_->receive_message(r);
  ASSERT_FALSE(range);
  EXPECT_TRUE(range.error().is("InvalidParameterValue"));

  api::SendMessageBatchRequest empty{url, {}, "", std::nullopt};
  auto eb = client_->send_message_batch(empty);
  ASSERT_FALSE(eb);
  EXPECT_TRUE(eb.error().is("EmptyBatchRequest")) << eb.error().to_string();

  api::SendMessageRequest to_missing;
  to_missing.queue_url = url + "x";
  to_missing.message_body = "body";
  auto missing = client_->send_message(to_missing);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is("QueueDoesNotExist"));
}

TEST_F(ClientServerTest, KeepAlive_ReusesConnections) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client_->list_queues({}));
  EXPECT_EQ(client_->async().pool().connections_opened(), 1u);
}

TEST_F(ClientServerTest, ResolveQueueUrl_AcceptsNameOrUrl) {
  std::string url = create("named");
  auto a = client_->resolve_queue_url("named");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, url);
  auto b = client_->resolve_queue_url(url);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, url);
}

// ---- against the fake server ----------------------------------------------------------------

TEST(ClientSigningTest, Signature_VerifiesWhenRecomputedByServer) {
  FakeServer fake([](const auto&, int) { return FakeReply{false, 200, {}, R"({"QueueUrls":[]})"}; });
  ClientOptions o;
  o.session_token = "TOKEN123";
  auto c = make_client(fake.url(), o);
  ASSERT_TRUE(c->list_queues({}));
  auto reqs = fake.recorded();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& req = reqs[0];
  EXPECT_EQ(req[http::field::content_type], "application/x-amz-json-1.0");
  EXPECT_EQ(req["X-Amz-Target"], "AmazonSQS.ListQueues");
  EXPECT_EQ(req["X-Amz-Security-Token"], "TOKEN123");
  std::string auth(req[http::field::authorization]);
  EXPECT_NE(auth.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
                      "x-amz-target;x-amzn-query-mode"), std::string::npos) << auth;

  sigv4::HttpRequestView view;
  view.method = "POST";
  view.path = std::string(req.target());
  for (const auto& f : req) view.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  view.body = req.body();
  sigv4::CredentialStore store;
  store.add("AKIDTEST", sigv4::KeyEntry{"secret", "TOKEN123", {}, {}});
  auto amz = sigv4::parse_amz_date(std::string(req["X-Amz-Date"]));
  ASSERT_TRUE(amz);
  auto v = sigv4::verify({view, *amz}, store);
  EXPECT_TRUE(v.ok()) << v.message;
  // A tampered body no longer verifies.
  view.body += " ";
  EXPECT_FALSE(sigv4::verify({view, *amz}, store).ok());
}

TEST(ClientRetryTest, ServerError_RetriedUntilSuccess) {
  FakeServer fake([](const auto&, int i) {
    if (i < 2) return FakeReply{false, 503, {{"x-amzn-query-error", "ServiceUnavailable;Receiver"}}, R"({"__type":"com.amazon.coral.service#ServiceUnavailableException","message":"busy"})"};
    return FakeReply{false, 200, {}, R"({"QueueUrls":["http://x/1/a"]})"};
  });
  auto c = make_client(fake.url());
  auto r = c->list_queues({});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_urls.size(), 1u);
  EXPECT_EQ(fake.requests(), 3);
}

TEST(ClientRetryTest, ServerError_GivesUpAfterMaxAttempts) {
  FakeServer fake([](const auto&, int) { return FakeReply{false, 500, {}, "oops"}; });
  auto c = make_client(fake.url());
  auto r = c->list_queues({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(fake.requests(), 3);
}

TEST(ClientRetryTest, ClientError_NotRetried) {
  FakeServer fake([](const auto&, int) {
    return FakeReply{false, 400, {{"x-amzn-query-error", "InvalidParameterValue;Sender"}},
                     R"({"__type":"com.amazon.coral.service#InvalidParameterValueException","message":"bad"})"};
  });
  auto c = make_client(fake.url());
  auto r = c->list_queues({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
  EXPECT_EQ(r.error().shape, "InvalidParameterValueException");
  EXPECT_EQ(r.error().message, "bad");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(fake.requests(), 1);
}

TEST(ClientRetryTest, Throttling_RetriedEvenWith4xxStatus) {
  FakeServer fake([](const auto&, int i) {
    if (i == 0) return FakeReply{false, 403, {{"x-amzn-query-error", "RequestThrottled;Sender"}}, R"({"__type":"com.amazonaws.sqs#RequestThrottled"})"};
    return FakeReply{};
  });
  auto c = make_client(fake.url());
  ASSERT_TRUE(c->list_queues({}));
  EXPECT_EQ(fake.requests(), 2);
}

TEST(ClientRetryTest, DroppedConnection_Retried) {
  FakeServer fake([](const auto&, int i) {
    if (i == 0) return FakeReply{true, 0, {}, ""};
    return FakeReply{};
  });
  auto c = make_client(fake.url());
  auto r = c->list_queues({});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(fake.requests(), 2);
}

TEST(ClientRetryTest, DroppedConnection_IsTransportErrorWhenAttemptsRunOut) {
  FakeServer fake([](const auto&, int) { return FakeReply{true, 0, {}, ""}; });
  ClientOptions o;
  o.retry.max_attempts = 2;
  auto c = make_client(fake.url(), o);
  auto r = c->list_queues({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTransport);
  EXPECT_EQ(fake.requests(), 2);
}

TEST(ClientRetryTest, Backoff_IsFullJitterCappedExponential) {
  RetryOptions o;
  EXPECT_EQ(retry_delay(o, 1, false, 1.0).count(), 100);
  EXPECT_EQ(retry_delay(o, 3, false, 1.0).count(), 400);
  EXPECT_EQ(retry_delay(o, 3, false, 0.5).count(), 200);
  EXPECT_EQ(retry_delay(o, 2, true, 1.0).count(), 2000);
  EXPECT_EQ(retry_delay(o, 30, true, 1.0).count(), 20000);
  EXPECT_EQ(retry_delay(o, 30, true, 0.0).count(), 0);
}

TEST(ClientRetryTest, SignatureExpired_ResyncsClockFromDateAndRetries) {
  auto now = std::chrono::system_clock::now() + std::chrono::hours(2);
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&t));
  std::string date_header = date;
  FakeServer fake([date_header](const auto&, int i) {
    if (i == 0) {
      return FakeReply{false, 403,
                       {{"x-amzn-query-error", "SignatureDoesNotMatch;Sender"}, {"Date", date_header}},
                       R"J({"__type":"com.amazon.coral.service#InvalidSignatureException","message":"Signature expired: 20200101T000000Z is now earlier than 20200101T000500Z (20200101T002000Z - 15 min.)"})J"};
    }
    return FakeReply{};
  });
  auto c = make_client(fake.url());
  ASSERT_TRUE(c->list_queues({}));
  EXPECT_NEAR(static_cast<double>(c->async().clock_skew_ms()), 2.0 * 3600 * 1000, 5000);
  auto reqs = fake.recorded();
  ASSERT_EQ(reqs.size(), 2u);
  auto first = sigv4::parse_amz_date(std::string(reqs[0]["X-Amz-Date"]));
  auto second = sigv4::parse_amz_date(std::string(reqs[1]["X-Amz-Date"]));
  ASSERT_TRUE(first && second);
  EXPECT_NEAR(static_cast<double>(*second - *first), 2.0 * 3600 * 1000, 5000);
}

TEST(ClientChecksumTest, WrongBodyMd5_IsChecksumError) {
  FakeServer fake([](const auto&, int) {
    return FakeReply{false, 200, {}, R"({"MessageId":"m1","MD5OfMessageBody":"00000000000000000000000000000000"})"};
  });
  auto c = make_client(fake.url());
  api::SendMessageRequest s;
  s.queue_url = "http://x/000000000000/q";
  s.message_body = "hello";
  auto r = c->send_message(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kChecksum);
  EXPECT_EQ(fake.requests(), 1);  // never retried
}

TEST(ClientChecksumTest, WrongReceivedMd5_IsChecksumError) {
  FakeServer fake([](const auto&, int) {
    return FakeReply{false, 200, {}, R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"h","MD5OfBody":"5d41402abc4b2a76b9719d911017c592","Body":"hello","MD5OfMessageAttributes":"ffffffffffffffffffffffffffffffff","MessageAttributes":{"City":{"DataType":"String","StringValue":"Any City"}}}]})"};
  });
  auto c = make_client(fake.url());
  api::ReceiveMessageRequest r;
  r.queue_url = "http://x/000000000000/q";
  auto res = c->receive_message(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::kChecksum);
  EXPECT_NE(res.error().message.find("m1"), std::string::npos);
}

TEST(ClientChecksumTest, AttributeMd5_MatchesSpecVectors) {
  api::MessageAttributes a;
  a["City"] = {"String", "Any City", std::nullopt, {}, {}};
  a["Population"] = {"Number", "1250800", std::nullopt, {}, {}};
  a["Blob"] = {"Binary", std::nullopt, std::string("\0\1\2", 3), {}, {}};
  EXPECT_EQ(md5_of_message_attributes(a), "69d43f899c5f825653b41c617787137a");
}

TEST(ClientCodecTest, MoveTaskReplies_Decode) {
  auto o = boost::json::parse(R"({"Results":[{"TaskHandle":"t","Status":"RUNNING","SourceArn":"arn:a",
      "ApproximateNumberOfMessagesMoved":3,"ApproximateNumberOfMessagesToMove":9,"StartedTimestamp":1700000000000}]})").as_object();
  api::ListMessageMoveTasksResult r;
  ASSERT_TRUE(decode(o, r));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].approximate_number_of_messages_to_move, 9);
  auto bad = boost::json::parse(R"({"Messages":[{"MessageId":5}]})").as_object();
  api::ReceiveMessageResult rr;
  auto st = decode(bad, rr);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().find("MessageId"), std::string::npos);
  auto req = encode(api::CreateQueueRequest{"q", {}, {{"k", "v"}}});
  EXPECT_TRUE(req.contains("tags"));
}

TEST(ClientCodecTest, ErrorWithoutQueryHeader_UsesShapeName) {
  auto e = parse_error(400, "", "", R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist:http://x","Message":"gone"})");
  EXPECT_EQ(e.code, "QueueDoesNotExist");
  EXPECT_EQ(e.shape, "QueueDoesNotExist");
  EXPECT_EQ(e.message, "gone");
  auto junk = parse_error(502, "", "", "<html>bad gateway</html>");
  EXPECT_EQ(junk.code, "InternalFailure");
  EXPECT_FALSE(junk.sender_fault);
}

// ---- configuration ------------------------------------------------------------------------

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("tern-client-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "home/.aws");
    std::filesystem::create_directories(dir_ / "work");
    sources_.getenv = [this](const std::string& k) -> std::optional<std::string> {
      auto it = env_.find(k);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    sources_.working_directory = (dir_ / "work").string();
    sources_.home_directory = (dir_ / "home").string();
  }
  ~ConfigTest() override { std::filesystem::remove_all(dir_); }
  void write(const std::filesystem::path& rel, const std::string& text) {
    std::ofstream(dir_ / rel) << text;
  }
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  ConfigSources sources_;
};

TEST_F(ConfigTest, Defaults_WhenNothingConfigured) {
  auto rc = resolve_config({}, sources_);
  ASSERT_FALSE(rc);  // an AWS endpoint needs credentials
  EXPECT_EQ(rc.error().kind, ErrorKind::kConfig);
  ClientOptions o;
  o.endpoint = "http://127.0.0.1:9324";
  auto local = resolve_config(o, sources_);
  ASSERT_TRUE(local);
  EXPECT_EQ(local->credentials_source, "placeholder");
  EXPECT_EQ(local->region, "us-east-1");
  env_["AWS_ACCESS_KEY_ID"] = "A";
  env_["AWS_SECRET_ACCESS_KEY"] = "S";
  auto aws = resolve_config({}, sources_);
  ASSERT_TRUE(aws);
  EXPECT_EQ(aws->endpoint_url, "https://sqs.us-east-1.amazonaws.com");
  EXPECT_TRUE(aws->endpoint.tls);
  EXPECT_EQ(aws->endpoint.port, 443);
}

TEST_F(ConfigTest, Precedence_OptionsOverEnvOverDotenvOverProfiles) {
  write("home/.aws/credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
                                 "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n");
  write("home/.aws/config", "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n"
                            "endpoint_url = http://localhost:4566\n");
  auto files = resolve_config({}, sources_);
  ASSERT_TRUE(files) << files.error().to_string();
  EXPECT_EQ(files->credentials.access_key_id, "FILEKEY");
  EXPECT_EQ(files->credentials_source, "credentials-file");
  EXPECT_EQ(files->region, "eu-west-1");
  EXPECT_EQ(files->endpoint_url, "https://sqs.eu-west-1.amazonaws.com");

  write("work/.env", "# local settings\nexport AWS_PROFILE=dev\nAWS_ACCESS_KEY_ID=\"DOTKEY\"\n"
                     "AWS_SECRET_ACCESS_KEY='dot secret'\nAWS_REGION=us-west-2 # comment\n");
  auto dot = resolve_config({}, sources_);
  ASSERT_TRUE(dot);
  EXPECT_EQ(dot->profile, "dev");
  EXPECT_EQ(dot->credentials.access_key_id, "DOTKEY");
  EXPECT_EQ(dot->credentials.secret_access_key, "dot secret");
  EXPECT_EQ(dot->region, "us-west-2");
  EXPECT_EQ(dot->region_source, ".env");
  EXPECT_EQ(dot->endpoint_url, "http://localhost:4566");  // from profile dev, chosen by .env

  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  env_["AWS_SESSION_TOKEN"] = "ENVTOKEN";
  env_["AWS_DEFAULT_REGION"] = "sa-east-1";
  env_["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1";
  env_["AWS_ENDPOINT_URL_SQS"] = "http://127.0.0.1:2";
  auto e = resolve_config({}, sources_);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(e->credentials.session_token, "ENVTOKEN");
  EXPECT_EQ(e->region, "sa-east-1");  // real env beats .env's AWS_REGION
  EXPECT_EQ(e->endpoint_url, "http://127.0.0.1:2");

  ClientOptions o;
  o.access_key_id = "OPTKEY";
  o.secret_access_key = "OPTSECRET";
  o.region = "us-east-2";
  o.endpoint = "https://example.test:8443/base";
  auto opt = resolve_config(o, sources_);
  ASSERT_TRUE(opt);
  EXPECT_EQ(opt->credentials.access_key_id, "OPTKEY");
  EXPECT_TRUE(opt->credentials.session_token.empty());
  EXPECT_EQ(opt->region, "us-east-2");
  EXPECT_EQ(opt->endpoint.host, "example.test");
  EXPECT_EQ(opt->endpoint.port, 8443);
  EXPECT_EQ(opt->endpoint.path, "/base");
}

TEST_F(ConfigTest, Dotenv_NeverOverridesRealEnvironment) {
  write("work/.env", "AWS_REGION=from-dotenv\n");
  env_["AWS_REGION"] = "from-env";
  ClientOptions o;
  o.endpoint = "http://127.0.0.1:1";
  auto rc = resolve_config(o, sources_);
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->region, "from-env");
}

TEST(DotenvTest, Parse_HandlesQuotesCommentsAndExport) {
  auto m = parse_dotenv("A=1\n# c\n\nexport B = two words # trailing\nC=\"x\\ny\"\nD='lit\\n'\nbad line\nE=\n");
  EXPECT_EQ(m["A"], "1");
  EXPECT_EQ(m["B"], "two words");
  EXPECT_EQ(m["C"], "x\ny");
  EXPECT_EQ(m["D"], "lit\\n");
  EXPECT_EQ(m.count("bad line"), 0u);
  EXPECT_EQ(m["E"], "");
}

TEST(EndpointTest, Parse_RejectsBadUrls) {
  EXPECT_FALSE(parse_endpoint("ftp://x"));
  EXPECT_FALSE(parse_endpoint("http://"));
  EXPECT_FALSE(parse_endpoint("http://h:99999"));
  auto v6 = parse_endpoint("http://[::1]:9324");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:9324");
  EXPECT_TRUE(v6->is_loopback());
}

}  // namespace
}  // namespace tern::client
