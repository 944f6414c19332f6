#include "sqs_sender.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "common/crypto.h"

namespace shop {

namespace api = tern::client::api;

namespace {

// One SendMessageBatch: the request and which outbox row each entry id stands for.
struct Chunk {
  api::SendMessageBatchRequest req;
  std::map<std::string, int64_t> seq_of;
  SendReport report;
};

using BatchResult = tern::client::Result<api::SendMessageBatchResult>;

}  // namespace

static Chunk make_chunk(const std::string& url, const std::vector<const OutboxRow*>& rows) {
  bool fifo = url.size() > 5 && url.compare(url.size() - 5, 5, ".fifo") == 0;
  Chunk c;
  c.req.queue_url = url;
  for (const OutboxRow* row : rows) {
    api::SendMessageBatchRequestEntry entry;
    entry.id = "m" + std::to_string(row->seq);
    entry.message_body = row->body;
    if (fifo) {
      entry.message_group_id = row->username;
      entry.message_deduplication_id = tern::sha256_hex(row->order_id + "\n" + row->queue);
    }
    c.seq_of[entry.id] = row->seq;
    c.req.entries.push_back(std::move(entry));
  }
  return c;
}

// Fills the chunk's report from the reply; whatever is not reported sent is failed (retried).
static void settle(Chunk& c, const BatchResult* result, const std::string& exception) {
  std::string failure = exception;
  if (result != nullptr) {
    if (!result->has_value()) {
      failure = result->error().to_string();
    } else {
      for (const auto& ok : result->value().successful) {
        if (auto it = c.seq_of.find(ok.id); it != c.seq_of.end()) {
          c.report.sent.emplace_back(it->second, ok.message_id);
          c.seq_of.erase(it);
        }
      }
      for (const auto& bad : result->value().failed) {
        if (auto it = c.seq_of.find(bad.id); it != c.seq_of.end()) {
          c.report.failed.emplace_back(it->second, bad.error.message);
          c.seq_of.erase(it);
        }
      }
      failure = "no result for this entry in the SendMessageBatch reply";
    }
  }
  for (const auto& [id, seq] : c.seq_of) c.report.failed.emplace_back(seq, failure);
  c.seq_of.clear();
}

SendReport SqsQueueSender::send(const std::string& queue, const std::vector<OutboxRow>& rows) {
  std::vector<OutboxRow> copy(rows);
  for (auto& r : copy) r.queue = queue;
  return send_all(copy, 10);
}

// Every SendMessageBatch of the pass in flight at once on the client's executor; the relay
// thread waits for the last reply.
SendReport SqsQueueSender::send_all(const std::vector<OutboxRow>& rows, size_t batch) {
  batch = std::clamp<size_t>(batch, 1, 10);
  std::vector<std::unique_ptr<Chunk>> chunks;
  for (const char* role : {"mileage", "tracking"}) {
    const std::string& url = std::string(role) == "mileage" ? mileage_url_ : tracking_url_;
    std::vector<const OutboxRow*> part;
    for (const auto& row : rows) {
      if (row.queue != role) continue;
      part.push_back(&row);
      if (part.size() == batch) {
        chunks.push_back(std::make_unique<Chunk>(make_chunk(url, part)));
        part.clear();
      }
    }
    if (!part.empty()) chunks.push_back(std::make_unique<Chunk>(make_chunk(url, part)));
  }
  SendReport all;
  if (chunks.empty()) return all;

  // Shared with the coroutines, so the last one may still be inside set_value() when this
  // thread wakes up and returns.
  struct Sync {
    std::atomic<size_t> left;
    std::promise<void> done;
  };
  auto sync = std::make_shared<Sync>();
  sync->left = chunks.size();
  auto finished = sync->done.get_future();
  auto one_done = [](const std::shared_ptr<Sync>& s) {
    if (s->left.fetch_sub(1) == 1) s->done.set_value();
  };
  for (auto& chunk : chunks) {
    Chunk* c = chunk.get();
    try {
      boost::asio::co_spawn(
          client_.get_executor(),
          [this, c, sync, one_done]() -> boost::asio::awaitable<void> {
            try {
              BatchResult r = co_await client_.send_message_batch(std::move(c->req));
              settle(*c, &r, "");
            } catch (const std::exception& e) {
              settle(*c, nullptr, e.what());
            }
            one_done(sync);
          },
          boost::asio::detached);
    } catch (const std::exception& e) {
      settle(*c, nullptr, e.what());
      one_done(sync);
    }
  }
  finished.wait();
  for (auto& c : chunks) {
    all.sent.insert(all.sent.end(), c->report.sent.begin(), c->report.sent.end());
    all.failed.insert(all.failed.end(), c->report.failed.begin(), c->report.failed.end());
  }
  return all;
}

}  // namespace shop
