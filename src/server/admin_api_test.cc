// The dashboard's component, driven in-process (no sockets): embedded files with their types and
// ETags, the queue list with rates, the peek, the SQS door, and access control (HTTP Basic with
// credentials, Host and cross-site checks without).
#include "server/admin_api.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/text.h"
#include "server/ui_assets.h"
#include "sigv4/credentials_file.h"

namespace tern::server {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using protocol::WireResponse;

constexpr char kCredentials[] = R"(
[admin]
aws_access_key_id = AKIDADMIN
aws_secret_access_key = admin-secret

[orders]
aws_access_key_id = AKIDORDERS
aws_secret_access_key = orders-secret
queues = orders-*
actions = SendMessage, GetQueueAttributes, GetQueueUrl

[temporary]
aws_access_key_id = AKIDTEMP
aws_secret_access_key = temp-secret
aws_session_token = token
)";

class AdminApiTest : public ::testing::Test {
 protected:
  explicit AdminApiTest(bool with_credentials = false)
      : engine_(engine_options()),
        dispatcher_(engine_, dispatcher_options(with_credentials)),
        admin_(dispatcher_) {}

  engine::EngineOptions engine_options() {
    engine::EngineOptions o;
    o.clock = &clock_;
    o.base_url = "http://127.0.0.1:9324";
    return o;
  }
  static DispatcherOptions dispatcher_options(bool with_credentials) {
    DispatcherOptions o;
    if (with_credentials) {
      auto store = sigv4::parse_credentials(kCredentials);
      EXPECT_TRUE(store);
      o.credentials = std::make_shared<const sigv4::CredentialStore>(std::move(*store));
    }
    return o;
  }

  WireResponse call(HttpRequest req) {
    asio::io_context ioc;
    auto fut = asio::co_spawn(ioc, admin_.handle(req), asio::use_future);
    ioc.run();
    return fut.get();
  }
  WireResponse get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest r;
    r.method = "GET";
    r.target = std::move(target);
    r.headers = {{"Host", "127.0.0.1:9324"}};
    for (auto& h : headers) r.headers.push_back(std::move(h));
    return call(std::move(r));
  }
  WireResponse sqs(std::string action, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/ui/api/sqs";
    r.headers = {{"Host", "127.0.0.1:9324"},
                 {"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "AmazonSQS." + action},
                 {"Origin", "http://127.0.0.1:9324"},
                 {"Sec-Fetch-Site", "same-origin"}};
    for (auto& h : headers) {
      std::erase_if(r.headers, [&](const auto& x) { return iequals(x.first, h.first); });
      r.headers.push_back(std::move(h));
    }
    r.body = std::move(body);
    return call(std::move(r));
  }
  static json::object parse(const WireResponse& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v.is_object() ? v.as_object() : json::object{};
  }
  static std::string header(const WireResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (iequals(k, name)) return v;
    }
    return "";
  }
  static std::string error_of(const WireResponse& r) {
    auto o = parse(r);
    return o.contains("error") ? std::string(o["error"].as_string()) : "<none>";
  }
  std::string create(const std::string& name, std::string attributes = "{}") {
    auto r = engine_.create_queue({name, {}, {}});
    EXPECT_TRUE(r);
    if (attributes != "{}") {
      auto s = sqs("SetQueueAttributes", R"({"QueueUrl":")" + r->queue_url +
                                             R"(","Attributes":)" + attributes + "}");
      EXPECT_EQ(s.status, 200) << s.body;
    }
    return r ? r->queue_url : "";
  }
  void send(const std::string& url, const std::string& body) {
    engine::SendMessageRequest r;
    r.queue_url = url;
    r.message_body = body;
    ASSERT_TRUE(engine_.send_message(r));
  }
  json::object queue_entry(const WireResponse& r, std::string_view name) {
    auto o = parse(r);
    for (auto& q : o["queues"].as_array()) {
      if (q.as_object().at("name").as_string() == name) return q.as_object();
    }
    ADD_FAILURE() << name << " not in " << r.body;
    return {};
  }

  ManualClock clock_;
  engine::Engine engine_;
  Dispatcher dispatcher_;
  AdminApi admin_;
};

class AdminApiAuthTest : public AdminApiTest {
 protected:
  AdminApiAuthTest() : AdminApiTest(true) {}
  static std::pair<std::string, std::string> basic(const std::string& user, const std::string& pw) {
    return {"Authorization", "Basic " + base64_encode(user + ":" + pw)};
  }
};

TEST(AdminApiRouting, Handles_UiAndBelow_Only) {
  EXPECT_TRUE(AdminApi::handles("/ui"));
  EXPECT_TRUE(AdminApi::handles("/ui/"));
  EXPECT_TRUE(AdminApi::handles("/ui/app.js"));
  EXPECT_TRUE(AdminApi::handles("/ui?x=1"));
  EXPECT_FALSE(AdminApi::handles("/uix"));
  EXPECT_FALSE(AdminApi::handles("/"));
  EXPECT_FALSE(AdminApi::handles("/000000000000/ui"));
  EXPECT_FALSE(AdminApi::handles("/health"));
}

TEST(UiAssets, EveryFileIsEmbedded_WithItsType) {
  ASSERT_NE(find_ui_asset("index.html"), nullptr);
  EXPECT_EQ(find_ui_asset("index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(find_ui_asset("app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(find_ui_asset("style.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(find_ui_asset("favicon.svg")->content_type, "image/svg+xml");
  EXPECT_EQ(find_ui_asset("missing.js"), nullptr);
  for (const auto& a : ui_assets()) {
    EXPECT_FALSE(a.data.empty()) << a.name;
    EXPECT_EQ(a.etag.size(), 22u) << a.name;  // 20 hex digits, quoted
  }
  // The page loads only what is embedded, from this server (no CDN).
  std::string_view index = find_ui_asset("index.html")->data;
  EXPECT_NE(index.find("/ui/app.js"), std::string_view::npos);
  EXPECT_EQ(index.find("http://"), std::string_view::npos);
  EXPECT_EQ(index.find("https://"), std::string_view::npos);
}

TEST_F(AdminApiTest, Index_IsServedWithTypeEtagAndSecurityHeaders_And304WhenUnchanged) {
  auto r = get("/ui/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, find_ui_asset("index.html")->data);
  std::string etag = header(r, "ETag");
  EXPECT_EQ(etag, find_ui_asset("index.html")->etag);
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  EXPECT_NE(header(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");

  auto again = get("/ui/", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(get("/ui/", {{"If-None-Match", "\"stale\""}}).status, 200);

  auto js = get("/ui/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(header(js, "ETag"), etag);
}

TEST_F(AdminApiTest, UiWithoutSlash_RedirectsToTheIndex) {
  auto r = get("/ui");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(header(r, "Location"), "/ui/");
}

TEST_F(AdminApiTest, UnknownPathsAndMethods_AreJsonErrors) {
  for (const char* target : {"/ui/nope.html", "/ui/../etc/passwd", "/ui/api/nope", "/ui/api/queues/x",
                             "/ui/api/queues/x/other", "/ui/api/", "/ui/api/queues/x/messages/y"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.content_type, "application/json") << target;
    EXPECT_EQ(error_of(r), "NotFound") << target;
  }
  HttpRequest post;
  post.method = "POST";
  post.target = "/ui/api/queues";
  post.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
  auto r = call(post);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET");
  post.target = "/ui/";
  EXPECT_EQ(call(post).status, 405);
  EXPECT_EQ(get("/ui/api/sqs").status, 405);
}

TEST_F(AdminApiTest, Info_NamesTheServerAndTheAuthMode) {
  auto o = parse(get("/ui/api/info"));
  EXPECT_EQ(o["region"].as_string(), "us-east-1");
  EXPECT_EQ(o["account_id"].as_string(), "000000000000");
  EXPECT_EQ(o["endpoint"].as_string(), "http://127.0.0.1:9324");
  EXPECT_EQ(o["auth"].as_string(), "none");
  EXPECT_TRUE(o["user"].is_null());
}

TEST_F(AdminApiTest, Queues_ShowDepthByState_RatesInAndOut_AndDeadLetterLinks) {
  create("dlq");
  auto url = create("work", R"({"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"4\"}"})");
  send(url, "a");
  auto r = get("/ui/api/queues");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  auto q = queue_entry(r, "work");
  EXPECT_EQ(q["visible"].as_int64(), 1);
  EXPECT_EQ(q["entered"].to_number<uint64_t>(), 1u);
  EXPECT_TRUE(q["in_rate"].is_null());  // one sample: no rate yet
  EXPECT_EQ(q["dead_letter_target"].as_object()["name"].as_string(), "dlq");
  EXPECT_EQ(q["max_receive_count"].as_int64(), 4);
  auto d = queue_entry(r, "dlq");
  ASSERT_EQ(d["dead_letter_sources"].as_array().size(), 1u);
  EXPECT_EQ(d["dead_letter_sources"].as_array()[0].as_string(), "work");
  EXPECT_TRUE(d["dead_letter_target"].is_null());

  // Two seconds later: 10 more sent, 4 received (in flight), 3 of them deleted.
  clock_.advance_ms(2000);
  for (int i = 0; i < 10; ++i) send(url, "m" + std::to_string(i));
  engine::ReceiveMessageRequest rr;
  rr.queue_url = url;
  rr.max_number_of_messages = 4;
  auto got = engine_.receive_message(rr);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->messages.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engine_.delete_message({url, got->messages[i].receipt_handle}));
  }
  r = get("/ui/api/queues");
  q = queue_entry(r, "work");
  EXPECT_EQ(q["visible"].as_int64(), 7);
  EXPECT_EQ(q["in_flight"].as_int64(), 1);
  EXPECT_EQ(q["delayed"].as_int64(), 0);
  EXPECT_DOUBLE_EQ(q["in_rate"].to_number<double>(), 5.0);   // 10 in 2 s
  EXPECT_DOUBLE_EQ(q["out_rate"].to_number<double>(), 1.5);  // 3 out in 2 s
  auto& hist = q["history"].as_object();
  ASSERT_EQ(hist["t"].as_array().size(), 2u);
  EXPECT_EQ(hist["visible"].as_array()[0].as_int64(), 1);
  EXPECT_EQ(hist["visible"].as_array()[1].as_int64(), 7);
  EXPECT_EQ(hist["in_flight"].as_array()[1].as_int64(), 1);

  // Within the sampling interval no sample is added, but the depth is current.
  clock_.advance_ms(100);
  send(url, "late");
  q = queue_entry(get("/ui/api/queues"), "work");
  EXPECT_EQ(q["visible"].as_int64(), 8);
  EXPECT_EQ(q["history"].as_object()["t"].as_array().size(), 2u);

  // A deleted and re-created queue starts a new history.
  ASSERT_TRUE(engine_.delete_queue({url}));
  create("work");
  clock_.advance_ms(1000);
  q = queue_entry(get("/ui/api/queues"), "work");
  EXPECT_EQ(q["history"].as_object()["t"].as_array().size(), 1u);
  EXPECT_TRUE(q["in_rate"].is_null());
  EXPECT_EQ(get("/ui/api/queues?x=1").status, 400);
}

TEST_F(AdminApiTest, ANewQueue_GetsItsFirstSampleAtOnce) {
  create("first");
  ASSERT_EQ(get("/ui/api/queues").status, 200);
  clock_.advance_ms(100);
  create("second");
  auto r = get("/ui/api/queues");
  EXPECT_EQ(queue_entry(r, "second")["history"].as_object()["t"].as_array().size(), 1u);
  EXPECT_EQ(queue_entry(r, "first")["history"].as_object()["t"].as_array().size(), 1u);
  clock_.advance_ms(AdminApi::kSampleEveryMs);
  r = get("/ui/api/queues");
  EXPECT_EQ(queue_entry(r, "first")["history"].as_object()["t"].as_array().size(), 2u);
  EXPECT_EQ(queue_entry(r, "second")["history"].as_object()["t"].as_array().size(), 2u);
}

TEST_F(AdminApiTest, History_KeepsTheLatestSamplesOnly) {
  create("q");
  for (size_t i = 0; i < AdminApi::kHistorySamples + 20; ++i) {
    clock_.advance_ms(1000);
    ASSERT_EQ(get("/ui/api/queues").status, 200);
  }
  auto q = queue_entry(get("/ui/api/queues"), "q");
  EXPECT_EQ(q["history"].as_object()["t"].as_array().size(), AdminApi::kHistorySamples);
}

TEST_F(AdminApiTest, Peek_ShowsMessagesInPages_WithoutReceivingThem) {
  auto url = create("q");
  for (int i = 0; i < 5; ++i) send(url, "body-" + std::to_string(i));
  auto r = get("/ui/api/queues/q/messages?limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = parse(r);
  EXPECT_EQ(o["total"].to_number<uint64_t>(), 5u);
  auto& msgs = o["messages"].as_array();
  ASSERT_EQ(msgs.size(), 3u);
  auto& m0 = msgs[0].as_object();
  EXPECT_EQ(m0["body"].as_string(), "body-0");
  EXPECT_EQ(m0["state"].as_string(), "visible");
  EXPECT_EQ(m0["receive_count"].as_int64(), 0);
  EXPECT_TRUE(m0["first_receive_ms"].is_null());
  EXPECT_EQ(m0["sent_ms"].as_int64(), clock_.now_ms());
  EXPECT_EQ(m0["md5_of_body"].as_string(), md5_hex("body-0"));
  uint64_t next = o["next_after"].to_number<uint64_t>();
  EXPECT_EQ(next, msgs[2].as_object()["seq"].to_number<uint64_t>());

  o = parse(get("/ui/api/queues/q/messages?limit=3&after=" + std::to_string(next)));
  ASSERT_EQ(o["messages"].as_array().size(), 2u);
  EXPECT_EQ(o["messages"].as_array()[0].as_object()["body"].as_string(), "body-3");
  EXPECT_TRUE(o["next_after"].is_null());

  // Still receivable, each for the first time (through the dashboard's SQS door).
  auto rec = sqs("ReceiveMessage",
                 R"({"QueueUrl":")" + url + R"(","MaxNumberOfMessages":10,"AttributeNames":["All"]})");
  ASSERT_EQ(rec.status, 200) << rec.body;
  auto ro = parse(rec);
  ASSERT_EQ(ro["Messages"].as_array().size(), 5u);
  for (auto& m : ro["Messages"].as_array()) {
    EXPECT_EQ(m.as_object()["Attributes"].as_object()["ApproximateReceiveCount"].as_string(), "1");
  }
  // ... and now shown in flight, with their receive count and deadline.
  o = parse(get("/ui/api/queues/q/messages"));
  auto& m = o["messages"].as_array()[0].as_object();
  EXPECT_EQ(m["state"].as_string(), "in_flight");
  EXPECT_EQ(m["receive_count"].as_int64(), 1);
  EXPECT_EQ(m["visible_at_ms"].as_int64(), clock_.now_ms() + 30'000);
}

TEST_F(AdminApiTest, Peek_CutsLongBodies_UnlessAskedForAll) {
  auto url = create("q");
  send(url, std::string(5000, 'x'));
  auto m = parse(get("/ui/api/queues/q/messages"))["messages"].as_array()[0].as_object();
  EXPECT_EQ(m["body"].as_string().size(), 4096u);
  EXPECT_TRUE(m["body_truncated"].as_bool());
  EXPECT_EQ(m["body_bytes"].to_number<uint64_t>(), 5000u);
  m = parse(get("/ui/api/queues/q/messages?body_limit=0"))["messages"].as_array()[0].as_object();
  EXPECT_EQ(m["body"].as_string().size(), 5000u);
  EXPECT_FALSE(m["body_truncated"].as_bool());
}

TEST_F(AdminApiTest, Peek_BadInput_IsAClearJsonError) {
  create("q");
  struct Case {
    const char* target;
    int status;
    const char* error;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"/ui/api/queues/q/messages?after=abc", 400, "InvalidParameter", "after"},
           {"/ui/api/queues/q/messages?after=-1", 400, "InvalidParameter", "after"},
           {"/ui/api/queues/q/messages?limit=0", 400, "InvalidParameter", "limit"},
           {"/ui/api/queues/q/messages?limit=101", 400, "InvalidParameter", "limit"},
           {"/ui/api/queues/q/messages?limit=99999999999999999999999", 400, "InvalidParameter", "limit"},
           {"/ui/api/queues/q/messages?body_limit=2000000", 400, "InvalidParameter", "body_limit"},
           {"/ui/api/queues/q/messages?bogus=1", 400, "InvalidParameter", "bogus"},
           {"/ui/api/queues/q/messages?after=%zz", 400, "InvalidParameter", "malformed"},
           {"/ui/api/queues/%zz/messages", 400, "InvalidParameter", "queue name"},
           {"/ui/api/queues//messages", 400, "InvalidParameter", "queue name"},
           {"/ui/api/queues/missing/messages", 404, "QueueDoesNotExist", "does not exist"},
       }) {
    auto r = get(c.target);
    EXPECT_EQ(r.status, c.status) << c.target << " " << r.body;
    EXPECT_EQ(r.content_type, "application/json") << c.target;
    EXPECT_EQ(error_of(r), c.error) << c.target;
    EXPECT_NE(std::string(parse(r)["message"].as_string()).find(c.says), std::string::npos)
        << c.target << " " << r.body;
  }
}

TEST_F(AdminApiTest, SqsDoor_RunsActionsThroughTheDispatcher) {
  auto r = sqs("CreateQueue", R"({"QueueName":"made-here"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r)["QueueUrl"].as_string(), "http://127.0.0.1:9324/000000000000/made-here");
  r = sqs("SendMessage",
          R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/made-here","MessageBody":"hi"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r)["MD5OfMessageBody"].as_string(), md5_hex("hi"));
  r = sqs("PurgeQueue", R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/made-here"})");
  EXPECT_EQ(r.status, 200) << r.body;
  // SQS errors come back as SQS's JSON errors.
  r = sqs("GetQueueUrl", R"({"QueueName":"missing"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("QueueDoesNotExist"), std::string::npos);
  r = sqs("SendMessage", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("SerializationException"), std::string::npos) << r.body;
  r = sqs("Frobnicate", "{}");
  EXPECT_EQ(r.status, 400);
}

TEST_F(AdminApiTest, SqsDoor_RefusesWhatABrowserWouldSendCrossSite) {
  // A form post (a "simple" request other sites can make) is not JSON.
  auto r = sqs("PurgeQueue", "{}", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415);
  r = sqs("PurgeQueue", "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  r = sqs("CreateQueue", R"({"QueueName":"x"})", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_of(r), "CrossOriginRequest");
  r = sqs("CreateQueue", R"({"QueueName":"x"})", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(engine_.get_queue_url({"x", std::nullopt}));
  r = sqs("CreateQueue", R"({"QueueName":"x"})", {{"X-Amz-Target", "Other.CreateQueue"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r), "MissingAction");
  // Without Origin (curl, same-origin GET-less tools) and with application/json it is accepted.
  HttpRequest plain;
  plain.method = "POST";
  plain.target = "/ui/api/sqs";
  plain.headers = {{"Host", "localhost:9324"},
                   {"Content-Type", "application/json; charset=utf-8"},
                   {"X-Amz-Target", "AmazonSQS.CreateQueue"}};
  plain.body = R"({"QueueName":"x"})";
  EXPECT_EQ(call(plain).status, 200);
}

TEST_F(AdminApiTest, WithoutCredentials_OnlyLoopbackNamesAndThePublicHost_AreServed) {
  for (const char* host : {"127.0.0.1:9324", "localhost:9324", "[::1]:9324", "10.1.2.3",
                           "LOCALHOST", "app.localhost:80"}) {
    EXPECT_EQ(get("/ui/api/info", {{"Host", host}}).status, 200) << host;
  }
  for (const char* host : {"evil.example:9324", "127.0.0.1.evil.example", "", "localhost.evil"}) {
    HttpRequest r;
    r.method = "GET";
    r.target = "/ui/";
    if (*host != '\0') r.headers = {{"Host", host}};
    auto res = call(r);
    EXPECT_EQ(res.status, 403) << host;
    EXPECT_EQ(error_of(res), "HostNotAllowed") << host;
  }
}

TEST_F(AdminApiTest, ThePublicUrlsHost_IsAllowed) {
  engine::EngineOptions o;
  o.base_url = "http://broker.internal:9324";
  engine::Engine engine(o);
  Dispatcher dispatcher(engine);
  AdminApi admin(dispatcher);
  HttpRequest r;
  r.method = "GET";
  r.target = "/ui/api/info";
  r.headers = {{"Host", "Broker.Internal:9324"}};
  asio::io_context ioc;
  auto fut = asio::co_spawn(ioc, admin.handle(r), asio::use_future);
  ioc.run();
  EXPECT_EQ(fut.get().status, 200);
}

TEST_F(AdminApiAuthTest, EveryPath_NeedsBasicCredentials) {
  for (const char* target : {"/ui", "/ui/", "/ui/app.js", "/ui/api/queues", "/ui/api/info",
                             "/ui/nope"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Basic realm=\"tern\", charset=\"UTF-8\"");
    EXPECT_EQ(error_of(r), "Unauthorized");
  }
  EXPECT_EQ(sqs("CreateQueue", R"({"QueueName":"x"})").status, 401);
  EXPECT_FALSE(engine_.get_queue_url({"x", std::nullopt}));
  // Wrong secret, unknown key, a secret's prefix, malformed headers, a session-token key.
  for (auto h : std::vector<std::pair<std::string, std::string>>{
           basic("AKIDADMIN", "wrong"),
           basic("AKIDADMIN", "admin-secre"),
           basic("AKIDADMIN", "admin-secret "),
           basic("AKIDNOBODY", "admin-secret"),
           basic("AKIDTEMP", "temp-secret"),
           {"Authorization", "Basic !!!"},
           {"Authorization", "Basic " + base64_encode("no-colon")},
           {"Authorization", "Bearer abc"},
           {"Authorization", "Basic"},
       }) {
    EXPECT_EQ(get("/ui/api/info", {h}).status, 401) << h.second;
  }
  auto ok = get("/ui/api/info", {basic("AKIDADMIN", "admin-secret")});
  ASSERT_EQ(ok.status, 200);
  auto info = parse(ok);
  EXPECT_EQ(info["auth"].as_string(), "basic");
  EXPECT_EQ(info["user"].as_string(), "AKIDADMIN");
  EXPECT_EQ(get("/ui/", {basic("AKIDADMIN", "admin-secret")}).status, 200);
  // With a login, any Host is fine (the server may be reached under any name).
  EXPECT_EQ(get("/ui/", {basic("AKIDADMIN", "admin-secret"), {"Host", "broker.example"}}).status, 200);
}

TEST_F(AdminApiAuthTest, SqsDoor_ActsAsTheSignedInKey_WithItsLimits) {
  auto admin = basic("AKIDADMIN", "admin-secret");
  auto orders = basic("AKIDORDERS", "orders-secret");
  ASSERT_EQ(sqs("CreateQueue", R"({"QueueName":"orders-1"})", {admin}).status, 200);
  ASSERT_EQ(sqs("CreateQueue", R"({"QueueName":"billing"})", {admin}).status, 200);
  // SenderId is the signed-in key.
  ASSERT_EQ(sqs("SendMessage",
                R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/orders-1","MessageBody":"x"})",
                {orders})
                .status,
            200);
  auto peek = parse(get("/ui/api/queues/orders-1/messages", {admin}));
  EXPECT_EQ(peek["messages"].as_array()[0].as_object()["sender_id"].as_string(), "AKIDORDERS");
  // Actions and queues outside the key's limits are AccessDenied, from the dispatcher.
  auto r = sqs("PurgeQueue", R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/orders-1"})",
               {orders});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("AccessDenied"), std::string::npos) << r.body;
  r = sqs("SendMessage",
          R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/billing","MessageBody":"x"})",
          {orders});
  EXPECT_EQ(r.status, 403);
  // The queue list shows only the key's queues; a peek needs ReceiveMessage.
  auto list = parse(get("/ui/api/queues", {orders}));
  ASSERT_EQ(list["queues"].as_array().size(), 1u);
  EXPECT_EQ(list["queues"].as_array()[0].as_object()["name"].as_string(), "orders-1");
  EXPECT_EQ(parse(get("/ui/api/queues", {admin}))["queues"].as_array().size(), 2u);
  auto denied = get("/ui/api/queues/orders-1/messages", {orders});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(error_of(denied), "AccessDenied");
}

}  // namespace
}  // namespace tern::server
