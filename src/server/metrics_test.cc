// GET /metrics: known activity driven through the dispatcher in-process shows up as the right
// numbers in the rendered Prometheus text; the text is well-formed exposition format 0.0.4
// (every sample under a HELP and TYPE, histograms cumulative); the HTTP server serves it and
// reports each answered request to the request-log hook.
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "server/dispatcher.h"
#include "server/http_server.h"

namespace tern::server {
namespace {
namespace asio = boost::asio;

// The samples of an exposition, keyed by `name{labels}` exactly as written, after checking the
// format: comments are HELP/TYPE, each family has both before its samples, each sample belongs
// to a declared family (histogram series by their base name) and has a number for a value.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;

  double at(const std::string& key) const {
    auto it = samples.find(key);
    if (it == samples.end()) {
      ADD_FAILURE() << "no sample " << key;
      return NAN;
    }
    return it->second;
  }
  bool has(const std::string& key) const { return samples.count(key) != 0; }
};

Exposition parse(const std::string& text) {
  Exposition e;
  std::set<std::string> helped;
  std::istringstream in(text);
  std::string line;
  EXPECT_TRUE(!text.empty() && text.back() == '\n') << "the text ends with a newline";
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty()) << "no blank lines";
    if (line.rfind("# HELP ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(helped.insert(name).second) << "HELP twice for " << name;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream f(line.substr(7));
      std::string name, type;
      f >> name >> type;
      EXPECT_TRUE(helped.count(name)) << "TYPE before HELP for " << name;
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
      EXPECT_TRUE(e.types.emplace(name, type).second) << "TYPE twice for " << name;
      if (type == "counter") {
        EXPECT_TRUE(name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0)
            << "counter names end in _total: " << name;
      }
      continue;
    }
    EXPECT_NE(line[0], '#') << "unexpected comment: " << line;
    auto space = line.rfind(' ');
    EXPECT_NE(space, std::string::npos) << line;
    std::string key = line.substr(0, space);
    std::string value = line.substr(space + 1);
    std::string name = key.substr(0, key.find('{'));
    EXPECT_EQ(name.rfind("tern_", 0), 0u) << "tern_ prefix: " << name;
    std::string family = name;
    for (std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          e.types.count(name.substr(0, name.size() - suffix.size())) &&
          e.types[name.substr(0, name.size() - suffix.size())] == "histogram") {
        family = name.substr(0, name.size() - suffix.size());
      }
    }
    EXPECT_TRUE(e.types.count(family)) << "sample before its TYPE: " << line;
    char* end = nullptr;
    double v = value == "+Inf" ? INFINITY : std::strtod(value.c_str(), &end);
    if (value != "+Inf") {
      EXPECT_EQ(*end, '\0') << "not a number: " << line;
    }
    EXPECT_TRUE(e.samples.emplace(key, v).second) << "sample twice: " << key;
  }
  return e;
}

// Checks a histogram's series: buckets cumulative and ending at +Inf == _count.
void expect_histogram(const Exposition& e, const std::string& name, const std::string& labels,
                      double count) {
  const std::string prefix = name + "_bucket{" + (labels.empty() ? "" : labels + ",") + "le=\"";
  double last = 0;
  int buckets = 0;
  for (const auto& [key, v] : e.samples) {
    if (key.rfind(prefix, 0) != 0) continue;
    ++buckets;
    if (key.find("+Inf") == std::string::npos) {
      EXPECT_GE(v, 0);
      last = std::max(last, v);
    }
  }
  EXPECT_GT(buckets, 1) << name << " " << labels;
  double inf = e.at(prefix + "+Inf\"}");
  EXPECT_GE(inf, last);
  std::string suffix = labels.empty() ? "" : "{" + labels + "}";
  EXPECT_EQ(e.at(name + "_count" + suffix), count);
  EXPECT_EQ(inf, count);
  // Cumulative: walking the bounds in ascending order never decreases.
  std::vector<std::pair<double, double>> points;
  for (const auto& [key, v] : e.samples) {
    if (key.rfind(prefix, 0) != 0 || key.find("+Inf") != std::string::npos) continue;
    std::string le = key.substr(prefix.size(), key.size() - prefix.size() - 2);
    points.emplace_back(std::stod(le), v);
  }
  std::sort(points.begin(), points.end());
  for (size_t i = 1; i < points.size(); ++i) EXPECT_LE(points[i - 1].second, points[i].second);
}

class MetricsTest : public ::testing::Test {
 protected:
  MetricsTest() : engine_(options()), dispatcher_(engine_) {}
  engine::EngineOptions options() {
    engine::EngineOptions o;
    o.base_url = "http://127.0.0.1:9324";
    o.clock = &clock_;
    return o;
  }
  protocol::WireResponse call(HttpRequest req) {
    asio::io_context ioc;
    auto fut = asio::co_spawn(asio::make_strand(ioc), dispatcher_.handle(req), asio::use_future);
    ioc.run();
    return fut.get();
  }
  boost::json::value json(std::string action, boost::json::object body, int want_status = 200) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "AmazonSQS." + action}};
    r.body = boost::json::serialize(body);
    auto res = call(r);
    EXPECT_EQ(res.status, want_status) << action << ": " << res.body;
    return res.body.empty() ? boost::json::value() : boost::json::parse(res.body);
  }
  std::string url(const std::string& name) { return "http://127.0.0.1:9324/000000000000/" + name; }
  Exposition scrape() { return parse(render_prometheus(collect_metrics(dispatcher_, nullptr))); }

  ManualClock clock_;
  engine::Engine engine_;
  Dispatcher dispatcher_;
};

TEST_F(MetricsTest, Metrics_ReportKnownActivity_DrivenThroughTheDispatcher) {
  json("CreateQueue", {{"QueueName", "dlq"}});
  json(
      "CreateQueue",
      {{"QueueName", "src"},
       {"Attributes",
        {{"RedrivePolicy",
          R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1})"}}}});
  json("CreateQueue", {{"QueueName", "other"}, {"Attributes", {{"MessageRetentionPeriod", "60"}}}});
  json("SendMessage", {{"QueueUrl", url("src")}, {"MessageBody", "a"}});
  json("SendMessage", {{"QueueUrl", url("src")}, {"MessageBody", "b"}});
  json("SendMessageBatch", {{"QueueUrl", url("src")},
                            {"Entries", boost::json::array{{{"Id", "c"}, {"MessageBody", "c"}},
                                                           {{"Id", "d"}, {"MessageBody", "d"}}}}});
  json("SendMessage", {{"QueueUrl", url("other")}, {"MessageBody", "x"}});
  clock_.advance_ms(10'000);
  auto got =
      json("ReceiveMessage",
           {{"QueueUrl", url("src")}, {"MaxNumberOfMessages", 10}, {"VisibilityTimeout", 300}});
  const auto& msgs = got.at("Messages").as_array();
  ASSERT_EQ(msgs.size(), 4u);
  json("DeleteMessage", {{"QueueUrl", url("src")}, {"ReceiptHandle", msgs[0].at("ReceiptHandle")}});
  json("ChangeMessageVisibility", {{"QueueUrl", url("src")},
                                   {"ReceiptHandle", msgs[1].at("ReceiptHandle")},
                                   {"VisibilityTimeout", 0}});
  // Its second receive moves it to the DLQ; nothing else is visible.
  auto none = json("ReceiveMessage", {{"QueueUrl", url("src")}, {"MaxNumberOfMessages", 10}});
  EXPECT_FALSE(none.as_object().contains("Messages") && !none.at("Messages").as_array().empty());
  json("ReceiveMessage", {{"QueueUrl", url("src")}, {"MaxNumberOfMessages", 11}}, 400);
  json("GetQueueUrl", {{"QueueName", "missing"}}, 400);
  {
    HttpRequest bad;  // names no action at all
    bad.method = "POST";
    bad.target = "/";
    bad.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                   {"X-Amz-Target", "AmazonSQS.NoSuchAction"}};
    bad.body = "{}";
    EXPECT_EQ(call(bad).status, 400);
  }
  clock_.advance_ms(51'000);  // t = 61 s: "x" (retention 60 s) has expired
  json("SendMessage", {{"QueueUrl", url("other")}, {"MessageBody", "y"}, {"DelaySeconds", 30}});

  Exposition e = scrape();
  EXPECT_EQ(e.at("tern_queues"), 3);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="src",state="visible"})"), 0);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="src",state="in_flight"})"), 2);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="src",state="delayed"})"), 0);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="dlq",state="visible"})"), 1);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="other",state="delayed"})"), 1);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="other",state="visible"})"), 0);
  EXPECT_EQ(e.at(R"(tern_queue_oldest_message_age_seconds{queue="src"})"), 61);
  EXPECT_EQ(e.at(R"(tern_queue_oldest_message_age_seconds{queue="dlq"})"), 61);
  EXPECT_EQ(e.at(R"(tern_queue_oldest_message_age_seconds{queue="other"})"), 0);
  EXPECT_EQ(e.at(R"(tern_queue_messages_sent_total{queue="src"})"), 4);
  EXPECT_EQ(e.at(R"(tern_queue_messages_sent_total{queue="other"})"), 2);
  EXPECT_EQ(e.at(R"(tern_queue_messages_sent_total{queue="dlq"})"), 0);
  EXPECT_EQ(e.at(R"(tern_queue_messages_received_total{queue="src"})"), 4);
  EXPECT_EQ(e.at(R"(tern_queue_messages_deleted_total{queue="src"})"), 1);
  EXPECT_EQ(e.at(R"(tern_queue_dead_letter_moves_total{queue="src"})"), 1);
  EXPECT_EQ(e.at(R"(tern_queue_dead_letter_moves_total{queue="dlq"})"), 0);
  EXPECT_EQ(e.at(R"(tern_queue_messages_expired_total{queue="other"})"), 1);
  EXPECT_EQ(e.at(R"(tern_queue_messages_expired_total{queue="src"})"), 0);

  EXPECT_EQ(e.at(R"(tern_requests_total{action="CreateQueue",outcome="success"})"), 3);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="SendMessage",outcome="success"})"), 4);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="SendMessageBatch",outcome="success"})"), 1);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="ReceiveMessage",outcome="success"})"), 2);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="ReceiveMessage",outcome="client_error"})"), 1);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="ReceiveMessage",outcome="server_error"})"), 0);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="GetQueueUrl",outcome="client_error"})"), 1);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="DeleteMessage",outcome="success"})"), 1);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="ChangeMessageVisibility",outcome="success"})"), 1);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="unknown",outcome="client_error"})"), 1);
  EXPECT_FALSE(e.has(R"(tern_requests_total{action="ListQueues",outcome="success"})"))
      << "actions never called are left out";
  expect_histogram(e, "tern_request_duration_seconds", R"(action="ReceiveMessage")", 3);
  expect_histogram(e, "tern_request_duration_seconds", R"(action="SendMessage")", 4);
  EXPECT_GT(e.at(R"(tern_request_duration_seconds_sum{action="SendMessage"})"), 0);
  EXPECT_EQ(e.types.at("tern_request_duration_seconds"), "histogram");
  EXPECT_EQ(e.types.at("tern_queue_messages"), "gauge");
  EXPECT_EQ(e.at("tern_long_polls_waiting"), 0);
  EXPECT_FALSE(e.has("tern_storage_segments")) << "no storage section without a log";
  EXPECT_GT(e.at("tern_process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(e.at("tern_process_start_time_seconds"), 1.6e9);
  EXPECT_GE(e.at("tern_uptime_seconds"), 0);
}

TEST_F(MetricsTest, LongPollsWaiting_CountsParkedReceives_UntilASendWakesThem) {
  json("CreateQueue", {{"QueueName", "lp"}});
  asio::io_context ioc;
  HttpRequest poll;
  poll.method = "POST";
  poll.target = "/";
  poll.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", "AmazonSQS.ReceiveMessage"}};
  poll.body = R"({"QueueUrl":")" + url("lp") + R"(","WaitTimeSeconds":20})";
  auto fut = asio::co_spawn(asio::make_strand(ioc), dispatcher_.handle(poll), asio::use_future);
  std::thread runner([&] { ioc.run(); });
  auto waiting = [&] { return dispatcher_.metrics().long_polls_waiting->load(); };
  for (int i = 0; i < 2000 && waiting() != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(waiting(), 1);
  EXPECT_EQ(scrape().at("tern_long_polls_waiting"), 1);
  json("SendMessage", {{"QueueUrl", url("lp")}, {"MessageBody", "wake"}});
  auto res = fut.get();
  runner.join();
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("wake"), std::string::npos);
  EXPECT_EQ(waiting(), 0);
  EXPECT_EQ(scrape().at("tern_long_polls_waiting"), 0);
}

TEST(RenderPrometheusTest, Render_EscapesLabels_AndWritesStorageAndCumulativeHistograms) {
  MetricsSnapshot s;
  engine::QueueStats q;
  q.name = "we\"ird\\na\nme";
  q.visible = 7;
  s.queues.push_back(q);
  engine::LogJournalStats st;
  st.log.fsyncs = 3;
  st.log.fsync_total_us = 1500;
  st.log.fsync_latency_histogram[1] = 2;      // <= 100 us
  st.log.fsync_latency_histogram.back() = 1;  // above every bound
  st.log.batch_records_histogram[0] = 4;      // 1 record
  st.log.batch_records_histogram[3] = 1;      // 5..8 records
  st.log.records = 12;
  st.log.segments = 2;
  st.log.bytes_on_disk = 4096;
  st.compactions = 5;
  st.compaction_rewrites = 9;
  st.log.failed = true;
  s.storage = st;
  s.open_connections = 3;
  s.process.resident_bytes = 1234;
  s.process.start_time_seconds = 1.7e9;
  s.process.uptime_seconds = 42.5;
  const std::string text = render_prometheus(s);
  Exposition e = parse(text);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="we\"ird\\na\nme",state="visible"})"), 7);
  expect_histogram(e, "tern_storage_fsync_duration_seconds", "", 3);
  EXPECT_EQ(e.at(R"(tern_storage_fsync_duration_seconds_bucket{le="5e-05"})"), 0);
  EXPECT_EQ(e.at(R"(tern_storage_fsync_duration_seconds_bucket{le="0.0001"})"), 2);
  EXPECT_EQ(e.at(R"(tern_storage_fsync_duration_seconds_bucket{le="1"})"), 2);
  EXPECT_DOUBLE_EQ(e.at("tern_storage_fsync_duration_seconds_sum"), 0.0015);
  expect_histogram(e, "tern_storage_group_commit_records", "", 5);
  EXPECT_EQ(e.at(R"(tern_storage_group_commit_records_bucket{le="1"})"), 4);
  EXPECT_EQ(e.at(R"(tern_storage_group_commit_records_bucket{le="4"})"), 4);
  EXPECT_EQ(e.at(R"(tern_storage_group_commit_records_bucket{le="8"})"), 5);
  EXPECT_EQ(e.at("tern_storage_group_commit_records_sum"), 12);
  EXPECT_EQ(e.at("tern_storage_segments"), 2);
  EXPECT_EQ(e.at("tern_storage_disk_usage_bytes"), 4096);
  EXPECT_EQ(e.at("tern_storage_compactions_total"), 5);
  EXPECT_EQ(e.at("tern_storage_compaction_rewritten_messages_total"), 9);
  EXPECT_EQ(e.at("tern_storage_failed"), 1);
  EXPECT_EQ(e.at("tern_http_open_connections"), 3);
  EXPECT_EQ(e.at("tern_process_resident_memory_bytes"), 1234);
  EXPECT_EQ(e.at("tern_process_start_time_seconds"), 1.7e9);
  EXPECT_EQ(e.at("tern_uptime_seconds"), 42.5);
}

TEST(RequestMetricsTest, Record_PutsDurationsInTheRightBuckets_AcrossThreads) {
  RequestMetrics m;
  const size_t send = action_index("SendMessage");
  ASSERT_NE(send, kUnknownAction);
  EXPECT_EQ(action_index("Nope"), kUnknownAction);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        m.record(send, Outcome::kSuccess, std::chrono::microseconds(100));     // le 0.0001
        m.record(send, Outcome::kServerError, std::chrono::milliseconds(30));  // le 0.05
      }
    });
  }
  for (auto& t : threads) t.join();
  m.record(send, Outcome::kClientError, std::chrono::seconds(20) + std::chrono::milliseconds(3));
  auto snap = m.snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].action, "SendMessage");
  EXPECT_EQ(snap[0].requests[0], 4000u);
  EXPECT_EQ(snap[0].requests[1], 1u);
  EXPECT_EQ(snap[0].requests[2], 4000u);
  const auto& h = snap[0].latency;
  ASSERT_EQ(h.bounds.size() + 1, h.counts.size());
  EXPECT_EQ(h.count(), 8001u);
  EXPECT_EQ(h.counts[0], 4000u);  // <= 100 us
  auto index_of = [&](double bound) {
    return static_cast<size_t>(std::find(h.bounds.begin(), h.bounds.end(), bound) -
                               h.bounds.begin());
  };
  EXPECT_EQ(h.counts[index_of(0.05)], 4000u);
  EXPECT_EQ(h.counts[index_of(25)], 1u) << "a full 20 s long poll lands above le=20";
  EXPECT_NEAR(h.sum, 4000 * 0.0001 + 4000 * 0.03 + 20.003, 1e-6);
  EXPECT_EQ(outcome_of_status(200), Outcome::kSuccess);
  EXPECT_EQ(outcome_of_status(404), Outcome::kClientError);
  EXPECT_EQ(outcome_of_status(503), Outcome::kServerError);
}

// Over a socket: the route, its content type, the connection gauge and the request-log hook.
TEST(MetricsHttpTest, GetMetrics_ServesTheTextFormat_AndRequestsReachTheRequestLog) {
  asio::io_context ioc;
  engine::Engine engine{engine::EngineOptions{}};
  Dispatcher dispatcher(engine);
  std::mutex mu;
  std::vector<std::string> log;  // "METHOD path action status in out"
  HttpServerOptions o;
  o.port = 0;
  o.request_log = [&](const RequestLogEntry& e) {
    std::lock_guard lock(mu);
    log.push_back(std::string(e.method) + " " + std::string(e.path) + " " +
                  std::string(e.action.empty() ? "-" : e.action) + " " + std::to_string(e.status) +
                  " " + std::to_string(e.bytes_in) + " " + std::to_string(e.bytes_out > 0 ? 1 : 0));
    EXPECT_GE(e.duration.count(), 0);
  };
  HttpServer server(ioc, dispatcher, o);
  server.start();
  std::thread runner([&] { ioc.run(); });
  auto exchange = [&](const std::string& raw) {
    asio::io_context io;
    asio::ip::tcp::socket sock(io);
    sock.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    asio::write(sock, asio::buffer(raw));
    std::string out;
    char buf[8192];
    for (;;) {
      boost::system::error_code ec;
      size_t n = sock.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  };
  const std::string body = R"({"QueueName":"web"})";
  exchange(
      "POST /?ignored=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
      "X-Amz-Target: AmazonSQS.CreateQueue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  std::string r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  server.stop();
  ioc.stop();
  runner.join();
  ASSERT_EQ(r.rfind("HTTP/1.1 200 OK", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8"), std::string::npos)
      << r;
  Exposition e = parse(r.substr(r.find("\r\n\r\n") + 4));
  EXPECT_EQ(e.at("tern_http_open_connections"), 1) << "the scrape's own connection";
  EXPECT_EQ(e.at("tern_http_requests_in_flight"), 1);
  EXPECT_EQ(e.at(R"(tern_requests_total{action="CreateQueue",outcome="success"})"), 1);
  EXPECT_EQ(e.at(R"(tern_queue_messages{queue="web",state="visible"})"), 0);
  std::lock_guard lock(mu);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "POST / CreateQueue 200 " + std::to_string(body.size()) + " 1");
  EXPECT_EQ(log[1], "GET /metrics - 200 0 1");
}

}  // namespace
}  // namespace tern::server
