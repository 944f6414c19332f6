#pragma once
// Read-only views of queues for operators (the dashboard's admin API, GET /metrics): a page of a
// queue's messages in sequence order, and every queue's depth and event counters. Not SQS actions:
// nothing here changes a message's visibility, receive count or epoch, makes a body resident, or
// writes to the journal.
//
// Thread-safety: Engine::peek_messages and Engine::queue_stats may be called concurrently with
// anything else; each takes one queue's lock at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/api.h"

namespace tern::engine {

// A message's state as a consumer would see it at the time of the peek.
enum class PeekState : uint8_t { kVisible, kInFlight, kDelayed };
const char* peek_state_name(PeekState s);  // "visible", "in_flight", "delayed"

struct PeekRequest {
  std::string queue_name;
  // Messages with a sequence number greater than this (0: from the oldest); pass the previous
  // page's next_after to continue.
  uint64_t after_seq = 0;
  size_t limit = 20;  // 1..kMaxPeekLimit
  // Bodies longer than this are cut at a UTF-8 character boundary (0: never cut).
  size_t max_body_bytes = 0;
};
inline constexpr size_t kMaxPeekLimit = 100;

struct PeekedMessage {
  uint64_t seq = 0;  // the cursor; increases in send order within a queue
  std::string message_id;
  std::string body;        // possibly cut, see body_truncated
  size_t body_bytes = 0;   // the whole body's size
  bool body_truncated = false;
  std::string md5_of_body;
  MessageAttributes message_attributes;
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
  std::optional<std::string> sequence_number;  // FIFO queues
  std::optional<std::string> dead_letter_source_arn;
  std::optional<std::string> trace_header;
  std::string sender_id;
  int64_t sent_ms = 0;
  int64_t first_receive_ms = 0;  // 0: never received
  int32_t receive_count = 0;
  PeekState state = PeekState::kVisible;
  // Delayed: when it becomes visible; in flight: when its visibility timeout ends. 0 otherwise.
  int64_t visible_at_ms = 0;
};

struct PeekResult {
  std::vector<PeekedMessage> messages;
  std::optional<uint64_t> next_after;  // set when more messages follow
  size_t total = 0;                    // messages in the queue (all states)
};

struct QueueStats {
  std::string name;
  std::string url;
  std::string arn;
  uint64_t uid = 0;  // tells incarnations of one name apart
  bool fifo = false;
  int64_t visible = 0;
  int64_t in_flight = 0;
  int64_t delayed = 0;
  // Sequence numbers handed out so far: every message that entered the queue (a send or a
  // dead-letter/redrive move in) took one. Its rate of change is the rate of messages in.
  uint64_t entered = 0;
  std::optional<std::string> dead_letter_target_arn;
  int64_t max_receive_count = 0;
  int64_t created_s = 0;
  // Age of the oldest message still in the queue (any state), 0 when the queue is empty.
  // Approximate: it is the message at the head of the retention order, in which dead-letter
  // moves append messages that keep their original send time.
  int64_t oldest_age_ms = 0;
  // Events since this incarnation of the queue was created or recovered in this process
  // (QueueCounters, stats.h).
  uint64_t sent = 0;           // accepted by SendMessage(Batch), FIFO duplicates excluded
  uint64_t received = 0;       // returned by ReceiveMessage
  uint64_t deleted = 0;        // removed by DeleteMessage(Batch)
  uint64_t expired = 0;        // dropped by the retention period
  uint64_t dead_lettered = 0;  // moved to the dead-letter queue on a receive
};

}  // namespace tern::engine
