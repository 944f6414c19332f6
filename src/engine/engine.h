#pragma once
// Engine: SQS queue semantics, one method per action, over typed requests (engine/api.h).
// It knows nothing of HTTP, wire formats or files.
//
// Thread-safety: every method may be called concurrently from any thread. The queue directory is
// guarded by a reader-writer lock (taken shared on the hot path); each queue's state by its own
// mutex. No call holds two queue locks at once (dead-letter moves lock the source, release it,
// then lock the target).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "engine/api.h"
#include "engine/journal.h"
#include "engine/peek.h"
#include "engine/queue.h"
#include "engine/waiter.h"

namespace tern::engine {

struct EngineOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Scheme, host and port clients use to reach the server; queue URLs are base_url/account/name.
  std::string base_url = "http://127.0.0.1:9324";
  const Clock* clock = &SystemClock::instance();
  // AWS refuses to re-create a name for 60 s after DeleteQueue. Off by default: local test
  // suites delete and re-create queues constantly (ElasticMQ and LocalStack do not enforce it).
  bool enforce_queue_deleted_recently = false;
  // Where mutations are written down; null keeps everything in memory only. Not owned.
  Journal* journal = nullptr;
};

// A queue's definition as journaled (recovery input).
struct QueueSnapshot {
  std::string name;
  uint64_t uid = 0;
  int64_t created_s = 0;
  int64_t last_modified_s = 0;
  int64_t last_purge_ms = -1;
  AttributeMap attributes;  // every settable attribute, rendered
  TagMap tags;
  // The next message sequence number: compaction may delete the records of the highest seqs,
  // and a seq must never be reused (old receipt handles would name a new message).
  uint64_t next_seq = 1;
};
QueueSnapshot snapshot_of(const Queue& q);

// For ReceiveMessage long polls: filled in by receive_message.
struct ReceiveContext {
  // When set and the receive finds nothing, the waiter is registered with the queue (atomically
  // with the check), and notified when a message may have become available.
  std::shared_ptr<Waiter> waiter;
  int64_t wait_seconds = 0;           // out: the effective WaitTimeSeconds
  int64_t next_due_ms = INT64_MAX;    // out: when a delayed/in-flight message next falls due
};

class Engine {
 public:
  explicit Engine(EngineOptions options);

  Result<CreateQueueResult> create_queue(const CreateQueueRequest& req);
  Result<GetQueueUrlResult> get_queue_url(const GetQueueUrlRequest& req);
  Result<ListQueuesResult> list_queues(const ListQueuesRequest& req);
  Result<Empty> delete_queue(const DeleteQueueRequest& req);
  Result<Empty> purge_queue(const PurgeQueueRequest& req);
  Result<GetQueueAttributesResult> get_queue_attributes(const GetQueueAttributesRequest& req);
  Result<Empty> set_queue_attributes(const SetQueueAttributesRequest& req);
  Result<Empty> tag_queue(const TagQueueRequest& req);
  Result<Empty> untag_queue(const UntagQueueRequest& req);
  Result<ListQueueTagsResult> list_queue_tags(const ListQueueTagsRequest& req);
  Result<SendMessageResult> send_message(const SendMessageRequest& req);
  Result<SendMessageBatchResult> send_message_batch(const SendMessageBatchRequest& req);
  Result<ReceiveMessageResult> receive_message(const ReceiveMessageRequest& req,
                                               ReceiveContext* ctx = nullptr);
  Result<Empty> delete_message(const DeleteMessageRequest& req);
  Result<DeleteMessageBatchResult> delete_message_batch(const DeleteMessageBatchRequest& req);
  Result<Empty> change_message_visibility(const ChangeMessageVisibilityRequest& req);
  Result<ChangeMessageVisibilityBatchResult> change_message_visibility_batch(
      const ChangeMessageVisibilityBatchRequest& req);
  Result<ListDeadLetterSourceQueuesResult> list_dead_letter_source_queues(
      const ListDeadLetterSourceQueuesRequest& req);
  Result<Empty> add_permission(const AddPermissionRequest& req);
  Result<Empty> remove_permission(const RemovePermissionRequest& req);
  Result<StartMessageMoveTaskResult> start_message_move_task(
      const StartMessageMoveTaskRequest& req);
  Result<CancelMessageMoveTaskResult> cancel_message_move_task(
      const CancelMessageMoveTaskRequest& req);
  Result<ListMessageMoveTasksResult> list_message_move_tasks(
      const ListMessageMoveTasksRequest& req);

  // Operator views (engine/peek.h), not SQS actions: a page of a queue's messages that changes
  // nothing (no visibility, receive count or journal record), and every queue's depth.
  Result<PeekResult> peek_messages(const PeekRequest& req) const;
  std::vector<QueueStats> queue_stats() const;

  // Advances background work that is driven by time: message move tasks. The server calls it
  // every few tens of milliseconds; tests call it after advancing a manual clock.
  void tick();

  // ---- recovery: called single-threaded by the journal before the engine serves requests ----
  void restore_queue(const QueueSnapshot& snapshot);
  void restore_queue_deleted(uint64_t uid);
  void restore_queue_purged(uint64_t uid, int64_t purge_ms);
  void restore_message(uint64_t uid, MessageRecord rec);
  void restore_received(uint64_t uid, uint64_t seq, int32_t receive_count, int64_t first_ms);
  void restore_deleted(uint64_t uid, uint64_t seq);
  void finish_recovery();
  // All queues (compaction walks them).
  std::vector<std::shared_ptr<Queue>> all_queues() const;

  // Wakes every registered long poll (used at shutdown).
  void wake_all_waiters();

  const EngineOptions& options() const { return options_; }
  // For servers that learn their port after binding. REQUIRES: called before any queue exists
  // and before other threads use the engine.
  void set_base_url(std::string url) { options_.base_url = std::move(url); }
  std::string queue_arn(std::string_view name) const;
  std::string queue_url(std::string_view name) const;

 private:
  std::shared_ptr<Queue> find_queue_by_name(std::string_view name) const;
  Result<std::shared_ptr<Queue>> resolve(std::string_view queue_url) const;
  std::shared_ptr<Queue> find_queue_by_arn(std::string_view arn) const;
  Status validate_redrive(const QueueConfig& config, std::string_view self_name) const;

  struct SendFields {
    const std::string* body;
    const std::optional<int64_t>* delay_seconds;
    const MessageAttributes* message_attributes;
    const MessageAttributes* message_system_attributes;
    const std::optional<std::string>* deduplication_id;
    const std::optional<std::string>* group_id;
  };
  // Validates one message; REQUIRES: q.mu held. On success fills `rec` and `delay`.
  Status validate_send(Queue& q, const SendFields& f, const std::string& sender_id,
                       const std::optional<std::string>& trace_header, MessageRecord& rec,
                       int64_t& delay, int64_t& size) const;
  // Enqueues (or deduplicates) a validated message; REQUIRES: q.mu held.
  SendMessageBatchResultEntry enqueue(Queue& q, MessageRecord rec, int64_t delay, int64_t now);
  // Moves m.body into the reply. REQUIRES: m hydrated.
  Message to_message(const Queue& q, MessageRecord& m,
                     const std::vector<std::string>& attribute_names,
                     const std::vector<std::string>& message_attribute_names) const;
  // Under the source queue's lock: turns records taken out of it into records for `target`
  // (reserving their seqs there) and journals them BEFORE the source's deletes, so that a crash
  // between the two can duplicate a moved message but never lose it. A record that cannot be
  // read back from the log goes back to the source unchanged.
  std::vector<MessageRecord> prepare_move(Queue& source, Queue& target,
                                          std::vector<MessageRecord>& taken, bool as_new);
  // Adds prepared records to `target` (takes its lock).
  void add_prepared(Queue& target, std::vector<MessageRecord>& prepared);

  Status delete_one(Queue& q, const std::string& handle, int64_t now);
  // ServiceUnavailable once the journal has failed (fsync error): writes are refused.
  Status check_writable() const;
  // Completes a materialized record from the log: everything static (ids, digests, attributes,
  // body) when the queue kept only its index entry (empty message_id), else the body when only
  // that is in the log. REQUIRES: the lock of the queue it came from held (so that compaction
  // cannot delete the segment meanwhile).
  Status hydrate(MessageRecord& m) const;
  // Whether a message whose record the log holds may be kept as its index entry alone.
  bool index_only() const {
    return options_.journal != nullptr && options_.journal->keeps_whole_messages();
  }
  std::shared_ptr<Queue> find_queue_by_uid(uint64_t uid) const;
  Status change_visibility_one(Queue& q, const std::string& handle, int64_t timeout, int64_t now);

  struct MoveTask {
    std::string id;
    std::string handle;
    std::string source_arn;
    std::optional<std::string> destination_arn;
    std::optional<int64_t> rate;  // messages per second
    std::string status = "RUNNING";
    int64_t moved = 0;
    int64_t to_move = 0;
    std::optional<std::string> failure_reason;
    int64_t started_ms = 0;
    int64_t last_tick_ms = 0;
    double credit = 0;  // messages allowed by the rate but not yet moved
  };
  void run_move_task(MoveTask& task, int64_t now);
  bool is_dead_letter_queue(std::string_view arn) const;

  EngineOptions options_;
  std::mutex tasks_mu_;
  std::vector<MoveTask> tasks_;  // in start order
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Queue>, std::less<>> queues_;
  std::map<std::string, int64_t, std::less<>> deleted_at_ms_;
  std::unordered_map<uint64_t, std::shared_ptr<Queue>> recovering_;  // by uid, during recovery
  // Recovery records met before their queue's snapshot, per queue uid, in log order.
  std::unordered_map<uint64_t, std::vector<std::function<void()>>> deferred_;
  bool defer(uint64_t uid, std::function<void()> op);
};

}  // namespace tern::engine
