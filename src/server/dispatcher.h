#pragma once
// Dispatcher: turns one HTTP request into one HTTP response, with no sockets. It classifies the
// request (protocol layer), finds the action's row in the action table, decodes the typed
// request, calls the engine and encodes the result or error. ReceiveMessage long polls are
// coroutines that park on a timer until a send notifies them (engine::Waiter) or the wait ends.
//
// Thread-safety: handle() may run concurrently on any number of executors. The dispatcher's
// coroutines must run on a strand (or a single-threaded executor): the long-poll wake-up is
// posted to the coroutine's own executor.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/engine.h"
#include "protocol/wire.h"
#include "server/metrics.h"
#include "sigv4/credential_store.h"

namespace tern::server {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as on the request line
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Case-insensitive header lookup; empty when absent.
  std::string_view header(std::string_view name) const;
};

// What handle() learned about a request, for the request log.
struct RequestInfo {
  std::string_view action;  // the SQS action (a kSqsActions entry); empty when none was known
};

struct DispatcherOptions {
  // Test hook: scales long-poll waits (1.0 = real seconds).
  double wait_scale = 1.0;
  // When set, every request must carry a valid SigV4 signature by one of these keys, and the
  // key's queue/action restrictions apply. When null, any (or no) signature is accepted, as local
  // SQS servers do.
  std::shared_ptr<const sigv4::CredentialStore> credentials;
};

class Dispatcher {
 public:
  explicit Dispatcher(engine::Engine& engine, DispatcherOptions options = {});

  // `authenticated_key`: the server has already authenticated the caller as this access key (the
  // dashboard's HTTP Basic login, admin_api.h), so SigV4 is not checked; the key's queue and
  // action limits still are. Ignored when no credentials are configured.
  // Every call is counted in metrics() by action and outcome, with its duration. `info`, when
  // given, must outlive the call; it is filled in before the response is returned.
  boost::asio::awaitable<protocol::WireResponse> handle(const HttpRequest& request,
                                                        std::string_view authenticated_key = {},
                                                        RequestInfo* info = nullptr);

  // Ends every pending long poll (they answer with no messages) and makes new ones return at
  // once. Used by graceful shutdown.
  void shutdown();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  engine::Engine& engine() { return engine_; }
  // Null when no credentials are configured.
  const std::shared_ptr<const sigv4::CredentialStore>& credentials() const {
    return options_.credentials;
  }
  RequestMetrics& metrics() { return metrics_; }

  struct Call;  // one request in flight (defined in the .cc)

 private:
  boost::asio::awaitable<protocol::WireResponse> receive_message(Call& call);
  // Verifies the signature (and the key's permissions for the action); nullopt when allowed.
  std::optional<engine::Error> authenticate(const HttpRequest& http, const Call* call,
                                            std::string* access_key_id) const;

  engine::Engine& engine_;
  DispatcherOptions options_;
  std::atomic<bool> stopping_{false};
  RequestMetrics metrics_;
};

}  // namespace tern::server
