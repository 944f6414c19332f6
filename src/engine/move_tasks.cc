// Message move tasks (DLQ redrive): StartMessageMoveTask, CancelMessageMoveTask,
// ListMessageMoveTasks, and the rate-limited mover driven by Engine::tick().
#include <algorithm>
#include <cmath>
#include <map>

#include "common/crypto.h"
#include "common/ids.h"
#include "engine/engine.h"

namespace tern::engine {
namespace {
constexpr int64_t kMaxRate = 500;
constexpr int64_t kDefaultRate = 500;  // AWS moves as fast as it can, up to its 500/s ceiling
constexpr size_t kMaxBatchPerTick = 1000;
constexpr size_t kKeepFinishedTasks = 100;

tern::Unexpected<Error> no_source() {
  return fail(ErrorCode::kResourceNotFound,
              "The resource that you specified for the SourceArn parameter doesn't exist.");
}
}  // namespace

bool Engine::is_dead_letter_queue(std::string_view arn) const {
  std::vector<std::shared_ptr<Queue>> all;
  {
    std::shared_lock lock(mu_);
    for (const auto& [_, q] : queues_) all.push_back(q);
  }
  for (const auto& q : all) {
    std::lock_guard lock(q->mu);
    if (q->config.redrive_policy && q->config.dead_letter_target_arn == arn) return true;
  }
  return false;
}

Result<StartMessageMoveTaskResult> Engine::start_message_move_task(
    const StartMessageMoveTaskRequest& req) {
  auto source = find_queue_by_arn(req.source_arn);
  if (!source) return no_source();
  if (!is_dead_letter_queue(req.source_arn)) {
    return fail(ErrorCode::kInvalidParameterValue,
                "Source queue must be configured as a Dead Letter Queue.");
  }
  if (req.destination_arn) {
    auto dest = find_queue_by_arn(*req.destination_arn);
    if (!dest) {
      return fail(ErrorCode::kResourceNotFound,
                  "The resource that you specified for the DestinationArn parameter doesn't "
                  "exist.");
    }
    if (dest == source) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Value for parameter DestinationArn is invalid. Reason: the destination must "
                  "differ from the source.");
    }
  }
  if (req.max_number_of_messages_per_second &&
      (*req.max_number_of_messages_per_second < 1 ||
       *req.max_number_of_messages_per_second > kMaxRate)) {
    return fail(ErrorCode::kInvalidParameterValue,
                "Value " + std::to_string(*req.max_number_of_messages_per_second) +
                    " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be "
                    "between 1 and 500.");
  }
  const int64_t now = options_.clock->now_ms();
  int64_t to_move;
  {
    std::lock_guard lock(source->mu);
    source->process_due(now);
    to_move = static_cast<int64_t>(source->ready_count());
  }
  std::lock_guard lock(tasks_mu_);
  for (const auto& t : tasks_) {
    if (t.source_arn == req.source_arn && (t.status == "RUNNING" || t.status == "CANCELLING")) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "There is already a task running. Only one active task is allowed for a "
                  "source queue arn at a given time.");
    }
  }
  MoveTask t;
  t.id = new_uuid();
  t.handle = base64_encode("{\"taskId\":\"" + t.id + "\",\"sourceArn\":\"" + req.source_arn + "\"}");
  t.source_arn = req.source_arn;
  t.destination_arn = req.destination_arn;
  t.rate = req.max_number_of_messages_per_second;
  t.to_move = to_move;
  t.started_ms = now;
  t.last_tick_ms = now;
  tasks_.push_back(t);
  return StartMessageMoveTaskResult{t.handle};
}

Result<CancelMessageMoveTaskResult> Engine::cancel_message_move_task(
    const CancelMessageMoveTaskRequest& req) {
  auto decoded = base64_decode(req.task_handle);
  if (!decoded || decoded->find("\"taskId\":\"") == std::string::npos) {
    return fail(ErrorCode::kInvalidParameterValue, "Value for parameter TaskHandle is invalid.");
  }
  std::lock_guard lock(tasks_mu_);
  for (auto& t : tasks_) {
    if (t.handle != req.task_handle) continue;
    if (t.status != "RUNNING") {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Only active tasks can be cancelled. Task status is " + t.status + ".");
    }
    t.status = "CANCELLED";  // the mover checks status under the same lock before each batch
    return CancelMessageMoveTaskResult{t.moved};
  }
  return fail(ErrorCode::kResourceNotFound, "Task does not exist.");
}

Result<ListMessageMoveTasksResult> Engine::list_message_move_tasks(
    const ListMessageMoveTasksRequest& req) {
  if (!find_queue_by_arn(req.source_arn)) return no_source();
  int64_t max = req.max_results.value_or(1);
  if (max < 1 || max > 10) {
    return fail(ErrorCode::kInvalidParameterValue,
                "Value " + std::to_string(max) +
                    " for parameter MaxResults is invalid. Reason: must be between 1 and 10.");
  }
  ListMessageMoveTasksResult out;
  std::lock_guard lock(tasks_mu_);
  for (auto it = tasks_.rbegin(); it != tasks_.rend() && static_cast<int64_t>(out.results.size()) < max;
       ++it) {
    if (it->source_arn != req.source_arn) continue;
    MessageMoveTask r;
    if (it->status == "RUNNING") r.task_handle = it->handle;
    r.status = it->status;
    r.source_arn = it->source_arn;
    r.destination_arn = it->destination_arn;
    r.max_number_of_messages_per_second = it->rate;
    r.approximate_number_of_messages_moved = it->moved;
    r.approximate_number_of_messages_to_move = it->to_move;
    r.failure_reason = it->failure_reason;
    r.started_timestamp = it->started_ms;
    out.results.push_back(std::move(r));
  }
  return out;
}

void Engine::tick() {
  const int64_t now = options_.clock->now_ms();
  std::lock_guard lock(tasks_mu_);
  for (auto& t : tasks_) {
    if (t.status == "RUNNING") run_move_task(t, now);
  }
  // Keep a bounded history of finished tasks (ListMessageMoveTasks shows recent ones).
  size_t finished = std::count_if(tasks_.begin(), tasks_.end(),
                                  [](const MoveTask& t) { return t.status != "RUNNING"; });
  while (finished > kKeepFinishedTasks) {
    auto it = std::find_if(tasks_.begin(), tasks_.end(),
                           [](const MoveTask& t) { return t.status != "RUNNING"; });
    tasks_.erase(it);
    --finished;
  }
}

// REQUIRES: tasks_mu_ held. Moves what the rate allows since the last tick. Messages become new
// messages in the destination (new MessageId, sent time and retention clock), as on AWS.
void Engine::run_move_task(MoveTask& t, int64_t now) {
  auto source = find_queue_by_arn(t.source_arn);
  if (!source) {
    t.status = "FAILED";
    t.failure_reason = "AWS.SimpleQueueService.NonExistentQueue: the source queue was deleted.";
    return;
  }
  double rate = static_cast<double>(t.rate.value_or(kDefaultRate));
  t.credit = std::min(t.credit + rate * static_cast<double>(now - t.last_tick_ms) / 1000.0, rate);
  t.last_tick_ms = now;
  size_t budget = std::min<size_t>(static_cast<size_t>(t.credit), kMaxBatchPerTick);
  if (budget == 0) return;
  std::vector<std::pair<std::shared_ptr<Queue>, std::vector<MessageRecord>>> batches;
  size_t taken_count = 0;
  {
    std::lock_guard lock(source->mu);
    source->process_due(now);
    std::vector<Queue::Taken> unused;
    std::vector<MessageRecord> taken;
    while (taken.size() < budget) {
      size_t before = taken.size();
      int want = static_cast<int>(std::min<size_t>(10, budget - taken.size()));
      source->receive(want, 0, now, kTakeAll, unused, taken);
      if (taken.size() == before) break;
    }
    taken_count = taken.size();
    // Group by destination, keeping order: the explicit one, or each message's original source.
    std::map<std::string, std::vector<MessageRecord>> by_dest;
    std::vector<std::string> order;
    for (auto& m : taken) {
      (void)hydrate(m);  // for its dead-letter source; prepare_move handles a failure
      std::string dest_arn = t.destination_arn.value_or(m.dead_letter_source_arn.value_or(""));
      auto dest = dest_arn.empty() ? nullptr : find_queue_by_arn(dest_arn);
      if (!dest || dest == source) {
        // Nothing was journaled for it yet: put it back as it was, and fail the task.
        --m.receive_count;
        m.epoch = 0;
        source->add(std::move(m), 0, now, index_only());
        t.status = "FAILED";
        t.failure_reason = dest_arn.empty()
                               ? "CouldNotDetermineMessageSource: a message has no source queue."
                               : "AWS.SimpleQueueService.NonExistentQueue: destination " +
                                     dest_arn + " does not exist.";
        continue;
      }
      if (!by_dest.count(dest_arn)) order.push_back(dest_arn);
      by_dest[dest_arn].push_back(std::move(m));
    }
    for (const auto& arn : order) {
      auto dest = find_queue_by_arn(arn);
      batches.emplace_back(dest, prepare_move(*source, *dest, by_dest[arn], /*as_new=*/true));
    }
  }
  t.credit -= static_cast<double>(taken_count);
  for (auto& [dest, prepared] : batches) {
    t.moved += static_cast<int64_t>(prepared.size());
    add_prepared(*dest, prepared);
  }
  if (t.status == "RUNNING") {
    std::lock_guard lock(source->mu);
    source->process_due(now);
    if (source->ready_count() == 0 || t.moved >= t.to_move) t.status = "COMPLETED";
  }
}

}  // namespace tern::engine
