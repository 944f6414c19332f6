// Model-based test of the engine over the durable log: random sends, receives, deletes and
// purges on a standard and a FIFO queue, with power losses (torn tails, dropped unsynced bytes)
// at random points. After every restart the queues must hold every acknowledged send that was
// not acknowledged-deleted, and no acknowledged delete may come back.
#include <gtest/gtest.h>

#include <future>
#include <random>
#include <set>

#include "engine/log_journal.h"
#include "storage/fault_injection_env.h"

namespace tern::engine {
namespace {

static bool kNoCompaction = getenv("NO_COMPACTION") != nullptr;

class Model {
 public:
  std::set<std::string> acked;    // sends the client was told about, not acked-deleted
  std::set<std::string> deleted;  // acknowledged deletes
};

bool durable(LogJournal& j) {
  uint64_t t = j.take_ticket();
  if (t == 0) return true;
  std::promise<bool> p;
  j.on_durable(t, [&](bool ok) { p.set_value(ok); });
  return p.get_future().get();
}

// The bodies of every message the queue holds, in any state, read without receiving them: a body
// that is not resident is read back from the log through its RecordRef, as a receive would.
std::set<std::string> held_bodies(Engine& engine, LogJournal& journal, const std::string& name) {
  std::set<std::string> out;
  for (const auto& q : engine.all_queues()) {
    if (q->name != name) continue;
    std::lock_guard lock(q->mu);
    q->for_each_message([&](MessageRecord& m) {
      if (!m.body.empty()) {
        out.insert(m.body);
        return;
      }
      auto body = journal.read_body(m.body_ref);
      EXPECT_TRUE(body) << name << ": the body of " << m.message_id << " cannot be read back";
      if (body) out.insert(*body);
    });
  }
  return out;
}

// Regression for the model test's own bug: it drained the FIFO queue with ReceiveMessage and took
// every body it did not see as lost. But a FIFO receive returns nothing of a group after the
// group's first in-flight message (SQS does the same), so a group holding more than one receive
// batch hid its tail and "acknowledged send lost" was reported for messages that had been
// recovered. The check now reads what the queue holds (held_bodies); this pins down both facts.
TEST(DurabilityModel, FifoGroupLongerThanOneReceiveBatch_IsFullyRecovered_ButADrainSeesOnlyItsHead) {
  storage::FaultInjectionEnv env;
  ManualClock clock;
  const std::string url = "http://h/000000000000/ord.fifo";
  std::set<std::string> sent;
  for (int cycle = 0; cycle < 2; ++cycle) {
    auto journal = std::make_unique<LogJournal>();
    EngineOptions eo;
    eo.clock = &clock;
    eo.base_url = "http://h";
    eo.journal = journal.get();
    Engine engine(eo);
    LogJournalOptions jo;
    jo.dir = "/data";
    jo.segment_bytes = 16 * 1024;
    jo.compaction_interval_ms = 0;
    auto st = journal->open(&env, jo, engine, nullptr);
    ASSERT_TRUE(st.ok()) << st.to_string();
    if (cycle == 0) {
      ASSERT_TRUE(engine.create_queue({"ord.fifo", {{"FifoQueue", "true"}}, {}}));
      ASSERT_TRUE(durable(*journal));
      for (int i = 0; i < 15; ++i) {
        SendMessageRequest r;
        r.queue_url = url;
        r.message_body = "m" + std::to_string(i);
        r.message_group_id = "g";
        r.message_deduplication_id = r.message_body;
        ASSERT_TRUE(engine.send_message(r));
        ASSERT_TRUE(durable(*journal));
        sent.insert(r.message_body);
      }
      env.crash({storage::FaultInjectionEnv::Torn::kGarbage, 7});
      journal.reset();
      env.restart();
      continue;
    }
    EXPECT_EQ(held_bodies(engine, *journal, "ord.fifo"), sent);
    std::set<std::string> received;
    for (;;) {
      ReceiveMessageRequest r;
      r.queue_url = url;
      r.max_number_of_messages = 10;
      r.visibility_timeout = 600;
      auto got = engine.receive_message(r);
      ASSERT_TRUE(got) << got.error().message;
      if (got->messages.empty()) break;
      for (auto& m : got->messages) received.insert(m.body);
    }
    EXPECT_EQ(received.size(), 10u) << "a drain by receive stops at the group's in-flight head";
  }
}

TEST(DurabilityModel, RandomOperationsAndPowerLosses_KeepExactlyTheAcknowledgedState) {
  storage::FaultInjectionEnv env;
  ManualClock clock;
  std::mt19937_64 rng(20261125);
  const std::vector<std::string> urls = {"http://h/000000000000/std",
                                         "http://h/000000000000/ord.fifo"};
  std::vector<Model> model(2);
  int next_body = 0;
  for (int cycle = 0; cycle < 12; ++cycle) {
    auto journal = std::make_unique<LogJournal>();
    EngineOptions eo;
    eo.clock = &clock;
    eo.base_url = "http://h";
    eo.journal = journal.get();
    Engine engine(eo);
    LogJournalOptions jo;
    jo.dir = "/data";
    jo.segment_bytes = 16 * 1024;  // many segments, so compaction runs
    jo.resident_body_budget = static_cast<int64_t>(rng() % 2) * 4096;
    jo.compaction_interval_ms = 0;
    auto st = journal->open(&env, jo, engine, nullptr);
    ASSERT_TRUE(st.ok()) << st.to_string();
    if (cycle == 0) {
      ASSERT_TRUE(engine.create_queue({"std", {}, {}}));
      ASSERT_TRUE(engine.create_queue({"ord.fifo", {{"FifoQueue", "true"}}, {}}));
      ASSERT_TRUE(durable(*journal));
    }
    clock.advance_ms(3600 * 1000);  // every in-flight message is visible again
    // Check the recovered state against the model. `present` is what the queue holds, read
    // directly: draining by ReceiveMessage cannot see it all on the FIFO queue, where a group's
    // messages after its first in-flight one are not returned until that one is deleted (so a
    // group holding more than one receive batch hides its tail; SQS behaves the same). Then drain
    // everything visible (after a restart nothing is in flight, and bodies come from the log),
    // and make it visible again.
    for (int q = 0; q < 2; ++q) {
      const std::string name = q == 0 ? "std" : "ord.fifo";
      const std::set<std::string> present = held_bodies(engine, *journal, name);
      std::set<std::string> received;
      for (;;) {
        ReceiveMessageRequest r;
        r.queue_url = urls[q];
        r.max_number_of_messages = 10;
        r.visibility_timeout = 600;
        auto got = engine.receive_message(r);
        ASSERT_TRUE(got) << got.error().message;
        if (got->messages.empty()) break;
        for (auto& m : got->messages) {
          EXPECT_TRUE(received.insert(m.body).second) << "cycle " << cycle << ": received twice";
          EXPECT_TRUE(present.count(m.body)) << "cycle " << cycle << ": received a message the "
                                             << "queue does not hold: " << m.body;
        }
      }
      // A standard queue returns everything that is visible, i.e. everything after a restart.
      if (q == 0) {
        EXPECT_EQ(received, present) << "cycle " << cycle;
      }
      ASSERT_TRUE(durable(*journal));
      for (const auto& b : model[q].acked) {
        EXPECT_TRUE(present.count(b)) << "cycle " << cycle << ": acknowledged send lost: " << b;
      }
      for (const auto& b : present) {
        EXPECT_FALSE(model[q].deleted.count(b))
            << "cycle " << cycle << ": acknowledged delete came back: " << b;
      }
      // Sends that were in flight during the crash may have survived: adopt them.
      for (const auto& b : present) model[q].acked.insert(b);
    }
    clock.advance_ms(601 * 1000);

    // Random operations.
    int ops = 50 + static_cast<int>(rng() % 150);
    for (int i = 0; i < ops; ++i) {
      int q = static_cast<int>(rng() % 2);
      int kind = static_cast<int>(rng() % 10);
      if (kind < 5) {
        SendMessageRequest r;
        r.queue_url = urls[q];
        r.message_body = "m" + std::to_string(next_body++) + std::string(rng() % 300, 'x');
        if (q == 1) {
          r.message_group_id = "g" + std::to_string(rng() % 4);
          r.message_deduplication_id = r.message_body.substr(0, r.message_body.find('x'));
        }
        ASSERT_TRUE(engine.send_message(r));
        if (durable(*journal)) model[q].acked.insert(r.message_body);
      } else if (kind < 9) {
        ReceiveMessageRequest r;
        r.queue_url = urls[q];
        r.max_number_of_messages = 1 + static_cast<int>(rng() % 10);
        r.visibility_timeout = static_cast<int>(rng() % 3);
        auto got = engine.receive_message(r);
        ASSERT_TRUE(got);
        ASSERT_TRUE(durable(*journal));
        for (auto& m : got->messages) {
          if (rng() % 3 == 0) continue;  // leave some in flight
          if (engine.delete_message({urls[q], m.receipt_handle}) && durable(*journal)) {
            model[q].acked.erase(m.body);
            model[q].deleted.insert(m.body);
          }
        }
        clock.advance_ms(static_cast<int64_t>(rng() % 3000));
      } else {
        auto c = kNoCompaction ? storage::Result<bool>(false) : journal->compact_once();
        ASSERT_TRUE(c) << c.error().to_string();
      }
    }
    // Power loss at a random point of the last writes: some unsynced appends may be queued.
    for (int k = 0; k < 3; ++k) {
      SendMessageRequest r;
      r.queue_url = urls[0];
      r.message_body = "unacked" + std::to_string(next_body++);
      ASSERT_TRUE(engine.send_message(r));
      journal->take_ticket();  // never acknowledged to anyone
    }
    auto torn = static_cast<storage::FaultInjectionEnv::Torn>(rng() % 4);
    env.crash({torn, rng()});
    journal.reset();
    env.restart();
  }
}

}  // namespace
}  // namespace tern::engine
