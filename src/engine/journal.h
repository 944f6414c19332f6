#pragma once
// Journal: the engine's one door to durability. Every mutation that recovery needs to rebuild
// exactly the state clients were told about is written down through it, under the lock of the
// queue it changes, so the log's order per queue is the order in memory.
//
// Tickets: each call may append a record; take_ticket() returns the highest position this
// thread appended since its last call (0: nothing). The server waits until that ticket is
// durable before it answers a mutating request (group commit does the rest).
//
// What is not journaled, on purpose: visibility changes and in-flight state (after a restart
// every message is visible again; receive counts are kept, so dead-letter moves stay right),
// expiry by retention (re-derived from the send time), move-task progress (see STORAGE_FORMAT).
//
// Thread-safety: implementations must accept calls from any thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/queue.h"

namespace tern::engine {

class Journal {
 public:
  virtual ~Journal() = default;

  // A queue was created, or its attributes or tags changed: a full snapshot.
  virtual void queue_snapshot(Queue& q) = 0;
  virtual void queue_deleted(Queue& q) = 0;
  virtual void queue_purged(Queue& q) = 0;
  // A message is being enqueued (REQUIRES: m.seq assigned, m complete; the queue's lock held).
  // A journal that keeps bodies in the log either sets m.body_ref before it returns (the engine
  // then drops the body and keeps the message's other fields in memory), or, once the record is
  // durable, calls q.attach_ref() under the queue's lock (LogJournal), which lets the queue drop
  // its resident copy: the body only, or everything but the index entry when
  // keeps_whole_messages().
  virtual void message_sent(Queue& q, MessageRecord& m) = 0;
  // m carries at least the seq, the receive count and the first-receive time; its other fields
  // may be empty (the queue may not hold them).
  virtual void message_received(Queue& q, const MessageRecord& m) = 0;
  virtual void message_deleted(Queue& q, const MessageRecord& m) = 0;

  // Reads a body kept in the log. Never called for records whose body is in memory.
  virtual std::optional<std::string> read_body(const BodyRef& ref) = 0;
  // True when a record holds every field of its message, so that read_message() can give a
  // message back whole and the queue may keep nothing of it but its index entry.
  virtual bool keeps_whole_messages() const { return false; }
  // The whole MessageSent record (static fields and body; its receive count and first-receive
  // time are those of when it was written). Only called when keeps_whole_messages().
  virtual std::optional<MessageRecord> read_message(const BodyRef& ref) { return std::nullopt; }

  virtual uint64_t take_ticket() = 0;
  // Runs done(ok) once everything up to `ticket` is durable (ok) or can never be (failed sync).
  // May run inline, or later on the journal's writer thread; done must not block.
  virtual void on_durable(uint64_t ticket, std::function<void(bool ok)> done) = 0;
  // False after a failed sync: writes are refused (the engine answers ServiceUnavailable).
  virtual bool writable() const = 0;
};

}  // namespace tern::engine
