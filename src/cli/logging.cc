#include "cli/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

namespace tern::cli {
namespace {

// 2024-05-01T12:00:00.123Z
void append_time(spdlog::log_clock::time_point t, spdlog::memory_buf_t& dest) {
  const auto since = t.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
  std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<size_t>(std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms)));
  dest.append(buf, buf + n);
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

std::string_view level_name(spdlog::level::level_enum l) {
  const auto& sv = spdlog::level::to_string_view(l);
  return {sv.data(), sv.size()};
}

// Text lines: `<time> [<level>] <message>`. `prefix` (the request log's "request ") goes before
// the message.
class TextFormatter final : public spdlog::formatter {
 public:
  explicit TextFormatter(std::string prefix = {}) : prefix_(std::move(prefix)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    append_time(msg.time, dest);
    append(dest, " [");
    append(dest, level_name(msg.level));
    append(dest, "] ");
    append(dest, prefix_);
    append(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    append(dest, "\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>(prefix_);
  }

 private:
  std::string prefix_;
};

// JSON lines. With `members` the message is already JSON object members (the request log's
// fields) and is spliced in; otherwise it becomes the "msg" string.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(bool members) : members_(members) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    append(dest, "{\"time\":\"");
    append_time(msg.time, dest);
    append(dest, "\",\"level\":\"");
    append(dest, level_name(msg.level));
    append(dest, "\",");
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (members_) {
      append(dest, "\"logger\":\"request\",");
      append(dest, payload);
    } else {
      append(dest, "\"msg\":");
      append(dest, json_quote(payload));
    }
    append(dest, "}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(members_);
  }

 private:
  bool members_;
};

// Set by configure_logging, before the server's threads start (see the header).
std::shared_ptr<spdlog::logger> g_request_logger;
bool g_request_json = false;

void append_duration_ms(std::string& out, std::chrono::microseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
  out += buf;
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string format_request(const server::RequestLogEntry& e, bool json) {
  std::string out;
  const std::string_view action = e.action.empty() ? std::string_view("-") : e.action;
  if (json) {
    out += "\"method\":" + json_quote(e.method);
    out += ",\"path\":" + json_quote(e.path);
    out += ",\"action\":" + json_quote(action);
    out += ",\"status\":" + std::to_string(e.status);
    out += ",\"duration_ms\":";
    append_duration_ms(out, e.duration);
    out += ",\"bytes_in\":" + std::to_string(e.bytes_in);
    out += ",\"bytes_out\":" + std::to_string(e.bytes_out);
  } else {
    // The path is the only field a client chooses; quote it when it could split the line.
    const bool plain = e.path.find_first_of(" \"\\\n\r\t") == std::string_view::npos;
    out += "method=";
    out += e.method;
    out += " path=";
    out += plain ? std::string(e.path) : json_quote(e.path);
    out += " action=";
    out += action;
    out += " status=" + std::to_string(e.status);
    out += " duration_ms=";
    append_duration_ms(out, e.duration);
    out += " bytes_in=" + std::to_string(e.bytes_in);
    out += " bytes_out=" + std::to_string(e.bytes_out);
  }
  return out;
}

void configure_logging(std::string_view level, std::string_view format, bool request_log) {
  const bool json = format == "json";
  auto main =
      std::make_shared<spdlog::logger>("tern", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (json) {
    main->set_formatter(std::make_unique<JsonFormatter>(false));
  } else {
    main->set_formatter(std::make_unique<TextFormatter>());
  }
  main->set_level(spdlog::level::from_str(std::string(level)));
  main->flush_on(spdlog::level::trace);  // stderr is unbuffered anyway; keep lines whole and prompt
  spdlog::set_default_logger(main);

  // Its own sink (spdlog formats per sink), writing whole lines to the same stderr.
  auto requests = std::make_shared<spdlog::logger>(
      "request", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (json) {
    requests->set_formatter(std::make_unique<JsonFormatter>(true));
  } else {
    requests->set_formatter(std::make_unique<TextFormatter>("request "));
  }
  requests->set_level(request_log ? spdlog::level::info : spdlog::level::off);
  g_request_json = json;
  g_request_logger = std::move(requests);
}

void log_request(const server::RequestLogEntry& entry) {
  spdlog::logger* logger = g_request_logger.get();
  if (logger == nullptr || !logger->should_log(spdlog::level::info)) return;
  const std::string line = format_request(entry, g_request_json);
  logger->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace tern::cli
