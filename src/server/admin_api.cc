#include "server/admin_api.h"

#include <algorithm>
#include <optional>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/text.h"
#include "engine/peek.h"
#include "server/ui_assets.h"

namespace tern::server {
namespace asio = boost::asio;
namespace json = boost::json;
using protocol::WireResponse;

namespace {

constexpr std::string_view kApiPrefix = "/ui/api/";
constexpr std::string_view kQueuesPrefix = "/ui/api/queues/";
constexpr size_t kDefaultBodyLimit = 4096;
constexpr int64_t kMaxBodyLimit = 1'048'576;  // the largest SQS message
constexpr int64_t kDefaultPeekLimit = 20;

void common_headers(WireResponse& r) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
}

WireResponse json_response(int status, const json::value& v) {
  WireResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json::serialize(v);
  r.body += '\n';
  r.headers.emplace_back("Cache-Control", "no-store");
  common_headers(r);
  return r;
}

WireResponse error_response(int status, std::string_view code, std::string message) {
  return json_response(status, json::object{{"error", code}, {"message", std::move(message)}});
}

WireResponse method_not_allowed(std::string_view allow) {
  auto r = error_response(405, "MethodNotAllowed",
                          "This path accepts " + std::string(allow) + " only.");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

WireResponse unauthorized() {
  auto r = error_response(401, "Unauthorized",
                          "The dashboard needs a login: an access key id as the user name and its "
                          "secret access key as the password.");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tern\", charset=\"UTF-8\"");
  return r;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The host name of an authority ("[::1]:9324" -> "::1", "Example.org:80" -> "example.org").
std::string host_name(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    return close == std::string_view::npos ? "" : lower(authority.substr(1, close - 1));
  }
  return lower(authority.substr(0, authority.find(':')));
}

// The authority of a URL ("http://h:1/x" -> "h:1").
std::string_view authority_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  return url.substr(0, url.find_first_of("/?#"));
}

// Names that cannot be rebound to this machine by someone else's DNS: IP literals, localhost,
// and the host name the operator gave as the server's public URL.
bool host_allowed(std::string_view host_header, std::string_view base_url) {
  std::string name = host_name(trim(host_header));
  if (name.empty()) return false;
  boost::system::error_code ec;
  (void)asio::ip::make_address(name, ec);
  if (!ec) return true;
  if (name == "localhost" || (name.size() > 10 && name.ends_with(".localhost"))) return true;
  return name == host_name(authority_of(base_url));
}

// The access key id of valid HTTP Basic credentials, or nullopt.
std::optional<std::string> basic_user(std::string_view header, const sigv4::CredentialStore& store) {
  header = trim(header);
  if (header.size() < 6 || !starts_with_icase(header, "Basic ")) return std::nullopt;
  auto decoded = base64_decode(trim(header.substr(6)));
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string_view id = std::string_view(*decoded).substr(0, colon);
  std::string_view secret = std::string_view(*decoded).substr(colon + 1);
  const sigv4::KeyEntry* key = store.find(id);
  // Digests of equal length: the comparison takes the same time whatever the secret's length
  // and however much of it matches. An unknown key still pays for one comparison.
  const Sha256Digest want = sha256(key != nullptr ? std::string_view(key->secret_access_key)
                                                  : std::string_view("\x01unknown key"));
  const Sha256Digest got = sha256(secret);
  const bool match = constant_time_equal(
      std::string_view(reinterpret_cast<const char*>(want.data()), want.size()),
      std::string_view(reinterpret_cast<const char*>(got.data()), got.size()));
  if (key == nullptr || !match || !key->session_token.empty()) return std::nullopt;
  return std::string(id);
}

// A POST must be JSON and, when the browser names its origin, come from this same origin.
std::optional<WireResponse> cross_site_check(const HttpRequest& req) {
  std::string_view type = trim(req.header("Content-Type"));
  type = trim(type.substr(0, type.find(';')));
  if (!iequals(type, "application/json") && !iequals(type, protocol::kJsonContentType)) {
    return error_response(415, "UnsupportedMediaType",
                          "POST requests to the dashboard must be JSON (Content-Type: "
                          "application/x-amz-json-1.0 or application/json).");
  }
  std::string_view origin = req.header("Origin");
  if (!origin.empty()) {
    std::string host(trim(req.header("Host")));
    if (origin != "http://" + host && origin != "https://" + host) {
      return error_response(403, "CrossOriginRequest",
                            "Requests to the dashboard's API must come from the dashboard itself "
                            "(Origin " + std::string(origin) + " is not " + host + ").");
    }
  }
  std::string_view site = req.header("Sec-Fetch-Site");
  if (!site.empty() && site != "same-origin" && site != "none") {
    return error_response(403, "CrossOriginRequest",
                          "Requests to the dashboard's API must come from the dashboard itself.");
  }
  return std::nullopt;
}

std::string_view name_of_arn(std::string_view arn) { return arn.substr(arn.rfind(':') + 1); }

json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object attribute_json(const engine::MessageAttributeValue& v) {
  json::object o;
  o["data_type"] = v.data_type;
  if (v.string_value) o["string_value"] = *v.string_value;
  if (v.binary_value) o["binary_value"] = base64_encode(*v.binary_value);
  return o;
}

json::value rate_json(double r) { return r < 0 ? json::value(nullptr) : json::value(r); }

}  // namespace

AdminApi::AdminApi(Dispatcher& dispatcher)
    : dispatcher_(dispatcher), engine_(dispatcher.engine()) {}

bool AdminApi::handles(std::string_view target) {
  if (!target.starts_with("/ui")) return false;
  return target.size() == 3 || target[3] == '/' || target[3] == '?';
}

bool AdminApi::allowed(const std::string& user, std::string_view action,
                       std::string_view queue) const {
  const auto& store = dispatcher_.credentials();
  if (!store) return true;
  const sigv4::KeyEntry* key = store->find(user);
  return key != nullptr && key->allows(action, queue);
}

asio::awaitable<WireResponse> AdminApi::handle(const HttpRequest& req) {
  std::string_view target = req.target;
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);

  const auto& store = dispatcher_.credentials();
  std::string user;
  if (store) {
    auto u = basic_user(req.header("Authorization"), *store);
    if (!u) co_return unauthorized();
    user = std::move(*u);
  } else if (!host_allowed(req.header("Host"), engine_.options().base_url)) {
    co_return error_response(
        403, "HostNotAllowed",
        "The dashboard answers only to an IP address, localhost or the host of --public-url, "
        "not to \"" + std::string(req.header("Host")) + "\" (a guard against DNS rebinding).");
  }

  if (path == "/ui/api/sqs") {
    WireResponse r = co_await post_sqs(req, user);
    co_return r;
  }
  if (path.starts_with(kApiPrefix)) {
    if (req.method != "GET") co_return method_not_allowed("GET");
    if (path == "/ui/api/info") co_return get_info(user);
    if (path == "/ui/api/queues") {
      if (!query.empty()) {
        co_return error_response(400, "InvalidParameter", "/ui/api/queues takes no parameters.");
      }
      co_return get_queues(user);
    }
    if (path.starts_with(kQueuesPrefix)) {
      std::string_view rest = path.substr(kQueuesPrefix.size());
      auto slash = rest.find('/');
      if (slash != std::string_view::npos && rest.substr(slash) == "/messages") {
        auto name = url_decode(rest.substr(0, slash), false);
        if (!name || name->empty()) {
          co_return error_response(400, "InvalidParameter", "The queue name is not valid.");
        }
        co_return get_messages(*name, query, user);
      }
    }
    co_return error_response(404, "NotFound", "No such API: " + std::string(path) + ".");
  }

  // The dashboard's files.
  if (req.method != "GET") co_return method_not_allowed("GET");
  if (path == "/ui") {
    WireResponse r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "See /ui/\n";
    r.headers.emplace_back("Location", "/ui/");
    common_headers(r);
    co_return r;
  }
  std::string_view name = path.substr(4);  // after "/ui/"
  if (name.empty()) name = "index.html";
  const UiAsset* asset = find_ui_asset(name);
  if (asset == nullptr) {
    co_return error_response(404, "NotFound", "No such page: " + std::string(path) + ".");
  }
  WireResponse r;
  r.content_type = std::string(asset->content_type);
  r.headers.emplace_back("ETag", std::string(asset->etag));
  // Revalidate every time (the binary may have been upgraded); unchanged files cost a 304.
  r.headers.emplace_back("Cache-Control", "no-cache");
  common_headers(r);
  if (asset->content_type.starts_with("text/html")) {
    r.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  }
  std::string_view inm = req.header("If-None-Match");
  if (!inm.empty() && (inm == asset->etag || inm.find(asset->etag) != std::string_view::npos)) {
    r.status = 304;
    co_return r;
  }
  r.body = std::string(asset->data);
  co_return r;
}

WireResponse AdminApi::get_info(const std::string& user) const {
  const auto& o = engine_.options();
  json::object info;
  info["region"] = o.region;
  info["account_id"] = o.account_id;
  info["endpoint"] = o.base_url;
  info["auth"] = dispatcher_.credentials() ? "basic" : "none";
  info["user"] = user.empty() ? json::value(nullptr) : json::value(user);
  info["now_ms"] = o.clock->now_ms();
  info["sample_every_ms"] = kSampleEveryMs;
  return json_response(200, info);
}

WireResponse AdminApi::get_queues(const std::string& user) {
  std::vector<engine::QueueStats> stats = engine_.queue_stats();
  const int64_t now = engine_.options().clock->now_ms();
  json::array queues;
  std::lock_guard lock(history_mu_);
  std::map<std::string, History, std::less<>> next;
  for (const auto& s : stats) {
    History h;
    if (auto it = history_.find(s.name); it != history_.end() && it->second.uid == s.uid) {
      h = std::move(it->second);
    }
    const bool fresh = h.uid != s.uid;  // a new queue (or a new one of the same name)
    if (fresh || now - h.t_ms >= kSampleEveryMs) {
      const int64_t total = s.visible + s.in_flight + s.delayed;
      Sample sample{now, s.visible, s.in_flight, s.delayed, -1, -1};
      if (!fresh && now > h.t_ms) {
        // In: sequence numbers handed out since the last sample. Out: whatever left the queue
        // (deleted, expired, moved, purged) = in - growth.
        const double dt = static_cast<double>(now - h.t_ms) / 1000.0;
        const auto in = static_cast<int64_t>(s.entered - h.entered);
        sample.in_rate = static_cast<double>(in) / dt;
        sample.out_rate = static_cast<double>(std::max<int64_t>(0, in - (total - h.total))) / dt;
      }
      h.uid = s.uid;
      h.entered = s.entered;
      h.total = total;
      h.t_ms = now;
      h.samples.push_back(sample);
      while (h.samples.size() > kHistorySamples) h.samples.pop_front();
    }
    next.emplace(s.name, std::move(h));
  }
  history_ = std::move(next);  // deleted queues' histories go

  for (const auto& s : stats) {
    if (!allowed(user, "GetQueueAttributes", s.name)) continue;
    json::object q;
    q["name"] = s.name;
    q["url"] = s.url;
    q["arn"] = s.arn;
    q["fifo"] = s.fifo;
    q["visible"] = s.visible;
    q["in_flight"] = s.in_flight;
    q["delayed"] = s.delayed;
    q["entered"] = s.entered;
    q["created_s"] = s.created_s;
    if (s.dead_letter_target_arn) {
      q["dead_letter_target"] = json::object{{"arn", *s.dead_letter_target_arn},
                                             {"name", name_of_arn(*s.dead_letter_target_arn)}};
      q["max_receive_count"] = s.max_receive_count;
    } else {
      q["dead_letter_target"] = nullptr;
    }
    json::array sources;
    for (const auto& other : stats) {
      if (other.dead_letter_target_arn == s.arn &&
          allowed(user, "GetQueueAttributes", other.name)) {
        sources.emplace_back(other.name);
      }
    }
    q["dead_letter_sources"] = std::move(sources);
    json::array t, visible, in_flight, delayed, in_rate, out_rate;
    double last_in = -1, last_out = -1;
    if (auto it = history_.find(s.name); it != history_.end() && it->second.uid == s.uid) {
      for (const auto& x : it->second.samples) {
        t.emplace_back(x.t_ms);
        visible.emplace_back(x.visible);
        in_flight.emplace_back(x.in_flight);
        delayed.emplace_back(x.delayed);
        in_rate.push_back(rate_json(x.in_rate));
        out_rate.push_back(rate_json(x.out_rate));
        last_in = x.in_rate;
        last_out = x.out_rate;
      }
    }
    q["in_rate"] = rate_json(last_in);
    q["out_rate"] = rate_json(last_out);
    q["history"] = json::object{{"t", std::move(t)},
                                {"visible", std::move(visible)},
                                {"in_flight", std::move(in_flight)},
                                {"delayed", std::move(delayed)},
                                {"in_rate", std::move(in_rate)},
                                {"out_rate", std::move(out_rate)}};
    queues.push_back(std::move(q));
  }
  return json_response(200, json::object{{"now_ms", now}, {"queues", std::move(queues)}});
}

WireResponse AdminApi::get_messages(std::string_view name, std::string_view query,
                                    const std::string& user) const {
  engine::PeekRequest req;
  req.queue_name = std::string(name);
  req.limit = kDefaultPeekLimit;
  req.max_body_bytes = kDefaultBodyLimit;
  auto params = parse_form(query);
  if (!params) return error_response(400, "InvalidParameter", "The query string is malformed.");
  for (const auto& [k, v] : *params) {
    auto n = parse_int64(v);
    if (k == "after") {
      if (!n || *n < 0) {
        return error_response(400, "InvalidParameter",
                              "after must be a message's seq (a non-negative integer), not \"" + v +
                                  "\".");
      }
      req.after_seq = static_cast<uint64_t>(*n);
    } else if (k == "limit") {
      if (!n || *n < 1 || *n > static_cast<int64_t>(engine::kMaxPeekLimit)) {
        return error_response(400, "InvalidParameter",
                              "limit must be an integer from 1 to " +
                                  std::to_string(engine::kMaxPeekLimit) + ", not \"" + v + "\".");
      }
      req.limit = static_cast<size_t>(*n);
    } else if (k == "body_limit") {
      if (!n || *n < 0 || *n > kMaxBodyLimit) {
        return error_response(400, "InvalidParameter",
                              "body_limit must be a number of bytes from 0 (whole bodies) to " +
                                  std::to_string(kMaxBodyLimit) + ", not \"" + v + "\".");
      }
      req.max_body_bytes = static_cast<size_t>(*n);
    } else {
      return error_response(400, "InvalidParameter",
                            "Unknown parameter \"" + k + "\" (after, limit and body_limit are).");
    }
  }
  if (!allowed(user, "ReceiveMessage", name)) {
    return error_response(403, "AccessDenied",
                          "Access key " + user + " may not read messages of " + req.queue_name +
                              " (peeking needs ReceiveMessage).");
  }
  auto res = engine_.peek_messages(req);
  if (!res) {
    switch (res.error().code) {
      case engine::ErrorCode::kQueueDoesNotExist:
        return error_response(404, "QueueDoesNotExist", res.error().message);
      case engine::ErrorCode::kInvalidParameterValue:
        return error_response(400, "InvalidParameter", res.error().message);
      default: return error_response(500, "InternalFailure", res.error().message);
    }
  }
  json::array messages;
  for (const auto& m : res->messages) {
    json::object o;
    o["seq"] = m.seq;
    o["message_id"] = m.message_id;
    o["state"] = engine::peek_state_name(m.state);
    o["body"] = m.body;
    o["body_bytes"] = m.body_bytes;
    o["body_truncated"] = m.body_truncated;
    o["md5_of_body"] = m.md5_of_body;
    o["receive_count"] = m.receive_count;
    o["sent_ms"] = m.sent_ms;
    o["first_receive_ms"] = m.first_receive_ms == 0 ? json::value(nullptr)
                                                    : json::value(m.first_receive_ms);
    o["visible_at_ms"] = m.visible_at_ms == 0 ? json::value(nullptr)
                                              : json::value(m.visible_at_ms);
    o["sender_id"] = m.sender_id;
    o["group_id"] = opt(m.group_id);
    o["deduplication_id"] = opt(m.deduplication_id);
    o["sequence_number"] = opt(m.sequence_number);
    o["dead_letter_source_arn"] = opt(m.dead_letter_source_arn);
    o["trace_header"] = opt(m.trace_header);
    json::object attrs;
    for (const auto& [k, v] : m.message_attributes) attrs[k] = attribute_json(v);
    o["message_attributes"] = std::move(attrs);
    messages.push_back(std::move(o));
  }
  json::object out;
  out["queue"] = req.queue_name;
  out["total"] = res->total;
  out["next_after"] = res->next_after ? json::value(*res->next_after) : json::value(nullptr);
  out["now_ms"] = engine_.options().clock->now_ms();
  out["messages"] = std::move(messages);
  return json_response(200, out);
}

asio::awaitable<WireResponse> AdminApi::post_sqs(const HttpRequest& req, const std::string& user) {
  if (req.method != "POST") co_return method_not_allowed("POST");
  if (auto refused = cross_site_check(req)) co_return std::move(*refused);
  std::string_view action = req.header("X-Amz-Target");
  if (!action.starts_with("AmazonSQS.")) {
    co_return error_response(400, "MissingAction",
                             "Name the SQS action in X-Amz-Target: AmazonSQS.<Action>.");
  }
  // The same request as a client would send to POST /, without the dashboard's login.
  HttpRequest sqs;
  sqs.method = "POST";
  sqs.target = "/";
  sqs.headers = {{"Content-Type", std::string(protocol::kJsonContentType)},
                 {"X-Amz-Target", std::string(action)}};
  sqs.body = req.body;
  WireResponse r = co_await dispatcher_.handle(sqs, user);
  r.headers.emplace_back("Cache-Control", "no-store");
  common_headers(r);
  co_return r;
}

const UiAsset* find_ui_asset(std::string_view name) {
  const auto& all = ui_assets();
  auto it = std::lower_bound(all.begin(), all.end(), name,
                             [](const UiAsset& a, std::string_view n) { return a.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

}  // namespace tern::server
