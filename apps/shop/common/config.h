#pragma once
// The services' configuration, read like the tutorial's: the process environment first, then
// `.env` in the working directory (which never overrides a real environment variable).
//
//   AWS_REGION                     required (AWS_DEFAULT_REGION accepted as a fallback)
//   AWS_ACCESS_KEY_ID              with AWS_SECRET_ACCESS_KEY: both or neither; neither means
//   AWS_SECRET_ACCESS_KEY          the client's chain (~/.aws profiles, or placeholder keys
//   AWS_SESSION_TOKEN              for a loopback endpoint)
//   AWS_ENDPOINT_URL_SQS           optional; unset: AWS, or the queue URL's origin when the queue
//                                  URL is not an amazonaws.com URL (what aws-sdk v2 did)
//   AWS_SQS_MILEAGE_URL            required by purchase and mileage
//   AWS_SQS_PRODUCT_TRACKING_URL   required by purchase and tracking
//   PORT / MILEAGE_PORT / TRACKING_PORT   3000 / 3001 / 3002 (0: any free port)
//   SHOP_HOST                      127.0.0.1 (address the HTTP APIs listen on)
//   SHOP_DATA_DIR                  ./data (SQLite files: purchase.db, mileage.db, tracking.db)
//   SHOP_CONCURRENCY               40 (messages a consumer holds at once: 4 receives of 10)
//   SHOP_WAIT_TIME_SECONDS         20 (long poll), SHOP_VISIBILITY_TIMEOUT 30 (seconds)
//   SHOP_MAX_BODY_BYTES            16384 (largest accepted order request)
//
// load_config() checks everything at start: a missing or invalid setting is an error naming it.
// Thread-safety: pure apart from the `getenv` callback the caller supplies.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/config.h"
#include "common/expected.h"

namespace shop {

enum class Service { kPurchase, kMileage, kTracking };

struct ShopConfig {
  std::string region;
  std::string access_key_id, secret_access_key, session_token;  // may be empty (see above)
  std::string endpoint_url;                                      // empty: AWS default
  std::string endpoint_source;  // "AWS_ENDPOINT_URL_SQS", "queue URL" or "default"
  std::string mileage_queue_url, tracking_queue_url;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string data_dir = "./data";
  int concurrency = 40;
  int wait_time_seconds = 20;
  int visibility_timeout = 30;
  uint64_t max_body_bytes = 16 * 1024;
};

using Getenv = std::function<std::optional<std::string>(const std::string&)>;

// `dotenv_text` is the content of .env ("" when absent).
tern::Expected<ShopConfig, std::string> load_config(Service service, const Getenv& getenv,
                                                    const std::string& dotenv_text);

// The same from the real environment and ./.env.
tern::Expected<ShopConfig, std::string> load_config(Service service);

// Client options carrying every resolved setting explicitly.
tern::client::ClientOptions client_options(const ShopConfig& config);

}  // namespace shop
