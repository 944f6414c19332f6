#pragma once
// AdminApi: the operator dashboard at /ui. It serves the dashboard's files (compiled into the
// binary, ui_assets.h), a small JSON API for what SQS itself cannot do — every queue's depth with
// rates and recent history, and a peek at messages that changes nothing (engine/peek.h) — and a
// door through which the dashboard's own SQS calls reach the dispatcher. It has no sockets: the
// HTTP server hands it every request whose path is /ui or starts with /ui/, and tests drive it
// in-process.
//
//   GET  /ui                          302 to /ui/
//   GET  /ui/  /ui/<file>             the embedded files, with ETag (If-None-Match gives 304)
//   GET  /ui/api/info                 region, account, endpoint, auth mode, the signed-in key
//   GET  /ui/api/queues               every queue: depth by state, rates in/out, recent history
//   GET  /ui/api/queues/<name>/messages?after=<seq>&limit=<1-100>&body_limit=<bytes>
//                                     a page of messages in send order (peek)
//   POST /ui/api/sqs                  one SQS JSON 1.0 call (X-Amz-Target: AmazonSQS.<Action>),
//                                     answered by the dispatcher exactly as on POST /
//
// Access:
// - With credentials configured (`tern serve --credentials`), every /ui request needs HTTP Basic
//   auth: user = an access key id of the store, password = its secret, compared in constant
//   time (SHA-256 digests compared with CRYPTO_memcmp). The key's `queues =` / `actions =` limits
//   apply: the queue list shows the queues it may GetQueueAttributes, a peek needs ReceiveMessage,
//   and SQS calls through /ui/api/sqs are authorized by the dispatcher as that key (SigV4 is not
//   needed there: the Basic login authenticated the caller). Keys that require a session token
//   cannot sign in (a password cannot carry the token).
// - Without credentials the server listens on loopback only (unless --allow-unauthenticated),
//   and the dashboard needs no login. Two checks stop other web sites from using it through the
//   operator's browser: the Host header must be an IP address, `localhost`, or the host of the
//   server's public URL (DNS rebinding), and a POST must be JSON (so a cross-site page cannot
//   send it without a CORS preflight, which is never granted) and, when the browser says where
//   it comes from (Origin, Sec-Fetch-Site), come from the dashboard's own origin.
//
// Errors are JSON: {"error": "<Code>", "message": "..."} with a 4xx/5xx status; SQS calls answer
// SQS's own JSON errors.
//
// Thread-safety: handle() may run concurrently on any number of threads.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "protocol/wire.h"
#include "server/dispatcher.h"

namespace tern::server {

class AdminApi {
 public:
  // `dispatcher` runs the dashboard's SQS calls; its engine and credentials are the dashboard's.
  explicit AdminApi(Dispatcher& dispatcher);

  // True for the targets this component answers: /ui, /ui/..., /ui?...
  static bool handles(std::string_view target);

  boost::asio::awaitable<protocol::WireResponse> handle(const HttpRequest& request);

  // How often the queue list records a history sample per queue at most, and how many it keeps
  // (samples are taken when the list is requested: history accumulates while someone watches).
  static constexpr int64_t kSampleEveryMs = 900;
  static constexpr size_t kHistorySamples = 180;

 private:
  struct Sample {
    int64_t t_ms;
    int64_t visible, in_flight, delayed;
    double in_rate, out_rate;  // messages per second since the previous sample; < 0: unknown
  };
  struct History {
    uint64_t uid = 0;
    uint64_t entered = 0;
    int64_t total = 0;
    int64_t t_ms = 0;
    std::deque<Sample> samples;
  };

  protocol::WireResponse get_info(const std::string& user) const;
  protocol::WireResponse get_queues(const std::string& user);
  protocol::WireResponse get_messages(std::string_view name, std::string_view query,
                                      const std::string& user) const;
  boost::asio::awaitable<protocol::WireResponse> post_sqs(const HttpRequest& request,
                                                          const std::string& user);
  bool allowed(const std::string& user, std::string_view action, std::string_view queue) const;

  Dispatcher& dispatcher_;
  engine::Engine& engine_;
  std::mutex history_mu_;
  std::map<std::string, History, std::less<>> history_;  // by queue name
};

}  // namespace tern::server
