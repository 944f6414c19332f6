#include "consumer_service.h"

#include "service.h"

namespace shop {

int run_consumer_service(ConsumerService svc) {
  block_stop_signals();
  auto config = load_config(svc.service);
  if (!config) die(svc.name, "configuration error: " + config.error());
  if (auto st = ensure_directory(config->data_dir); !st) die(svc.name, st.error());
  std::string db_path = config->data_dir + "/" + svc.db_file;
  if (auto st = svc.open_store(db_path); !st) die(svc.name, st.error());

  IoThreads io(2);
  auto client = make_client(svc.name, io.context(), *config);

  tern::client::ConsumerOptions options;
  options.queue_url = svc.service == Service::kMileage ? config->mileage_queue_url
                                                       : config->tracking_queue_url;
  options.concurrency = config->concurrency;
  options.wait_time_seconds = config->wait_time_seconds;
  options.visibility_timeout = config->visibility_timeout;
  const std::string name = svc.name;
  options.events.on_error = [name](const tern::client::ClientError& e) {
    log(name, "SQS error: " + e.to_string());
  };
  options.events.on_processing_error = [name](const tern::client::Message& m,
                                              const std::string& reason) {
    log(name, "message " + m.message_id + " not processed (will be retried): " + reason);
  };
  auto handle = svc.handle;
  tern::client::Consumer::BatchHandler handler =
      [handle, name](const std::vector<tern::client::Message>& batch) {
        try {
          return handle(batch);
        } catch (const std::exception& e) {
          log(name, "batch of " + std::to_string(batch.size()) + " message(s): " + e.what());
          tern::client::BatchOutcome all_failed;
          for (const auto& m : batch) all_failed.failed_message_ids.push_back(m.message_id);
          return all_failed;
        }
      };
  tern::client::Consumer consumer(*client, options, handler);

  HttpServerOptions http_options;
  http_options.host = config->host;
  http_options.port = config->port;
  http_options.body_limit = config->max_body_bytes;
  HttpServer server(io.context(), http_options, svc.http);
  if (auto st = server.start(); !st) die(svc.name, "cannot listen on " + st.error());
  consumer.start();
  log(svc.name, "consuming " + options.queue_url + "; API on http://" + config->host + ":" +
                    std::to_string(server.port()) + "; data in " + db_path);
  print_line(svc.name.substr(5) + " server listening on port " + std::to_string(server.port()));

  std::string sig = wait_for_stop_signal();
  log(svc.name, sig + ": stopping (draining messages in progress)");
  server.stop();
  // Messages being handled finish and are acknowledged; anything received but not started goes
  // back to the queue when its visibility expires.
  consumer.stop(std::chrono::seconds(20));
  if (!consumer.wait_stopped(std::chrono::seconds(30))) {
    log(svc.name, "consumer did not stop within 30 s");
  }
  server.wait_idle(std::chrono::seconds(5));
  auto stats = consumer.stats();
  io.shutdown();
  log(svc.name, "stopped: received " + std::to_string(stats.received) + ", processed " +
                    std::to_string(stats.processed) + ", failed " + std::to_string(stats.failed) +
                    ", deleted " + std::to_string(stats.deleted));
  return 0;
}

}  // namespace shop
