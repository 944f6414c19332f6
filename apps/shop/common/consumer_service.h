#pragma once
// The frame shared by the two consumer services: configuration, the SQS client, a Tern Consumer
// on one queue with a per-message handler, an HTTP API, and the graceful stop (stop accepting
// HTTP, stop polling, let running handlers finish and their deletes flush, exit 0).
// Thread-safety: run() is called once, from main().

#include <functional>
#include <string>

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
  // The message handler: true to acknowledge (delete), false to retry later (visibility backoff;
  // the queue's redrive policy moves a message that keeps failing to its DLQ).
  std::function<bool(const tern::client::Message&)> handle;
  HttpHandler http;
};

int run_consumer_service(ConsumerService svc);

}  // namespace shop
