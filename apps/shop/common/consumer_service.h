#pragma once
// The frame shared by the two consumer services: configuration, the SQS client, a Tern Consumer
// on one queue with a batch handler (the messages of one ReceiveMessage, handled in one SQLite
// transaction), an HTTP API, and the graceful stop (stop accepting
// HTTP, stop polling, let running handlers finish and their deletes flush, exit 0).
// Thread-safety: run() is called once, from main().

#include <functional>
#include <string>
#include <vector>

#include "client/consumer.h"
#include "config.h"
#include "http.h"

namespace shop {

struct ConsumerService {
  std::string name;         // "shop-mileage"
  Service service;          // which settings apply
  std::string db_file;      // "mileage.db", under SHOP_DATA_DIR
  // Opens the store at the given path; an error stops the service.
  std::function<tern::Expected<bool, std::string>(const std::string& path)> open_store;
  // The handler of one received batch (up to 10 messages): returns the ids of the messages to
  // retry later (visibility backoff; the queue's redrive policy moves a message that keeps failing
  // to its DLQ); the others are acknowledged (deleted). Runs on a pool thread; may block.
  std::function<tern::client::BatchOutcome(const std::vector<tern::client::Message>&)> handle;
  HttpHandler http;
};

int run_consumer_service(ConsumerService svc);

}  // namespace shop
