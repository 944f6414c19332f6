// Consumes a queue until Ctrl-C, printing each body; 8 handlers at a time, acks batched.
//   AWS_ENDPOINT_URL=http://127.0.0.1:9324 ./build/bin/example_consumer orders
#include <csignal>
#include <cstdio>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "client/consumer.h"

int main(int argc, char** argv) {
  boost::asio::io_context ioc;
  auto client = tern::client::SqsClient::create(ioc.get_executor());
  if (!client) return std::fprintf(stderr, "%s\n", client.error().to_string().c_str()), 2;

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  tern::client::ConsumerOptions options;
  options.queue_url = argc > 1 ? argv[1] : "orders";  // a name or a URL
  options.concurrency = 8;
  options.events.on_error = [](const auto& e) { std::fprintf(stderr, "%s\n", e.to_string().c_str()); };
  options.events.on_stopped = [&] { signals.cancel(); };
  tern::client::Consumer consumer(**client, options,
                                  tern::client::Consumer::Handler([](const auto& m) {
                                    std::printf("got: %s\n", m.body.c_str());
                                    return true;  // ack; false (or a throw) nacks
                                  }));
  signals.async_wait([&](auto, int) { consumer.stop(std::chrono::seconds(10)); });
  consumer.start();
  ioc.run();  // returns once the consumer has drained and stopped
}
