// Logging: the request-log line in both formats, JSON quoting, and what configure_logging writes
// to stderr (levels filter, JSON lines parse, the request log is silent until enabled).
#include "cli/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tern::cli {
namespace {

server::RequestLogEntry entry() {
  server::RequestLogEntry e;
  e.method = "POST";
  e.path = "/000000000000/orders";
  e.action = "SendMessage";
  e.status = 200;
  e.duration = std::chrono::microseconds(1234);
  e.bytes_in = 210;
  e.bytes_out = 378;
  return e;
}

TEST(LoggingTest, RequestLine_Text_IsKeyValuePairs) {
  EXPECT_EQ(format_request(entry(), false),
            "method=POST path=/000000000000/orders action=SendMessage status=200 "
            "duration_ms=1.234 bytes_in=210 bytes_out=378");
  auto e = entry();
  e.action = {};
  e.path = "/odd path\"";
  EXPECT_EQ(format_request(e, false),
            "method=POST path=\"/odd path\\\"\" action=- status=200 duration_ms=1.234 "
            "bytes_in=210 bytes_out=378");
}

TEST(LoggingTest, RequestLine_Json_IsObjectMembers) {
  auto v = boost::json::parse("{" + format_request(entry(), true) + "}").as_object();
  EXPECT_EQ(v.at("method").as_string(), "POST");
  EXPECT_EQ(v.at("path").as_string(), "/000000000000/orders");
  EXPECT_EQ(v.at("action").as_string(), "SendMessage");
  EXPECT_EQ(v.at("status").as_int64(), 200);
  EXPECT_DOUBLE_EQ(v.at("duration_ms").as_double(), 1.234);
  EXPECT_EQ(v.at("bytes_in").as_int64(), 210);
  EXPECT_EQ(v.at("bytes_out").as_int64(), 378);
}

TEST(LoggingTest, JsonQuote_EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quote("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(json_quote("ünï"), "\"ünï\"");
}

// Runs `body` with stderr redirected to a file; returns what was written.
template <class F>
std::string capture_stderr(F body) {
  char path[] = "/tmp/tern-logging-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  std::fflush(stderr);
  int saved = dup(2);
  dup2(fd, 2);
  body();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path);
  return text.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(LoggingTest, Json_WritesOneParsableObjectPerLine_AtOrAboveTheLevel) {
  std::string out = capture_stderr([] {
    configure_logging("info", "json", false);
    spdlog::debug("hidden");
    spdlog::info("shown \"quoted\" {}", 42);
    spdlog::warn("careful");
    log_request(entry());  // the request log is off
  });
  auto ls = lines(out);
  ASSERT_EQ(ls.size(), 2u) << out;
  auto first = boost::json::parse(ls[0]).as_object();
  EXPECT_EQ(first.at("level").as_string(), "info");
  EXPECT_EQ(first.at("msg").as_string(), "shown \"quoted\" 42");
  std::string time(first.at("time").as_string());
  EXPECT_EQ(time.size(), 24u) << time;  // 2024-05-01T12:00:00.123Z
  EXPECT_EQ(time.back(), 'Z');
  EXPECT_EQ(boost::json::parse(ls[1]).at("level").as_string(), "warning");
}

TEST(LoggingTest, RequestLog_WritesWhenEnabled_WhateverTheLevel) {
  std::string out = capture_stderr([] {
    configure_logging("error", "json", true);
    spdlog::info("hidden");
    log_request(entry());
  });
  auto ls = lines(out);
  ASSERT_EQ(ls.size(), 1u) << out;
  auto v = boost::json::parse(ls[0]).as_object();
  EXPECT_EQ(v.at("logger").as_string(), "request");
  EXPECT_EQ(v.at("action").as_string(), "SendMessage");
  EXPECT_EQ(v.at("status").as_int64(), 200);

  out = capture_stderr([] {
    configure_logging("off", "text", true);
    spdlog::error("hidden");
    log_request(entry());
  });
  ls = lines(out);
  ASSERT_EQ(ls.size(), 1u) << out;
  EXPECT_NE(ls[0].find(" [info] request method=POST path=/000000000000/orders"), std::string::npos)
      << ls[0];
  configure_logging("info", "text", false);
}

}  // namespace
}  // namespace tern::cli
