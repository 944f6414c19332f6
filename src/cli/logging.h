#pragma once
// Logging for `tern serve`, on spdlog: levelled lines on stderr, as text or as JSON lines, and
// the optional request log (one line per answered request, at info, whatever the level). The
// server itself logs nothing per request unless the request log is on, so the default level
// costs nothing on the hot path.
//
// Text:  2024-05-01T12:00:00.123Z [info] listening on 127.0.0.1:9324 ...
// JSON:  {"time":"2024-05-01T12:00:00.123Z","level":"info","msg":"listening on ..."}
// Request log, text: 2024-05-01T12:00:00.125Z [info] request method=POST path=/
//                    action=SendMessage status=200 duration_ms=0.412 bytes_in=201 bytes_out=378
// Request log, JSON: {"time":…,"level":"info","logger":"request","method":"POST","path":"/",
//                    "action":"SendMessage","status":200,"duration_ms":0.412,…}
//
// Thread-safety: configure_logging() before other threads log; the rest from any thread.

#include <string>
#include <string_view>

#include "server/http_server.h"

namespace tern::cli {

inline constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
inline constexpr std::string_view kLogFormats[] = {"text", "json"};

// Installs the default logger (stderr) at `level` in `format`, and the request logger (enabled
// or not). REQUIRES: level is one of kLogLevels, format one of kLogFormats.
void configure_logging(std::string_view level, std::string_view format, bool request_log);

// Writes one request-log line (in the configured format). A no-op while the request log is off.
void log_request(const server::RequestLogEntry& entry);

// The request-log line's fields, without time or level: `method=POST path=/ …` (text) or
// `"method":"POST","path":"/",…` (JSON object members). Exposed for tests.
std::string format_request(const server::RequestLogEntry& entry, bool json);

// `s` as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace tern::cli
