// Sends a few messages to a queue (created if needed). Configuration as docs/CLIENT.md says, e.g.
//   AWS_ENDPOINT_URL=http://127.0.0.1:9324 ./build/bin/example_producer orders
#include <cstdio>
#include <string>

#include "client/sqs_client.h"

int main(int argc, char** argv) {
  std::string queue = argc > 1 ? argv[1] : "orders";
  auto client = tern::client::BlockingSqsClient::create();
  if (!client) return std::fprintf(stderr, "%s\n", client.error().to_string().c_str()), 2;
  auto url = (*client)->create_queue({queue, {}, {}});
  if (!url) return std::fprintf(stderr, "%s\n", url.error().to_string().c_str()), 1;
  for (int i = 1; i <= 5; ++i) {
    tern::engine::SendMessageRequest m;
    m.queue_url = url->queue_url;
    m.message_body = "order #" + std::to_string(i);
    auto sent = (*client)->send_message(m);
    if (!sent) return std::fprintf(stderr, "%s\n", sent.error().to_string().c_str()), 1;
    std::printf("sent %s\n", sent->message_id.c_str());
  }
}
