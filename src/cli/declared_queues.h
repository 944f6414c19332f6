#pragma once
// Declared queues: the queues a config file lists, created when `tern serve` starts if they are
// missing. An existing queue (one recovered from the data directory) is left as it is, as
// ElasticMQ does with the queues it restored from its storage: the config file says what a fresh
// broker starts with, and never silently rewrites what clients have changed since. A difference
// between the declaration and the existing queue is reported as a warning.
//
// Thread-safety: plain functions; create_declared_queues() calls the engine, which is thread-safe.

#include <string>
#include <vector>

#include "cli/serve_config.h"
#include "common/expected.h"
#include "engine/engine.h"

namespace tern::cli {

// Puts `queues` in creation order (a stable topological sort: every dead-letter queue before the
// queues that name it, otherwise file order). Errors, naming the queue and where it is declared:
// an empty or repeated name, a dead-letter queue that is not declared, a cycle of dead-letter
// queues.
Expected<std::vector<DeclaredQueue>, std::string> order_declared_queues(
    std::vector<DeclaredQueue> queues);

// The CreateQueue request for `q` on `engine` (the redrive policy names the dead-letter queue's
// ARN there).
engine::CreateQueueRequest create_request(const engine::Engine& engine, const DeclaredQueue& q);

struct DeclaredQueuesReport {
  std::vector<std::string> created;   // names
  std::vector<std::string> existing;  // names, left as they were
  std::vector<std::string> warnings;  // how existing queues differ from their declaration
};

// Creates the queues of `queues` (in creation order, see order_declared_queues) that `engine`
// does not have, and waits until what it journaled is durable. Stops at the first failure, with
// an error naming the queue, where it is declared and the engine's error.
Expected<DeclaredQueuesReport, std::string> create_declared_queues(
    engine::Engine& engine, const std::vector<DeclaredQueue>& queues);

// Creates `options.queues` on a scratch in-memory engine with the same region and account, so
// that bad names, attributes, tags and redrive policies are found before the real engine exists.
Expected<void, std::string> check_declared_queues(const ServeOptions& options);

}  // namespace tern::cli
