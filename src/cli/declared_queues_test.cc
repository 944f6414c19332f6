// Declared queues: put in creation order (dead-letter queues first), created with their
// attributes, tags and redrive policy; an existing queue is left as it is (with a warning for
// what differs); a journal's records are durable before create_declared_queues returns.
#include "cli/declared_queues.h"

#include <gtest/gtest.h>

#include "engine/log_journal.h"
#include "storage/fault_injection_env.h"

namespace tern::cli {
namespace {

DeclaredQueue queue(std::string name, std::optional<std::string> dlq = std::nullopt) {
  DeclaredQueue q;
  q.name = std::move(name);
  q.fifo = q.name.size() > 5 && q.name.substr(q.name.size() - 5) == ".fifo";
  if (dlq) {
    q.dead_letter_queue = std::move(dlq);
    q.max_receive_count = 3;
  }
  q.origin = "test:" + q.name;
  return q;
}

std::vector<std::string> names(const std::vector<DeclaredQueue>& qs) {
  std::vector<std::string> out;
  for (const auto& q : qs) out.push_back(q.name);
  return out;
}

TEST(DeclaredQueuesTest, Order_PutsDeadLetterQueuesFirst_OtherwiseKeepsFileOrder) {
  auto r = order_declared_queues({queue("a", "a-dlq"), queue("b"), queue("c", "c-dlq"),
                                  queue("c-dlq", "final"), queue("a-dlq"), queue("final")});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(names(*r), (std::vector<std::string>{"a-dlq", "a", "b", "final", "c-dlq", "c"}));
}

TEST(DeclaredQueuesTest, Order_RefusesCyclesUndeclaredTargetsAndDuplicates) {
  auto cycle =
      order_declared_queues({queue("x"), queue("a", "b"), queue("b", "c"), queue("c", "a")});
  ASSERT_FALSE(cycle);
  EXPECT_NE(cycle.error().find("cycle: a -> b -> c -> a"), std::string::npos) << cycle.error();
  auto self = order_declared_queues({queue("a", "a")});
  ASSERT_FALSE(self);
  EXPECT_NE(self.error().find("cycle: a -> a"), std::string::npos) << self.error();
  auto missing = order_declared_queues({queue("a", "nope")});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("test:a: queue \"a\": redrive-policy.dead-letter-queue \"nope\""),
            std::string::npos)
      << missing.error();
  auto twice = order_declared_queues({queue("a"), queue("a")});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().find("declared twice"), std::string::npos) << twice.error();
  auto unnamed = order_declared_queues({queue("")});
  ASSERT_FALSE(unnamed);
  EXPECT_NE(unnamed.error().find("name must not be empty"), std::string::npos);
}

class CreateDeclaredTest : public ::testing::Test {
 protected:
  CreateDeclaredTest() : engine_(options()) {}
  static engine::EngineOptions options() {
    engine::EngineOptions o;
    o.base_url = "http://h";
    return o;
  }
  std::map<std::string, std::string> attributes(const std::string& name) {
    auto r = engine_.get_queue_attributes({"http://h/000000000000/" + name, {"All"}});
    EXPECT_TRUE(r) << name;
    std::map<std::string, std::string> out;
    if (r) out.insert(r->attributes.begin(), r->attributes.end());
    return out;
  }
  engine::Engine engine_;
};

TEST_F(CreateDeclaredTest, Create_MakesQueuesWithAttributesTagsAndRedrive) {
  DeclaredQueue dlq = queue("jobs-dlq");
  dlq.attributes["MessageRetentionPeriod"] = "1209600";
  DeclaredQueue jobs = queue("jobs", "jobs-dlq");
  jobs.attributes["VisibilityTimeout"] = "45";
  jobs.tags = {{"team", "shop"}};
  DeclaredQueue fifo = queue("events.fifo");
  fifo.attributes["ContentBasedDeduplication"] = "true";
  auto ordered = order_declared_queues({jobs, dlq, fifo});
  ASSERT_TRUE(ordered) << ordered.error();
  auto r = create_declared_queues(engine_, *ordered);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->created, (std::vector<std::string>{"jobs-dlq", "jobs", "events.fifo"}));
  EXPECT_TRUE(r->existing.empty());

  auto a = attributes("jobs");
  EXPECT_EQ(a["VisibilityTimeout"], "45");
  EXPECT_EQ(
      a["RedrivePolicy"],
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs-dlq","maxReceiveCount":3})");
  EXPECT_EQ(attributes("jobs-dlq")["MessageRetentionPeriod"], "1209600");
  auto f = attributes("events.fifo");
  EXPECT_EQ(f["FifoQueue"], "true");
  EXPECT_EQ(f["ContentBasedDeduplication"], "true");
  auto tags = engine_.list_queue_tags({"http://h/000000000000/jobs"});
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->tags.at("team"), "shop");
  auto sources = engine_.list_dead_letter_source_queues({"http://h/000000000000/jobs-dlq", {}, {}});
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->queue_urls.size(), 1u);
  EXPECT_EQ(sources->queue_urls[0], "http://h/000000000000/jobs");

  // The redrive works: the fourth receive moves the message to the declared DLQ.
  engine::SendMessageRequest send;
  send.queue_url = "http://h/000000000000/jobs";
  send.message_body = "poison";
  ASSERT_TRUE(engine_.send_message(send));
  for (int i = 0; i < 3; ++i) {
    engine::ReceiveMessageRequest rr;
    rr.queue_url = send.queue_url;
    rr.visibility_timeout = 0;
    auto got = engine_.receive_message(rr);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->messages.size(), 1u) << "receive " << i;
  }
  engine::ReceiveMessageRequest rr;
  rr.queue_url = send.queue_url;
  ASSERT_TRUE(engine_.receive_message(rr));
  EXPECT_EQ(attributes("jobs-dlq")["ApproximateNumberOfMessages"], "1");
}

TEST_F(CreateDeclaredTest, ExistingQueue_IsLeftAsItIs_WithAWarningForWhatDiffers) {
  ASSERT_TRUE(engine_.create_queue({"jobs", {{"VisibilityTimeout", "10"}}, {{"owner", "ops"}}}));
  DeclaredQueue jobs = queue("jobs");
  jobs.attributes["VisibilityTimeout"] = "45";
  jobs.attributes["DelaySeconds"] = "0";  // the same as the existing queue's
  jobs.tags = {{"team", "shop"}};
  DeclaredQueue fresh = queue("fresh");
  auto r = create_declared_queues(engine_, {jobs, fresh});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->existing, std::vector<std::string>{"jobs"});
  EXPECT_EQ(r->created, std::vector<std::string>{"fresh"});
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("VisibilityTimeout = 10; the declaration says 45"),
            std::string::npos)
      << r->warnings[0];
  EXPECT_EQ(attributes("jobs")["VisibilityTimeout"], "10");
  auto tags = engine_.list_queue_tags({"http://h/000000000000/jobs"});
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->tags.size(), 1u);
  EXPECT_EQ(tags->tags.count("owner"), 1u);
}

TEST_F(CreateDeclaredTest, Create_FailsNamingTheQueue_WhenTheEngineRefuses) {
  DeclaredQueue bad = queue("bad");
  bad.attributes["VisibilityTimeout"] = "-1";
  auto r = create_declared_queues(engine_, {queue("good"), bad});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("test:bad: queue \"bad\": InvalidAttributeValue"), std::string::npos)
      << r.error();
}

TEST(CheckDeclaredQueuesTest, Check_UsesTheConfiguredRegionAndAccount_ForRedriveArns) {
  ServeOptions o;
  o.region = "eu-west-1";
  o.account_id = "123456789012";
  o.queues = {queue("d"), queue("s", "d")};
  EXPECT_TRUE(check_declared_queues(o));
  o.queues = {queue("s.fifo", "d"), queue("d")};  // order is the caller's job; d is missing
  auto r = check_declared_queues(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("queue \"s.fifo\""), std::string::npos) << r.error();
}

TEST(CreateDeclaredDurableTest, Create_ReturnsOnlyOnceTheQueuesAreDurable) {
  storage::FaultInjectionEnv env;
  ManualClock clock;
  DeclaredQueue dlq = queue("d");
  DeclaredQueue src = queue("s", "d");
  {
    engine::LogJournal journal;
    engine::EngineOptions eo;
    eo.base_url = "http://h";
    eo.clock = &clock;
    eo.journal = &journal;
    engine::Engine engine(eo);
    engine::LogJournalOptions jo;
    jo.dir = "/data";
    jo.compaction_interval_ms = 0;
    ASSERT_TRUE(journal.open(&env, jo, engine, nullptr).ok());
    auto r = create_declared_queues(engine, {dlq, src});
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(journal.take_ticket(), 0u) << "no ticket is left for a request to inherit";
    env.crash({storage::FaultInjectionEnv::Torn::kPrefix, 7});  // power loss: unsynced data goes
  }
  env.restart();
  engine::LogJournal journal;
  engine::EngineOptions eo;
  eo.base_url = "http://h";
  eo.clock = &clock;
  eo.journal = &journal;
  engine::Engine engine(eo);
  engine::LogJournalOptions jo;
  jo.dir = "/data";
  jo.compaction_interval_ms = 0;
  ASSERT_TRUE(journal.open(&env, jo, engine, nullptr).ok());
  auto attrs = engine.get_queue_attributes({"http://h/000000000000/s", {"RedrivePolicy"}});
  ASSERT_TRUE(attrs) << "the declared queue survived the power loss";
  ASSERT_EQ(attrs->attributes.size(), 1u);
  EXPECT_NE(attrs->attributes[0].second.find(":d\""), std::string::npos);
  auto again = create_declared_queues(engine, {dlq, src});
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->existing, (std::vector<std::string>{"d", "s"}));
  EXPECT_TRUE(again->warnings.empty()) << again->warnings[0];
  ASSERT_TRUE(journal.close().ok());
}

}  // namespace
}  // namespace tern::cli
