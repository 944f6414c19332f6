#pragma once
// Request classification (spec §1.3): decides the wire protocol of an HTTP request, names the
// action and turns its parameters into one JSON object. Query requests are "unflattened" into
// exactly the object the JSON protocol would carry for the same call (spec §1.5), so that one
// set of decoders (codec.h) serves both protocols. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "common/expected.h"
#include "engine/api.h"

namespace tern::protocol {

enum class Protocol { kJson, kQuery };

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";
inline constexpr std::string_view kXmlContentType = "text/xml";
inline constexpr std::string_view kQueryXmlNamespace =
    "http://queue.amazonaws.com/doc/2012-11-05/";

struct WireRequest {
  std::string_view method;
  std::string_view target;  // path + optional ?query, as on the request line
  std::string_view content_type;
  std::string_view amz_target;  // X-Amz-Target header, may be empty
  std::string_view body;
};

struct Classified {
  Protocol protocol = Protocol::kJson;
  std::string action;  // a known action name, e.g. "SendMessage"
  boost::json::object params;
};

// On failure: the error plus the protocol to render it in.
struct ClassifyError {
  Protocol protocol = Protocol::kQuery;
  engine::Error error;
  int http_status_override = 0;  // non-zero: use instead of the table's status (404 for a bare GET)
};

tern::Expected<Classified, ClassifyError> classify(const WireRequest& request);

// Rewrites each unpaired \uD800-\uDFFF escape of a JSON text as \u0000 (valid pairs and other
// escapes are kept). Exposed for tests.
std::string replace_lone_surrogates(std::string_view json_text);

// A rendered HTTP response (success or error). The server adds Date and connection headers.
struct WireResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The 23 actions of API version 2012-11-05, in model order.
const std::vector<std::string_view>& known_actions();
bool is_known_action(std::string_view action);

// The path part of a request target, without "?query".
std::string_view target_path(std::string_view target);
// True when `path` has the queue-URL shape `/<account>/<name>` (two non-empty segments).
bool is_queue_path(std::string_view path);

// Converts decoded query parameters (Action, Version and X-Amz-* included or not; they are
// ignored) into the JSON-protocol object for `action`. Exposed for tests and the client.
tern::Expected<boost::json::object, engine::Error> unflatten_query(
    const std::vector<std::pair<std::string, std::string>>& params, std::string_view action);

}  // namespace tern::protocol
