#pragma once
// Waiter: how a long poll learns that a queue may have a message for it, without the engine
// knowing anything about the event loop that waits. The server implements notify() by posting a
// wake-up to the waiting coroutine's executor.
//
// Thread-safety: notify() is called by the engine with a queue's lock held, from whatever thread
// made the message available. It must not block and must not call back into the engine.

namespace tern::engine {

class Waiter {
 public:
  virtual ~Waiter() = default;
  virtual void notify() = 0;
};

}  // namespace tern::engine
