#include "sqs_sender.h"

#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <future>

#include "common/crypto.h"

namespace shop {

namespace api = tern::client::api;

SendReport SqsQueueSender::send(const std::string& queue, const std::vector<OutboxRow>& rows) {
  const std::string& url = queue == "mileage" ? mileage_url_ : tracking_url_;
  bool fifo = url.size() > 5 && url.compare(url.size() - 5, 5, ".fifo") == 0;
  api::SendMessageBatchRequest req;
  req.queue_url = url;
  std::map<std::string, int64_t> seq_of;
  for (const auto& row : rows) {
    api::SendMessageBatchRequestEntry entry;
    entry.id = "m" + std::to_string(row.seq);
    entry.message_body = row.body;
    if (fifo) {
      entry.message_group_id = row.username;
      entry.message_deduplication_id = tern::sha256_hex(row.order_id + "\n" + row.queue);
    }
    seq_of[entry.id] = row.seq;
    req.entries.push_back(std::move(entry));
  }

  SendReport report;
  std::string failure;
  try {
    // Expected has no default constructor, which use_future needs: hand the result over
    // through a promise instead.
    using BatchResult = tern::client::Result<api::SendMessageBatchResult>;
    std::promise<BatchResult> promise;
    auto future = promise.get_future();
    boost::asio::co_spawn(
        client_.get_executor(),
        [&]() -> boost::asio::awaitable<void> {
          promise.set_value(co_await client_.send_message_batch(std::move(req)));
        },
        boost::asio::detached);
    BatchResult result = future.get();
    if (!result.has_value()) {
      failure = result.error().to_string();
    } else {
      for (const auto& ok : result.value().successful) {
        if (auto it = seq_of.find(ok.id); it != seq_of.end()) {
          report.sent.emplace_back(it->second, ok.message_id);
          seq_of.erase(it);
        }
      }
      for (const auto& bad : result.value().failed) {
        if (auto it = seq_of.find(bad.id); it != seq_of.end()) {
          report.failed.emplace_back(it->second, bad.error.message);
          seq_of.erase(it);
        }
      }
      failure = "no result for this entry in the SendMessageBatch reply";
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  // Everything not reported as sent is failed and will be retried.
  for (const auto& [id, seq] : seq_of) report.failed.emplace_back(seq, failure);
  return report;
}

}  // namespace shop
