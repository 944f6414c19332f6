#pragma once
// SqsQueueSender: the relay's QueueSender bound to the Tern SQS client (SendMessageBatch).
//
// FIFO queues (URL ending in ".fifo") get MessageGroupId = username (one user's orders stay in
// order) and MessageDeduplicationId = sha256(order id, role), so a re-send after a crash within
// SQS's five-minute window is dropped by the queue itself, before the consumers' own dedup.
// Thread-safety: send()/send_all() may be called from any thread that does not run the client's
// executor (they block until every reply is in).

#include <string>

#include "client/sqs_client.h"
#include "relay.h"

namespace shop {

class SqsQueueSender : public QueueSender {
 public:
  SqsQueueSender(tern::client::SqsClient& client, std::string mileage_url,
                 std::string tracking_url)
      : client_(client),
        mileage_url_(std::move(mileage_url)),
        tracking_url_(std::move(tracking_url)) {}

  SendReport send(const std::string& queue, const std::vector<OutboxRow>& rows) override;
  // Every SendMessageBatch at once (the client's keep-alive pool opens what it needs).
  SendReport send_all(const std::vector<OutboxRow>& rows, size_t batch) override;

 private:
  tern::client::SqsClient& client_;
  std::string mileage_url_, tracking_url_;
};

}  // namespace shop
