#include "config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace shop {
namespace {

struct Lookup {
  const Getenv& getenv;
  std::map<std::string, std::string> dotenv;

  std::optional<std::string> get(const std::string& name) const {
    if (auto v = getenv(name); v && !v->empty()) return v;
    if (auto it = dotenv.find(name); it != dotenv.end() && !it->second.empty()) return it->second;
    return std::nullopt;
  }
};

tern::Unexpected<std::string> invalid(const std::string& name, const std::string& why) {
  return tern::unexpected(name + " " + why);
}

// A positive integer setting within [lo, hi].
tern::Expected<int64_t, std::string> int_setting(const Lookup& env, const std::string& name,
                                                 int64_t fallback, int64_t lo, int64_t hi) {
  auto v = env.get(name);
  if (!v) return fallback;
  if (v->empty() || v->size() > 12 || v->find_first_not_of("0123456789") != std::string::npos) {
    return invalid(name, "must be an integer, not \"" + *v + "\"");
  }
  int64_t n = std::stoll(*v);
  if (n < lo || n > hi) {
    return invalid(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return n;
}

tern::Expected<std::string, std::string> queue_url(const Lookup& env, const std::string& name) {
  auto v = env.get(name);
  if (!v) return invalid(name, "is required (the queue URL, e.g. http://127.0.0.1:9324/"
                               "000000000000/mileage)");
  auto endpoint = tern::client::parse_endpoint(*v);
  if (!endpoint) return invalid(name, "is not a queue URL: " + endpoint.error());
  if (endpoint->path.size() < 2 || endpoint->path.back() == '/') {
    return invalid(name, "has no queue name in its path: " + *v);
  }
  return *v;
}

}  // namespace

tern::Expected<ShopConfig, std::string> load_config(Service service, const Getenv& getenv,
                                                    const std::string& dotenv_text) {
  Lookup env{getenv, tern::client::parse_dotenv(dotenv_text)};
  ShopConfig c;

  auto region = env.get("AWS_REGION");
  if (!region) region = env.get("AWS_DEFAULT_REGION");
  if (!region) return invalid("AWS_REGION", "is required (e.g. us-east-1)");
  if (region->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return invalid("AWS_REGION", "is not a region name: \"" + *region + "\"");
  }
  c.region = *region;

  auto key = env.get("AWS_ACCESS_KEY_ID");
  auto secret = env.get("AWS_SECRET_ACCESS_KEY");
  if (key && !secret) return invalid("AWS_SECRET_ACCESS_KEY", "is required with AWS_ACCESS_KEY_ID");
  if (secret && !key) return invalid("AWS_ACCESS_KEY_ID", "is required with AWS_SECRET_ACCESS_KEY");
  c.access_key_id = key.value_or("");
  c.secret_access_key = secret.value_or("");
  c.session_token = env.get("AWS_SESSION_TOKEN").value_or("");

  if (service != Service::kTracking) {
    auto url = queue_url(env, "AWS_SQS_MILEAGE_URL");
    if (!url) return tern::unexpected(url.error());
    c.mileage_queue_url = *url;
  }
  if (service != Service::kMileage) {
    auto url = queue_url(env, "AWS_SQS_PRODUCT_TRACKING_URL");
    if (!url) return tern::unexpected(url.error());
    c.tracking_queue_url = *url;
  }
  if (service == Service::kPurchase && c.mileage_queue_url == c.tracking_queue_url) {
    return invalid("AWS_SQS_PRODUCT_TRACKING_URL", "must differ from AWS_SQS_MILEAGE_URL");
  }

  if (auto ep = env.get("AWS_ENDPOINT_URL_SQS")) {
    if (auto parsed = tern::client::parse_endpoint(*ep); !parsed) {
      return invalid("AWS_ENDPOINT_URL_SQS", "is not an http(s) URL: " + parsed.error());
    }
    c.endpoint_url = *ep;
    c.endpoint_source = "AWS_ENDPOINT_URL_SQS";
  } else {
    // A non-AWS queue URL without an endpoint: talk to the host the queue lives on.
    const std::string& any_url =
        c.mileage_queue_url.empty() ? c.tracking_queue_url : c.mileage_queue_url;
    auto parsed = tern::client::parse_endpoint(any_url);
    if (parsed && parsed->host.find("amazonaws.com") == std::string::npos) {
      c.endpoint_url = (parsed->tls ? "https://" : "http://") + parsed->host_header();
      c.endpoint_source = "queue URL";
    } else {
      c.endpoint_source = "default";
    }
  }

  const char* port_name = service == Service::kPurchase  ? "PORT"
                          : service == Service::kMileage ? "MILEAGE_PORT"
                                                         : "TRACKING_PORT";
  int64_t default_port = service == Service::kPurchase ? 3000
                         : service == Service::kMileage ? 3001
                                                        : 3002;
  auto port = int_setting(env, port_name, default_port, 0, 65535);
  if (!port) return tern::unexpected(port.error());
  c.port = static_cast<uint16_t>(*port);
  c.host = env.get("SHOP_HOST").value_or("127.0.0.1");
  c.data_dir = env.get("SHOP_DATA_DIR").value_or("./data");

  auto concurrency = int_setting(env, "SHOP_CONCURRENCY", 40, 1, 1000);
  if (!concurrency) return tern::unexpected(concurrency.error());
  c.concurrency = static_cast<int>(*concurrency);
  auto wait = int_setting(env, "SHOP_WAIT_TIME_SECONDS", 20, 0, 20);
  if (!wait) return tern::unexpected(wait.error());
  c.wait_time_seconds = static_cast<int>(*wait);
  auto visibility = int_setting(env, "SHOP_VISIBILITY_TIMEOUT", 30, 1, 43200);
  if (!visibility) return tern::unexpected(visibility.error());
  c.visibility_timeout = static_cast<int>(*visibility);
  auto body = int_setting(env, "SHOP_MAX_BODY_BYTES", 16 * 1024, 256, 1024 * 1024);
  if (!body) return tern::unexpected(body.error());
  c.max_body_bytes = static_cast<uint64_t>(*body);
  return c;
}

tern::Expected<ShopConfig, std::string> load_config(Service service) {
  std::string dotenv;
  if (std::ifstream in(".env"); in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    dotenv = ss.str();
  }
  Getenv getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  return load_config(service, getenv, dotenv);
}

tern::client::ClientOptions client_options(const ShopConfig& c) {
  tern::client::ClientOptions o;
  o.region = c.region;
  if (!c.endpoint_url.empty()) o.endpoint = c.endpoint_url;
  if (!c.access_key_id.empty()) {
    o.access_key_id = c.access_key_id;
    o.secret_access_key = c.secret_access_key;
    if (!c.session_token.empty()) o.session_token = c.session_token;
  }
  return o;
}

}  // namespace shop
