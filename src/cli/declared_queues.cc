#include "cli/declared_queues.h"

#include <boost/json.hpp>
#include <future>
#include <map>

#include "protocol/errors.h"

namespace tern::cli {
namespace {

std::string describe(const DeclaredQueue& q) {
  return (q.origin.empty() ? std::string() : q.origin + ": ") + "queue \"" + q.name + "\"";
}

// "InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout." (the query code,
// without the "AWS.SimpleQueueService." of a few).
std::string error_text(const engine::Error& e) {
  std::string_view code = protocol::query_code(e.code);
  if (auto dot = code.rfind('.'); dot != std::string_view::npos) code = code.substr(dot + 1);
  return std::string(code) + ": " + protocol::error_message(protocol::Protocol::kQuery, e);
}

// Attribute values compare as JSON where they are JSON documents (policies), else as text.
bool same_value(const std::string& a, const std::string& b) {
  if (a == b) return true;
  boost::system::error_code ea, eb;
  auto ja = boost::json::parse(a, ea);
  auto jb = boost::json::parse(b, eb);
  return !ea && !eb && ja.is_object() && ja == jb;
}

}  // namespace

Expected<std::vector<DeclaredQueue>, std::string> order_declared_queues(
    std::vector<DeclaredQueue> queues) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < queues.size(); ++i) {
    const auto& q = queues[i];
    if (q.name.empty()) return tern::unexpected(describe(q) + ": name must not be empty");
    auto [it, fresh] = index.emplace(q.name, i);
    if (!fresh) {
      return tern::unexpected(describe(q) + " is declared twice (also at " +
                              queues[it->second].origin + ")");
    }
  }
  for (const auto& q : queues) {
    if (q.dead_letter_queue && index.count(*q.dead_letter_queue) == 0) {
      return tern::unexpected(describe(q) + ": redrive-policy.dead-letter-queue \"" +
                              *q.dead_letter_queue +
                              "\" is not a declared queue (declare it in a [[queues]] table too)");
    }
  }
  // Depth-first from each queue in file order, emitting a queue after its dead-letter queue.
  // Each queue names at most one DLQ, so the walk is a chain.
  std::vector<int> state(queues.size(), 0);  // 0 new, 1 on the current chain, 2 emitted
  std::vector<DeclaredQueue> out;
  out.reserve(queues.size());
  for (size_t start = 0; start < queues.size(); ++start) {
    if (state[start] != 0) continue;
    std::vector<size_t> chain;
    size_t i = start;
    while (state[i] == 0) {
      state[i] = 1;
      chain.push_back(i);
      if (!queues[i].dead_letter_queue) break;
      i = index.at(*queues[i].dead_letter_queue);
    }
    // The walk stopped either at a queue without a DLQ (the chain's end) or at a queue already
    // seen: emitted by an earlier chain (fine) or on this one (a cycle).
    if (state[i] == 1 && queues[chain.back()].dead_letter_queue) {
      std::string cycle;
      for (size_t c : chain) cycle += queues[c].name + " -> ";
      cycle += queues[i].name;
      return tern::unexpected(describe(queues[i]) + ": dead-letter queues form a cycle: " + cycle);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      state[*it] = 2;
      out.push_back(std::move(queues[*it]));
    }
  }
  return out;
}

engine::CreateQueueRequest create_request(const engine::Engine& engine, const DeclaredQueue& q) {
  engine::CreateQueueRequest req;
  req.queue_name = q.name;
  req.attributes.insert(q.attributes.begin(), q.attributes.end());
  if (q.fifo) req.attributes["FifoQueue"] = "true";
  if (q.dead_letter_queue) {
    boost::json::object policy;
    policy["deadLetterTargetArn"] = engine.queue_arn(*q.dead_letter_queue);
    policy["maxReceiveCount"] = q.max_receive_count;
    req.attributes["RedrivePolicy"] = boost::json::serialize(policy);
  }
  req.tags.insert(q.tags.begin(), q.tags.end());
  return req;
}

Expected<DeclaredQueuesReport, std::string> create_declared_queues(
    engine::Engine& engine, const std::vector<DeclaredQueue>& queues) {
  DeclaredQueuesReport report;
  for (const auto& q : queues) {
    engine::CreateQueueRequest req = create_request(engine, q);
    auto url = engine.get_queue_url(engine::GetQueueUrlRequest{q.name, std::nullopt});
    if (url) {
      report.existing.push_back(q.name);
      engine::GetQueueAttributesRequest get;
      get.queue_url = url->queue_url;
      get.attribute_names = {"All"};
      auto attrs = engine.get_queue_attributes(get);
      if (!attrs) continue;
      std::map<std::string, std::string> current(attrs->attributes.begin(),
                                                 attrs->attributes.end());
      for (const auto& [name, want] : req.attributes) {
        auto have = current.find(name);
        const std::string now = have == current.end() ? "(unset)" : have->second;
        if (!same_value(now, want)) {
          report.warnings.push_back(describe(q) + " exists with " + name + " = " + now +
                                    "; the declaration says " + want + ". Left as it is.");
        }
      }
      continue;
    }
    auto created = engine.create_queue(req);
    if (!created) return tern::unexpected(describe(q) + ": " + error_text(created.error()));
    report.created.push_back(q.name);
  }
  // Answer no request before the declared queues are durable, like a CreateQueue reply.
  if (engine::Journal* journal = engine.options().journal) {
    if (uint64_t ticket = journal->take_ticket()) {
      std::promise<bool> durable;
      auto done = durable.get_future();
      journal->on_durable(ticket, [&durable](bool ok) { durable.set_value(ok); });
      if (!done.get()) {
        return tern::unexpected(std::string("the declared queues could not be made durable"));
      }
    }
  }
  return report;
}

Expected<void, std::string> check_declared_queues(const ServeOptions& options) {
  if (options.queues.empty()) return {};
  engine::EngineOptions eo;
  eo.region = options.region;
  eo.account_id = options.account_id;
  engine::Engine scratch(eo);
  auto r = create_declared_queues(scratch, options.queues);
  if (!r) return tern::unexpected(std::move(r).error());
  return {};
}

}  // namespace tern::cli
