// client_consumer_bench: consumer throughput against a running broker. Sends N messages with
// SendMessageBatch, then runs the Consumer (no-op coroutine handler, 64-way concurrency) until all
// of them were handled and acked, and prints messages handled per second. Starts nothing itself.
//
//   client_consumer_bench --endpoint http://127.0.0.1:9324 --queue bench [--messages 20000]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "client/consumer.h"

using namespace tern::client;
namespace asio = boost::asio;

int main(int argc, char** argv) {
  std::string endpoint, queue;
  int messages = 20000, concurrency = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--endpoint") endpoint = argv[i + 1];
    else if (a == "--queue") queue = argv[i + 1];
    else if (a == "--messages") messages = std::atoi(argv[i + 1]);
    else if (a == "--concurrency") concurrency = std::atoi(argv[i + 1]);
  }
  if (queue.empty() || messages <= 0) {
    std::fprintf(stderr, "usage: %s [--endpoint URL] --queue NAME|URL [--messages N] "
                         "[--concurrency C]\n", argv[0]);
    return 2;
  }
  ClientOptions o;
  if (!endpoint.empty()) o.endpoint = endpoint;
  auto sender = BlockingSqsClient::create(o);
  if (!sender) {
    std::fprintf(stderr, "%s\n", sender.error().to_string().c_str());
    return 2;
  }
  auto& c = **sender;
  auto url = c.resolve_queue_url(queue);
  if (!url) {
    auto created = c.create_queue({queue, {}, {}});
    if (!created) {
      std::fprintf(stderr, "%s\n", created.error().to_string().c_str());
      return 1;
    }
    url = created->queue_url;
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int sent = 0; sent < messages;) {
    tern::engine::SendMessageBatchRequest b;
    b.queue_url = *url;
    for (int k = 0; k < 10 && sent < messages; ++k, ++sent) {
      b.entries.push_back({std::to_string(k), "bench message " + std::to_string(sent), {}, {}, {},
                           {}, {}});
    }
    auto r = c.send_message_batch(b);
    if (!r || !r->failed.empty()) {
      std::fprintf(stderr, "send failed\n");
      return 1;
    }
  }
  double send_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sent %d messages in %.2f s (%.0f msg/s, batches of 10)\n", messages, send_s,
              messages / send_s);

  // The consumer gets its own io_context with two threads (the machine has two cores).
  asio::io_context ioc;
  auto client = SqsClient::create(ioc.get_executor(), o);
  ConsumerOptions co;
  co.queue_url = *url;
  co.concurrency = concurrency;
  co.wait_time_seconds = 1;
  co.visibility_timeout = 60;
  Consumer consumer(**client, co, Consumer::AsyncHandler([](const Message&) -> asio::awaitable<bool> {
    co_return true;
  }));
  auto work = asio::make_work_guard(ioc);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { ioc.run(); });
  auto t1 = std::chrono::steady_clock::now();
  consumer.start();
  while (consumer.stats().deleted < messages) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (std::chrono::steady_clock::now() - t1 > std::chrono::minutes(5)) break;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  consumer.stop(std::chrono::seconds(5));
  consumer.wait_stopped(std::chrono::seconds(30));
  work.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  auto st = consumer.stats();
  std::printf("consumed %lld messages in %.2f s: %.0f messages handled/s (concurrency %d, "
              "%lld receives, %lld deleted)\n",
              static_cast<long long>(st.processed), s, st.deleted / s, concurrency,
              static_cast<long long>(st.receives), static_cast<long long>(st.deleted));
  return st.deleted >= messages ? 0 : 1;
}
