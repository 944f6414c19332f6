#pragma once
// The engine's log records: what each journaled mutation looks like as bytes (the payload of a
// storage::Log record; the framing, CRC and segments are the log's). Byte layouts are in
// docs/STORAGE_FORMAT.md. Decoders never trust their input: a malformed payload is an error,
// never a crash. Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/engine.h"

namespace tern::engine::journal_codec {

enum RecordType : uint8_t {
  kQueueSnapshot = 1,
  kQueueDeleted = 2,
  kQueuePurged = 3,
  kMessageSent = 4,
  kMessageReceived = 5,
  kMessageDeleted = 6,
};

std::string encode_queue_snapshot(const QueueSnapshot& s);
std::string encode_queue_deleted(uint64_t uid);
std::string encode_queue_purged(uint64_t uid, int64_t purge_ms);
std::string encode_message_sent(uint64_t uid, const MessageRecord& m);
std::string encode_message_received(uint64_t uid, uint64_t seq, int32_t receive_count,
                                    int64_t first_receive_ms);
std::string encode_message_deleted(uint64_t uid, uint64_t seq);

std::optional<QueueSnapshot> decode_queue_snapshot(std::string_view in);
struct UidOnly {
  uint64_t uid;
};
std::optional<UidOnly> decode_queue_deleted(std::string_view in);
struct Purged {
  uint64_t uid;
  int64_t purge_ms;
};
std::optional<Purged> decode_queue_purged(std::string_view in);
struct Sent {
  uint64_t uid;
  MessageRecord message;
};
std::optional<Sent> decode_message_sent(std::string_view in);
struct Received {
  uint64_t uid;
  uint64_t seq;
  int32_t receive_count;
  int64_t first_receive_ms;
};
std::optional<Received> decode_message_received(std::string_view in);
struct Deleted {
  uint64_t uid;
  uint64_t seq;
};
std::optional<Deleted> decode_message_deleted(std::string_view in);

}  // namespace tern::engine::journal_codec
