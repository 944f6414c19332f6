#include "cli/bench.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "cli/bench_histogram.h"
#include "sigv4/signer.h"

namespace tern::cli {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kTimestampWidth = 19;  // steady-clock nanoseconds
constexpr int kSeqWidth = 20;
constexpr int kGroupWidth = 6;

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

void write_fixed(char* out, int width, uint64_t v) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string xml_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (!ent.empty() && ent[0] == '#') {
      unsigned v = 0;
      if (ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')) {
        std::from_chars(ent.data() + 2, ent.data() + ent.size(), v, 16);
      } else {
        std::from_chars(ent.data() + 1, ent.data() + ent.size(), v);
      }
      out.push_back(static_cast<char>(v));  // ASCII is all the bench needs
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// Text between <tag> and </tag> starting at `from`; advances `from` past it.
std::optional<std::string_view> xml_next(std::string_view doc, std::string_view tag,
                                         size_t& from) {
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  auto a = doc.find(open, from);
  if (a == std::string_view::npos) return std::nullopt;
  a += open.size();
  auto b = doc.find(close, a);
  if (b == std::string_view::npos) return std::nullopt;
  from = b + close.size();
  return doc.substr(a, b - a);
}

// ---------------------------------------------------------------------------------------------
// HTTP

struct Target {
  std::string host;
  std::string port;
  std::string host_header;
};

std::optional<Target> parse_endpoint(const std::string& endpoint) {
  std::string_view rest(endpoint);
  rest.remove_prefix(7);  // http://
  auto slash = rest.find('/');
  if (slash != std::string_view::npos) rest = rest.substr(0, slash);
  Target t;
  t.host_header = std::string(rest);
  if (!rest.empty() && rest[0] == '[') {
    auto end = rest.find(']');
    if (end == std::string_view::npos) return std::nullopt;
    t.host = std::string(rest.substr(1, end - 1));
    rest.remove_prefix(end + 1);
    t.port = rest.starts_with(":") ? std::string(rest.substr(1)) : "80";
  } else {
    auto colon = rest.rfind(':');
    t.host = std::string(rest.substr(0, colon));
    t.port = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  }
  if (t.host.empty() || t.port.empty()) return std::nullopt;
  return t;
}

struct Response {
  int status = 0;            // 0: transport failure (see error)
  std::string_view body;     // valid until the next roundtrip on the connection
  std::string error;
};

// One keep-alive HTTP/1.1 connection, used by one coroutine at a time.
class Conn {
 public:
  Conn(asio::io_context& ioc, std::vector<tcp::endpoint> eps)
      : socket_(ioc), endpoints_(std::move(eps)) {
    buf_.resize(16 * 1024);
  }

  asio::io_context::executor_type executor() { return socket_.get_executor(); }
  void close() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  asio::awaitable<Response> roundtrip(std::string_view request) {
    Response r;
    if (!socket_.is_open()) {
      auto [ec, ep] = co_await asio::async_connect(socket_, endpoints_, kTuple);
      if (ec) {
        close();
        r.error = "connect: " + ec.message();
        co_return r;
      }
      socket_.set_option(tcp::no_delay(true), ec);
      used_ = 0;
    }
    auto [wec, wn] = co_await asio::async_write(socket_, asio::buffer(request), kTuple);
    if (wec) {
      close();
      r.error = "write: " + wec.message();
      co_return r;
    }
    if (!co_await read_response(r)) close();
    co_return r;
  }

 private:
  // Reads until used_ >= n.
  asio::awaitable<bool> fill(size_t n, Response& r) {
    while (used_ < n) {
      if (buf_.size() < n) buf_.resize(std::max(n, buf_.size() * 2));
      if (used_ == buf_.size()) buf_.resize(buf_.size() * 2);
      auto [ec, got] = co_await socket_.async_read_some(
          asio::buffer(buf_.data() + used_, buf_.size() - used_), kTuple);
      if (ec) {
        r.error = "read: " + ec.message();
        co_return false;
      }
      used_ += got;
    }
    co_return true;
  }

  asio::awaitable<bool> read_response(Response& r) {
    // Drop the previous response (no pipelining: normally nothing is left over).
    if (consumed_ > 0) {
      std::memmove(buf_.data(), buf_.data() + consumed_, used_ - consumed_);
      used_ -= consumed_;
      consumed_ = 0;
    }
    size_t hdr_end;
    for (;;) {
      std::string_view have(buf_.data(), used_);
      hdr_end = have.find("\r\n\r\n");
      if (hdr_end != std::string_view::npos) break;
      if (!co_await fill(used_ + 1, r)) co_return false;
    }
    std::string_view head(buf_.data(), hdr_end);
    if (head.size() < 12 || !head.starts_with("HTTP/1.")) {
      r.error = "bad status line";
      co_return false;
    }
    int status = 0;
    std::from_chars(head.data() + 9, head.data() + 12, status);
    int64_t content_length = -1;
    bool chunked = false;
    bool close_after = head.starts_with("HTTP/1.0");
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      size_t start = pos + 2;
      size_t end = head.find("\r\n", start);
      std::string_view line = head.substr(start, end == std::string_view::npos ? end : end - start);
      pos = end;
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      auto is = [&](std::string_view want) {
        if (name.size() != want.size()) return false;
        for (size_t i = 0; i < want.size(); ++i) {
          if (std::tolower(static_cast<unsigned char>(name[i])) != want[i]) return false;
        }
        return true;
      };
      if (is("content-length")) {
        std::from_chars(value.data(), value.data() + value.size(), content_length);
      } else if (is("transfer-encoding")) {
        chunked = value.find("chunked") != std::string_view::npos;
      } else if (is("connection")) {
        if (value.size() >= 5 && (value[0] == 'c' || value[0] == 'C')) close_after = true;
        if (value.size() >= 10 && (value[0] == 'k' || value[0] == 'K')) close_after = false;
      }
    }
    const size_t body_start = hdr_end + 4;
    if (chunked) {
      chunked_.clear();
      size_t p = body_start;
      for (;;) {
        size_t line_end;
        for (;;) {
          line_end = std::string_view(buf_.data(), used_).find("\r\n", p);
          if (line_end != std::string_view::npos) break;
          if (!co_await fill(used_ + 1, r)) co_return false;
        }
        uint64_t size = 0;
        std::from_chars(buf_.data() + p, buf_.data() + line_end, size, 16);
        p = line_end + 2;
        if (size == 0) {
          // Trailers are not expected; the terminating CRLF follows.
          if (!co_await fill(p + 2, r)) co_return false;
          p += 2;
          break;
        }
        if (!co_await fill(p + size + 2, r)) co_return false;
        chunked_.append(buf_.data() + p, size);
        p += size + 2;
      }
      consumed_ = p;
      r.body = chunked_;
    } else {
      if (content_length < 0) {
        if (status == 204 || status == 304) content_length = 0;
        else {
          r.error = "response without Content-Length";
          co_return false;
        }
      }
      if (!co_await fill(body_start + content_length, r)) co_return false;
      consumed_ = body_start + content_length;
      r.body = std::string_view(buf_.data() + body_start, content_length);
    }
    r.status = status;
    if (close_after) {
      // The body stays readable in buf_; the next roundtrip reconnects.
      boost::system::error_code ec;
      socket_.close(ec);
      used_ = consumed_;
    }
    co_return true;
  }

  asio::basic_stream_socket<tcp, asio::io_context::executor_type> socket_;
  std::vector<tcp::endpoint> endpoints_;
  std::vector<char> buf_;
  std::string chunked_;
  size_t used_ = 0;
  size_t consumed_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Requests

enum class SlotKind { kTimestamp, kSeq, kGroup };
struct Slot {
  size_t offset;
  int width;
  SlotKind kind;
};

// A complete request (or, with --sign, a body) with fixed-width slots to patch per send.
struct Template {
  std::string text;
  std::vector<Slot> slots;
  std::string action;
};

class Wire {
 public:
  Wire(const BenchOptions& o, Target t) : o_(o), target_(std::move(t)) {
    json_ = o.protocol == "json";
    creds_.access_key_id = o.access_key;
    creds_.secret_access_key = o.secret_key;
  }
  bool json() const { return json_; }

  // Serialises headers + body. Without --sign the result is fixed for a given body length, so
  // slots in the body keep their offsets (shifted by the header length).
  std::string http(std::string_view action, std::string_view body) const {
    std::string out;
    out.reserve(body.size() + 256);
    if (!o_.sign) {
      out += "POST / HTTP/1.1\r\nHost: ";
      out += target_.host_header;
      out += json_ ? "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS."
                   : "\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Action: ";
      out += action;
      out += "\r\nContent-Length: ";
      out += std::to_string(body.size());
      out += "\r\n\r\n";
      out += body;
      return out;
    }
    sigv4::HttpRequestView req;
    req.method = "POST";
    req.path = "/";
    req.headers.emplace_back("Host", target_.host_header);
    if (json_) {
      req.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
      req.headers.emplace_back("X-Amz-Target", "AmazonSQS." + std::string(action));
    } else {
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    req.body = std::string(body);
    sigv4::sign(req, creds_, o_.region, "sqs",
                sigv4::format_amz_date(std::chrono::system_clock::now()));
    out += "POST / HTTP/1.1\r\n";
    for (const auto& [k, v] : req.headers) {
      out += k;
      out += ": ";
      out += v;
      out += "\r\n";
    }
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    out += body;
    return out;
  }

  // The body of one message: "T<timestamp>-xxxx..." of exactly body_size bytes (JSON- and
  // form-safe), with a timestamp slot at offset 1.
  std::string message_body() const {
    std::string b = "T" + std::string(kTimestampWidth, '0') + "-";
    b.resize(static_cast<size_t>(o_.body_size), 'x');
    return b;
  }

  // SendMessage (n == 1) or SendMessageBatch (n > 1) for queue_url.
  Template send_template(const std::string& queue_url, int n) const {
    const bool fifo = o_.queue_type == "fifo";
    Template t;
    t.action = n == 1 ? "SendMessage" : "SendMessageBatch";
    std::string body;
    std::vector<Slot> slots;
    auto add_slot = [&](std::string& s, int width, SlotKind kind) {
      slots.push_back({s.size(), width, kind});
      s.append(static_cast<size_t>(width), '0');
    };
    const std::string msg = message_body();
    if (json_) {
      body = "{\"QueueUrl\":\"" + json_escape(queue_url) + "\",";
      if (n > 1) body += "\"Entries\":[";
      for (int i = 0; i < n; ++i) {
        if (n > 1) body += (i ? ",{\"Id\":\"" : "{\"Id\":\"") + std::to_string(i) + "\",";
        body += "\"MessageBody\":\"T";
        add_slot(body, kTimestampWidth, SlotKind::kTimestamp);
        body += msg.substr(1 + kTimestampWidth) + "\"";
        if (fifo) {
          body += ",\"MessageGroupId\":\"g";
          add_slot(body, kGroupWidth, SlotKind::kGroup);
          body += "\",\"MessageDeduplicationId\":\"d";
          add_slot(body, kSeqWidth, SlotKind::kSeq);
          body += "\"";
        }
        if (n > 1) body += "}";
      }
      body += n > 1 ? "]}" : "}";
    } else {
      body = "Action=" + t.action + "&Version=2012-11-05&QueueUrl=" + url_encode(queue_url);
      for (int i = 0; i < n; ++i) {
        std::string prefix =
            n == 1 ? "&" : "&SendMessageBatchRequestEntry." + std::to_string(i + 1) + ".";
        if (n > 1) body += prefix + "Id=" + std::to_string(i);
        body += prefix + "MessageBody=T";
        add_slot(body, kTimestampWidth, SlotKind::kTimestamp);
        body += msg.substr(1 + kTimestampWidth);
        if (fifo) {
          body += prefix + "MessageGroupId=g";
          add_slot(body, kGroupWidth, SlotKind::kGroup);
          body += prefix + "MessageDeduplicationId=d";
          add_slot(body, kSeqWidth, SlotKind::kSeq);
        }
      }
    }
    if (o_.sign) {
      t.text = std::move(body);
      t.slots = std::move(slots);
    } else {
      t.text = http(t.action, body);
      const size_t shift = t.text.size() - body.size();
      for (auto& s : slots) s.offset += shift;
      t.slots = std::move(slots);
    }
    return t;
  }

  // Patches the slots (timestamp, sequence numbers seq, seq+1, ...) and returns the request.
  // With --sign the signed request is built in `scratch` (one per connection).
  std::string_view fill(Template& t, uint64_t ts, uint64_t seq, uint64_t groups,
                        std::string& scratch) const {
    uint64_t k = seq;
    for (const auto& s : t.slots) {
      char* p = t.text.data() + s.offset;
      switch (s.kind) {
        case SlotKind::kTimestamp: write_fixed(p, s.width, ts); break;
        case SlotKind::kSeq: write_fixed(p, s.width, k++); break;
        case SlotKind::kGroup: write_fixed(p, s.width, groups ? k % groups : 0); break;
      }
    }
    if (!o_.sign) return t.text;
    scratch = http(t.action, t.text);
    return scratch;
  }

  std::string receive(const std::string& queue_url, int max, int wait) const {
    std::string body;
    if (json_) {
      body = "{\"QueueUrl\":\"" + json_escape(queue_url) +
             "\",\"MaxNumberOfMessages\":" + std::to_string(max) +
             ",\"WaitTimeSeconds\":" + std::to_string(wait) + "}";
    } else {
      body = "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=" + url_encode(queue_url) +
             "&MaxNumberOfMessages=" + std::to_string(max) +
             "&WaitTimeSeconds=" + std::to_string(wait);
    }
    return http("ReceiveMessage", body);
  }

  std::string remove(const std::string& queue_url, const std::vector<std::string>& handles) const {
    std::string body;
    const bool batch = handles.size() > 1;
    const char* action = batch ? "DeleteMessageBatch" : "DeleteMessage";
    if (json_) {
      body = "{\"QueueUrl\":\"" + json_escape(queue_url) + "\",";
      if (!batch) {
        body += "\"ReceiptHandle\":\"" + json_escape(handles[0]) + "\"}";
      } else {
        body += "\"Entries\":[";
        for (size_t i = 0; i < handles.size(); ++i) {
          if (i) body += ",";
          body += "{\"Id\":\"" + std::to_string(i) + "\",\"ReceiptHandle\":\"" +
                  json_escape(handles[i]) + "\"}";
        }
        body += "]}";
      }
    } else {
      body = std::string("Action=") + action + "&Version=2012-11-05&QueueUrl=" +
             url_encode(queue_url);
      if (!batch) {
        body += "&ReceiptHandle=" + url_encode(handles[0]);
      } else {
        for (size_t i = 0; i < handles.size(); ++i) {
          std::string p = "&DeleteMessageBatchRequestEntry." + std::to_string(i + 1) + ".";
          body += p + "Id=" + std::to_string(i) + p + "ReceiptHandle=" + url_encode(handles[i]);
        }
      }
    }
    return http(action, body);
  }

  std::string create_queue(const std::string& name) const {
    const bool fifo = o_.queue_type == "fifo";
    std::string body;
    if (json_) {
      body = "{\"QueueName\":\"" + json_escape(name) + "\"";
      if (fifo) body += ",\"Attributes\":{\"FifoQueue\":\"true\"}";
      body += "}";
    } else {
      body = "Action=CreateQueue&Version=2012-11-05&QueueName=" + url_encode(name);
      if (fifo) body += "&Attribute.1.Name=FifoQueue&Attribute.1.Value=true";
    }
    return http("CreateQueue", body);
  }

  // The error code of a non-2xx reply (AWS shape without namespace) or "HTTP <status>".
  std::string error_code(const Response& r) const {
    if (r.status == 0) return r.error;
    std::string code;
    if (json_) {
      auto p = r.body.find("\"__type\"");
      if (p != std::string_view::npos) {
        auto a = r.body.find('"', p + 8);
        auto b = a == std::string_view::npos ? a : r.body.find('"', a + 1);
        if (b != std::string_view::npos) {
          std::string_view v = r.body.substr(a + 1, b - a - 1);
          auto hash = v.rfind('#');
          code = std::string(hash == std::string_view::npos ? v : v.substr(hash + 1));
        }
      }
    } else {
      size_t from = 0;
      if (auto c = xml_next(r.body, "Code", from)) code = std::string(*c);
    }
    if (code.empty()) code = "HTTP " + std::to_string(r.status);
    return code;
  }

  // Codes of the failed entries of a successful batch reply.
  std::vector<std::string> batch_failures(std::string_view body) const {
    std::vector<std::string> out;
    if (json_) {
      if (body.find("\"Failed\":[{") == std::string_view::npos) return out;
      boost::system::error_code ec;
      auto v = boost::json::parse(body, ec);
      if (ec || !v.is_object()) return out;
      if (auto* f = v.as_object().if_contains("Failed"); f && f->is_array()) {
        for (const auto& e : f->as_array()) {
          const auto* c = e.is_object() ? e.as_object().if_contains("Code") : nullptr;
          out.emplace_back(c && c->is_string() ? std::string(c->as_string()) : "BatchFailed");
        }
      }
    } else {
      size_t from = 0;
      while (true) {
        auto entry = xml_next(body, "BatchResultErrorEntry", from);
        if (!entry) break;
        size_t f2 = 0;
        auto c = xml_next(*entry, "Code", f2);
        out.emplace_back(c ? std::string(*c) : "BatchFailed");
      }
    }
    return out;
  }

  struct Received {
    std::string handle;
    uint64_t sent_ns = 0;  // 0 when the body carries no timestamp
  };
  // Messages of a ReceiveMessage reply; false when the reply cannot be parsed.
  bool parse_receive(std::string_view body, std::vector<Received>& out) const {
    out.clear();
    auto ts_of = [](std::string_view b) -> uint64_t {
      if (b.size() < 1 + kTimestampWidth || b[0] != 'T') return 0;
      uint64_t v = 0;
      std::from_chars(b.data() + 1, b.data() + 1 + kTimestampWidth, v);
      return v;
    };
    if (json_) {
      boost::system::error_code ec;
      auto v = boost::json::parse(body, ec);
      if (ec || !v.is_object()) return false;
      const auto* msgs = v.as_object().if_contains("Messages");
      if (msgs == nullptr) return true;
      if (!msgs->is_array()) return false;
      for (const auto& m : msgs->as_array()) {
        if (!m.is_object()) return false;
        const auto* h = m.as_object().if_contains("ReceiptHandle");
        const auto* b = m.as_object().if_contains("Body");
        if (h == nullptr || !h->is_string()) return false;
        Received r;
        r.handle = std::string(h->as_string());
        if (b != nullptr && b->is_string()) r.sent_ns = ts_of(b->as_string());
        out.push_back(std::move(r));
      }
      return true;
    }
    size_t from = 0;
    while (true) {
      auto m = xml_next(body, "Message", from);
      if (!m) break;
      size_t f = 0;
      auto h = xml_next(*m, "ReceiptHandle", f);
      if (!h) return false;
      Received r;
      r.handle = xml_unescape(*h);
      f = 0;
      if (auto b = xml_next(*m, "Body", f)) r.sent_ns = ts_of(*b);
      out.push_back(std::move(r));
    }
    return true;
  }

  std::optional<std::string> queue_url_of(std::string_view body) const {
    if (json_) {
      boost::system::error_code ec;
      auto v = boost::json::parse(body, ec);
      if (ec || !v.is_object()) return std::nullopt;
      const auto* u = v.as_object().if_contains("QueueUrl");
      if (u == nullptr || !u->is_string()) return std::nullopt;
      return std::string(u->as_string());
    }
    size_t from = 0;
    auto u = xml_next(body, "QueueUrl", from);
    if (!u) return std::nullopt;
    return xml_unescape(*u);
  }

 private:
  const BenchOptions& o_;
  Target target_;
  bool json_ = true;
  sigv4::Credentials creds_;
};

// ---------------------------------------------------------------------------------------------
// Run state

// Per-thread counters; only the owning thread writes (relaxed atomics so that the progress
// line can read them).
struct alignas(64) ThreadStats {
  Histogram send_lat, receive_lat, delete_lat, e2e_lat;
  std::atomic<uint64_t> sent{0}, received{0}, deleted{0}, requests{0}, errors{0};
  std::atomic<uint64_t> last_receive_ns{0};
  std::map<std::string, uint64_t> error_codes;

  void error(const std::string& code, uint64_t n = 1) {
    error_codes[code] += n;
    errors.fetch_add(n, std::memory_order_relaxed);
  }
  void add(std::atomic<uint64_t>& c, uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

struct Totals {
  uint64_t sent = 0, received = 0, deleted = 0, requests = 0, errors = 0;
};

class Bench {
 public:
  explicit Bench(const BenchOptions& o, Target target)
      : o_(o), wire_(o, target), target_(std::move(target)) {}

  int run();

 private:
  Totals totals() const {
    Totals t;
    for (const auto& s : stats_) {
      t.sent += s->sent.load(std::memory_order_relaxed);
      t.received += s->received.load(std::memory_order_relaxed);
      t.deleted += s->deleted.load(std::memory_order_relaxed);
      t.requests += s->requests.load(std::memory_order_relaxed);
      t.errors += s->errors.load(std::memory_order_relaxed);
    }
    return t;
  }

  asio::awaitable<void> producer(int index, int nproducers, Conn& conn, ThreadStats& st,
                                 int batch, Histogram& lat);
  asio::awaitable<void> consumer(Conn& conn, ThreadStats& st, int max, int wait, bool e2e);
  bool setup_queue();
  // Runs the io_contexts until every spawned coroutine finishes; `controller` is polled every
  // millisecond on this thread and returns true once consumers should be stopped.
  void run_phase(const char* label, const std::function<bool()>& controller);
  void progress(const char* label, bool final);
  void close_consumers();
  int64_t rss_kb() const;

  const BenchOptions& o_;
  Wire wire_;
  Target target_;
  std::vector<tcp::endpoint> endpoints_;
  std::string queue_url_;
  std::vector<std::unique_ptr<asio::io_context>> iocs_;
  std::vector<std::unique_ptr<ThreadStats>> stats_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Conn*> consumer_conns_;
  std::atomic<bool> stop_producers_{false};
  std::atomic<bool> stop_consumers_{false};
  std::atomic<int64_t> tickets_{INT64_MAX};
  std::atomic<uint64_t> seq_{0};
  std::atomic<int> active_producers_{0};
  std::atomic<int> connections_up_{0};
  uint64_t duration_ns_ = 0;  // per producer, from its first send; 0: unbounded
  int wait_for_pollers_ = 0;
  uint64_t run_id_ = 0;
  Clock::time_point phase_start_;
  Clock::time_point last_progress_;
  uint64_t progress_sent_ = 0;
  uint64_t progress_received_ = 0;
};

int64_t Bench::rss_kb() const {
  if (o_.server_pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(o_.server_pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

asio::awaitable<void> Bench::producer(int index, int nproducers, Conn& conn, ThreadStats& st,
                                      int batch, Histogram& lat) {
  Template t = wire_.send_template(queue_url_, batch);
  std::string scratch;
  asio::steady_timer timer(conn.executor());
  if (wait_for_pollers_ > 0) {
    // fanin: let the pollers connect and park before the trickle starts.
    const uint64_t give_up = now_ns() + 30'000'000'000ULL;
    while (connections_up_.load() < wait_for_pollers_ && now_ns() < give_up) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(kTuple);
    }
    timer.expires_after(std::chrono::milliseconds(500));
    co_await timer.async_wait(kTuple);
  }
  const uint64_t deadline = duration_ns_ ? now_ns() + duration_ns_ : UINT64_MAX;
  const bool paced = o_.rate > 0;
  const double interval_ns = paced ? 1e9 * batch * nproducers / o_.rate : 0;
  double next = static_cast<double>(now_ns()) + interval_ns * index / nproducers;
  const uint64_t groups = o_.queue_type == "fifo" ? static_cast<uint64_t>(o_.groups) : 0;
  for (;;) {
    if (stop_producers_.load(std::memory_order_relaxed)) break;
    if (now_ns() >= deadline) break;
    if (tickets_.fetch_sub(batch, std::memory_order_relaxed) <= 0) break;
    uint64_t t0;
    if (paced) {
      uint64_t at = static_cast<uint64_t>(next);
      next += interval_ns;
      if (at > now_ns()) {
        timer.expires_at(Clock::time_point(std::chrono::nanoseconds(at)));
        co_await timer.async_wait(kTuple);
      }
      t0 = at;  // latency from the intended send time: no coordinated omission
    } else {
      t0 = now_ns();
    }
    uint64_t seq = run_id_ + seq_.fetch_add(batch, std::memory_order_relaxed);
    auto req = wire_.fill(t, t0, seq, groups, scratch);
    Response r = co_await conn.roundtrip(req);
    lat.record(now_ns() - t0);
    st.add(st.requests, 1);
    if (r.status == 200) {
      uint64_t failed = 0;
      if (batch > 1) {
        for (auto& code : wire_.batch_failures(r.body)) {
          st.error(code);
          ++failed;
        }
      }
      st.add(st.sent, batch - failed);
    } else {
      st.error(wire_.error_code(r), batch);
      if (r.status == 0) {
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(kTuple);
      }
    }
  }
  active_producers_.fetch_sub(1);
}

asio::awaitable<void> Bench::consumer(Conn& conn, ThreadStats& st, int max, int wait, bool e2e) {
  const std::string receive = wire_.receive(queue_url_, max, wait);
  std::vector<Wire::Received> msgs;
  std::vector<std::string> handles;
  asio::steady_timer timer(conn.executor());
  bool counted_up = false;
  while (!stop_consumers_.load(std::memory_order_relaxed)) {
    if (!counted_up) {
      connections_up_.fetch_add(1);
      counted_up = true;
    }
    uint64_t t0 = now_ns();
    Response r = co_await conn.roundtrip(receive);
    if (stop_consumers_.load(std::memory_order_relaxed)) break;
    uint64_t t1 = now_ns();
    st.receive_lat.record(t1 - t0);
    st.add(st.requests, 1);
    if (r.status != 200) {
      st.error(wire_.error_code(r));
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(kTuple);
      continue;
    }
    if (!wire_.parse_receive(r.body, msgs)) {
      st.error("UnparsableReceive");
      continue;
    }
    if (msgs.empty()) continue;
    st.add(st.received, msgs.size());
    st.last_receive_ns.store(t1, std::memory_order_relaxed);
    handles.clear();
    for (auto& m : msgs) {
      if (e2e && m.sent_ns != 0 && t1 >= m.sent_ns) st.e2e_lat.record(t1 - m.sent_ns);
      handles.push_back(std::move(m.handle));
    }
    const std::string del = wire_.remove(queue_url_, handles);
    uint64_t t2 = now_ns();
    Response d = co_await conn.roundtrip(del);
    st.delete_lat.record(now_ns() - t2);
    st.add(st.requests, 1);
    if (d.status == 200) {
      uint64_t failed = 0;
      if (handles.size() > 1) {
        for (auto& code : wire_.batch_failures(d.body)) {
          st.error(code);
          ++failed;
        }
      }
      st.add(st.deleted, handles.size() - failed);
    } else if (!stop_consumers_.load(std::memory_order_relaxed)) {
      st.error(wire_.error_code(d), handles.size());
    }
  }
}

bool Bench::setup_queue() {
  if (!o_.queue_url.empty()) {
    queue_url_ = o_.queue_url;
    return true;
  }
  std::string name = o_.queue;
  if (name.empty()) {
    name = "bench-" + o_.scenario + "-" + std::to_string(getpid()) + "-" +
           std::to_string(run_id_ % 100000);
    if (o_.queue_type == "fifo") name += ".fifo";
  }
  asio::io_context ioc;
  Conn conn(ioc, endpoints_);
  Response r;
  std::string body;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        r = co_await conn.roundtrip(wire_.create_queue(name));
        body = std::string(r.body);
      },
      asio::detached);
  ioc.run();
  if (r.status != 200) {
    std::fprintf(stderr, "tern bench: CreateQueue %s at %s failed: %s\n", name.c_str(),
                 o_.endpoint.c_str(), r.status == 0 ? r.error.c_str() : body.c_str());
    return false;
  }
  auto url = wire_.queue_url_of(body);
  if (!url) {
    std::fprintf(stderr, "tern bench: CreateQueue reply has no QueueUrl: %s\n", body.c_str());
    return false;
  }
  queue_url_ = *url;
  return true;
}

void Bench::progress(const char* label, bool final) {
  if (o_.quiet) return;
  auto now = Clock::now();
  double secs = std::chrono::duration<double>(now - phase_start_).count();
  Totals t = totals();
  double dt = std::chrono::duration<double>(now - last_progress_).count();
  const uint64_t d_sent = t.sent - progress_sent_, d_received = t.received - progress_received_;
  double rate = dt > 0 ? static_cast<double>(std::max(d_sent, d_received)) / dt : 0;
  last_progress_ = now;
  progress_sent_ = t.sent;
  progress_received_ = t.received;
  std::fprintf(stderr,
               "\r[%s] %5.1fs  sent %llu  received %llu  deleted %llu  requests %llu  "
               "errors %llu  (%.0f msgs/s)   ",
               label, secs, static_cast<unsigned long long>(t.sent),
               static_cast<unsigned long long>(t.received),
               static_cast<unsigned long long>(t.deleted),
               static_cast<unsigned long long>(t.requests),
               static_cast<unsigned long long>(t.errors), rate);
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

void Bench::close_consumers() {
  stop_consumers_ = true;
  for (Conn* c : consumer_conns_) asio::post(c->executor(), [c] { c->close(); });
}

void Bench::run_phase(const char* label, const std::function<bool()>& controller) {
  phase_start_ = last_progress_ = Clock::now();
  progress_sent_ = totals().sent;
  progress_received_ = totals().received;
  std::vector<std::thread> threads;
  std::atomic<int> running{static_cast<int>(iocs_.size())};
  for (auto& ioc : iocs_) {
    threads.emplace_back([&running, io = ioc.get()] {
      io->run();
      running.fetch_sub(1);
    });
  }
  bool closed = false;
  auto next_progress = Clock::now() + std::chrono::milliseconds(500);
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!closed && controller()) {
      close_consumers();
      closed = true;
    }
    if (Clock::now() >= next_progress) {
      progress(label, false);
      next_progress += std::chrono::milliseconds(500);
    }
  }
  for (auto& th : threads) th.join();
  progress(label, true);
  for (auto& ioc : iocs_) ioc->restart();
}

struct LatencyReport {
  std::string name;
  const Histogram* h;
};

std::string fmt_ms(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
  return buf;
}

int Bench::run() {
  run_id_ = (now_ns() % 1000000) * 1000000000ULL;
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    for (const auto& e : resolver.resolve(target_.host, target_.port)) {
      endpoints_.push_back(e.endpoint());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tern bench: cannot resolve %s: %s\n", o_.endpoint.c_str(), e.what());
    return 1;
  }
  // Many idle long polls need many descriptors.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (!setup_queue()) return 1;

  for (int i = 0; i < o_.threads; ++i) {
    iocs_.push_back(std::make_unique<asio::io_context>(1));
    stats_.push_back(std::make_unique<ThreadStats>());
  }
  auto new_conn = [&](size_t i) -> std::pair<Conn*, ThreadStats*> {
    auto& ioc = *iocs_[i % iocs_.size()];
    conns_.push_back(std::make_unique<Conn>(ioc, endpoints_));
    return {conns_.back().get(), stats_[i % iocs_.size()].get()};
  };

  const std::string& sc = o_.scenario;
  const double duration = effective_duration(o_);
  int64_t count = effective_count(o_);
  const int batch = o_.batch;
  double seconds = 0;
  uint64_t messages = 0;
  uint64_t requests = 0;
  std::string headline;
  // Prefill figures (receive-delete).
  double prefill_seconds = 0;
  uint64_t prefill_messages = 0;
  int64_t rss_before = -1, rss_peak = -1;
  int producers = effective_producers(o_);
  int consumers = effective_consumers(o_);
  if (sc == "send" || sc == "receive-delete") producers = consumers = o_.connections;

  auto set_bounds = [&](double dur, int64_t n) {
    duration_ns_ = dur > 0 ? static_cast<uint64_t>(dur * 1e9) : 0;
    tickets_ = n > 0 ? n : INT64_MAX;
  };
  auto spawn_producers = [&](int n, int b) {
    active_producers_ = n;
    for (int i = 0; i < n; ++i) {
      auto [conn, st] = new_conn(conns_.size());
      asio::co_spawn(*iocs_[(conns_.size() - 1) % iocs_.size()],
                     producer(i, n, *conn, *st, b, st->send_lat), asio::detached);
    }
  };
  auto spawn_consumers = [&](int n, int max, int wait, bool e2e) {
    for (int i = 0; i < n; ++i) {
      auto [conn, st] = new_conn(conns_.size());
      consumer_conns_.push_back(conn);
      asio::co_spawn(*iocs_[(conns_.size() - 1) % iocs_.size()],
                     consumer(*conn, *st, max, wait, e2e), asio::detached);
    }
  };

  if (sc == "send") {
    set_bounds(duration, count);
    spawn_producers(o_.connections, batch);
    auto start = Clock::now();
    run_phase("send", [] { return false; });
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Totals t = totals();
    messages = t.sent;
    requests = t.requests;
    headline = "send";
  } else if (sc == "receive-delete") {
    // Prefill with SendMessageBatch of 10 on every connection, then drain.
    const int pb = 10;
    count = (count + pb - 1) / pb * pb;
    set_bounds(0, count);
    spawn_producers(o_.connections, pb);
    auto start = Clock::now();
    run_phase("prefill", [] { return false; });
    prefill_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Totals t0 = totals();
    prefill_messages = t0.sent;
    for (auto& s : stats_) s->send_lat.reset();
    const uint64_t target = t0.sent;
    conns_.clear();  // fresh connections for the drain (the prefill ones are idle)
    spawn_consumers(o_.connections, batch, 0, false);
    start = Clock::now();
    uint64_t last_deleted = 0;
    auto last_change = Clock::now();
    run_phase("drain", [&] {
      const uint64_t d = totals().deleted;
      if (d != last_deleted) {
        last_deleted = d;
        last_change = Clock::now();
      }
      // Done, or stalled for 10 s (messages lost or stuck invisible: reported as a shortfall).
      return d >= target || Clock::now() - last_change > std::chrono::seconds(10);
    });
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Totals t1 = totals();
    messages = t1.deleted;
    requests = t1.requests - t0.requests;
    headline = "receive";
  } else {  // e2e, fanin
    const bool fanin = sc == "fanin";
    set_bounds(duration, count);
    rss_before = rss_kb();
    rss_peak = rss_before;
    spawn_consumers(consumers, fanin ? 1 : batch, o_.wait_seconds, true);
    auto start = Clock::now();
    if (fanin) wait_for_pollers_ = consumers;
    spawn_producers(producers, fanin ? 1 : batch);
    Clock::time_point producers_done{};
    run_phase(fanin ? "fanin" : "e2e", [&] {
      if (fanin) {
        int64_t r = rss_kb();
        if (r > rss_peak) rss_peak = r;
      }
      if (active_producers_.load() > 0) return false;
      if (producers_done == Clock::time_point{}) producers_done = Clock::now();
      Totals t = totals();
      // Everything sent has been received, or the drain has had 10 s.
      return t.received >= t.sent || Clock::now() - producers_done > std::chrono::seconds(10);
    });
    uint64_t last = 0;
    for (auto& s : stats_) last = std::max(last, s->last_receive_ns.load());
    const uint64_t start_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
    seconds = last > start_ns ? static_cast<double>(last - start_ns) / 1e9
                              : std::chrono::duration<double>(Clock::now() - start).count();
    Totals t = totals();
    messages = t.received;
    requests = t.requests;
    headline = "e2e";
  }

  // Merge.
  Histogram send_lat, receive_lat, delete_lat, e2e_lat;
  std::map<std::string, uint64_t> errors;
  uint64_t error_total = 0;
  for (auto& s : stats_) {
    send_lat.merge(s->send_lat);
    receive_lat.merge(s->receive_lat);
    delete_lat.merge(s->delete_lat);
    e2e_lat.merge(s->e2e_lat);
    for (auto& [k, v] : s->error_codes) {
      errors[k] += v;
      error_total += v;
    }
  }
  Totals t = totals();
  std::vector<LatencyReport> lats;
  if (send_lat.count()) lats.push_back({"send", &send_lat});
  if (receive_lat.count()) lats.push_back({"receive", &receive_lat});
  if (delete_lat.count()) lats.push_back({"delete", &delete_lat});
  if (e2e_lat.count()) lats.push_back({"e2e", &e2e_lat});
  const Histogram* head = &send_lat;
  if (headline == "receive") head = &receive_lat;
  if (headline == "e2e") head = &e2e_lat;

  if (!o_.cdf_file.empty()) {
    std::ofstream f(o_.cdf_file);
    f << "# latency_us fraction (" << headline << ", " << head->count() << " samples)\n";
    for (auto& [v, frac] : head->cdf()) f << static_cast<double>(v) / 1e3 << ' ' << frac << '\n';
  }
  const double msgs_per_s = seconds > 0 ? static_cast<double>(messages) / seconds : 0;
  const double req_per_s = seconds > 0 ? static_cast<double>(requests) / seconds : 0;

  if (o_.json) {
    boost::json::object out;
    out["scenario"] = sc;
    out["endpoint"] = o_.endpoint;
    out["protocol"] = o_.protocol;
    out["queue_url"] = queue_url_;
    out["queue_type"] = o_.queue_type;
    if (o_.queue_type == "fifo") out["groups"] = o_.groups;
    out["connections"] = sc == "send" || sc == "receive-delete" ? o_.connections
                                                                 : producers + consumers;
    if (sc == "e2e" || sc == "fanin") {
      out["producers"] = producers;
      out["consumers"] = consumers;
    }
    out["threads"] = o_.threads;
    out["batch"] = batch;
    out["body_size"] = o_.body_size;
    out["rate"] = o_.rate;
    out["seconds"] = seconds;
    out["messages"] = messages;
    out["msgs_per_s"] = msgs_per_s;
    out["requests"] = requests;
    out["requests_per_s"] = req_per_s;
    out["sent"] = t.sent;
    out["received"] = t.received;
    out["deleted"] = t.deleted;
    out["headline_latency"] = headline;
    boost::json::object lat;
    for (auto& l : lats) {
      boost::json::object o;
      o["count"] = l.h->count();
      o["mean"] = l.h->mean() / 1e3;
      o["p50"] = static_cast<double>(l.h->percentile(0.50)) / 1e3;
      o["p90"] = static_cast<double>(l.h->percentile(0.90)) / 1e3;
      o["p99"] = static_cast<double>(l.h->percentile(0.99)) / 1e3;
      o["p99_9"] = static_cast<double>(l.h->percentile(0.999)) / 1e3;
      o["max"] = static_cast<double>(l.h->max()) / 1e3;
      lat[l.name] = std::move(o);
    }
    out["latency_us"] = std::move(lat);
    boost::json::object errs;
    for (auto& [k, v] : errors) errs[k] = v;
    out["errors"] = std::move(errs);
    out["error_total"] = error_total;
    if (sc == "receive-delete") {
      boost::json::object p;
      p["messages"] = prefill_messages;
      p["seconds"] = prefill_seconds;
      p["msgs_per_s"] = prefill_seconds > 0 ? prefill_messages / prefill_seconds : 0.0;
      out["prefill"] = std::move(p);
      const double both = prefill_seconds + seconds;
      out["cycle_msgs_per_s"] = both > 0 ? static_cast<double>(messages) / both : 0.0;
    }
    if (o_.server_pid > 0) {
      boost::json::object r;
      r["before_kb"] = rss_before;
      r["peak_kb"] = rss_peak;
      if (consumers > 0 && rss_before >= 0 && rss_peak >= rss_before) {
        r["per_poller_bytes"] = (rss_peak - rss_before) * 1024.0 / consumers;
      }
      out["server_rss"] = std::move(r);
    }
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return 0;
  }

  std::printf("tern bench %s: %s %s, queue %s (%s), %s, %d thread%s, batch %d, body %d B\n",
              sc.c_str(), o_.protocol.c_str(), o_.endpoint.c_str(), queue_url_.c_str(),
              o_.queue_type.c_str(),
              (sc == "send" || sc == "receive-delete")
                  ? (std::to_string(o_.connections) + " connections").c_str()
                  : (std::to_string(producers) + " producers + " + std::to_string(consumers) +
                     " consumers")
                        .c_str(),
              o_.threads, o_.threads == 1 ? "" : "s", batch, o_.body_size);
  if (o_.rate > 0) std::printf("  rate limit  %.0f msgs/s\n", o_.rate);
  if (sc == "receive-delete") {
    std::printf("  prefill     %llu msgs in %.2f s = %.0f msgs/s (SendMessageBatch of 10)\n",
                static_cast<unsigned long long>(prefill_messages), prefill_seconds,
                prefill_seconds > 0 ? prefill_messages / prefill_seconds : 0.0);
  }
  std::printf("  messages    %llu in %.2f s = %.0f msgs/s\n",
              static_cast<unsigned long long>(messages), seconds, msgs_per_s);
  std::printf("  requests    %llu = %.0f req/s\n", static_cast<unsigned long long>(requests),
              req_per_s);
  if (sc == "e2e" || sc == "fanin") {
    std::printf("  sent %llu, received %llu, deleted %llu\n",
                static_cast<unsigned long long>(t.sent),
                static_cast<unsigned long long>(t.received),
                static_cast<unsigned long long>(t.deleted));
  }
  std::printf("  latency ms  %-8s %9s %9s %9s %9s %9s %9s\n", "", "p50", "p90", "p99", "p99.9",
              "max", "n");
  for (auto& l : lats) {
    std::printf("              %-8s %9s %9s %9s %9s %9s %9llu\n", l.name.c_str(),
                fmt_ms(l.h->percentile(0.5)).c_str(), fmt_ms(l.h->percentile(0.9)).c_str(),
                fmt_ms(l.h->percentile(0.99)).c_str(), fmt_ms(l.h->percentile(0.999)).c_str(),
                fmt_ms(l.h->max()).c_str(), static_cast<unsigned long long>(l.h->count()));
  }
  if (errors.empty()) {
    std::printf("  errors      none\n");
  } else {
    std::printf("  errors      %llu:", static_cast<unsigned long long>(error_total));
    for (auto& [k, v] : errors) std::printf(" %s=%llu", k.c_str(), static_cast<unsigned long long>(v));
    std::printf("\n");
  }
  if (o_.server_pid > 0) {
    std::printf("  server RSS  %lld kB before, %lld kB peak", static_cast<long long>(rss_before),
                static_cast<long long>(rss_peak));
    if (consumers > 0 && rss_before >= 0 && rss_peak >= rss_before) {
      std::printf(" (%.0f B per poller)", (rss_peak - rss_before) * 1024.0 / consumers);
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int run_bench(const BenchOptions& options) {
  if (auto err = validate_bench_options(options); !err.empty()) {
    std::fprintf(stderr, "tern bench: %s\n", err.c_str());
    return 2;
  }
  auto target = parse_endpoint(options.endpoint);
  if (!target) {
    std::fprintf(stderr, "tern bench: cannot parse --endpoint %s\n", options.endpoint.c_str());
    return 2;
  }
  Bench bench(options, *target);
  return bench.run();
}

}  // namespace tern::cli
