#include "engine/journal_codec.h"

namespace tern::engine::journal_codec {
namespace {

// Little-endian varints (LEB128) and length-prefixed byte strings.
void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void put_signed(std::string& out, int64_t v) {  // zig-zag
  put_varint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out += s;
}
void put_opt(std::string& out, const std::optional<std::string>& s) {
  out += static_cast<char>(s ? 1 : 0);
  if (s) put_bytes(out, *s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos_ >= in_.size()) return false;
      auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool signed_(int64_t& v) {
    uint64_t u;
    if (!varint(u)) return false;
    v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool bytes(std::string& s) {
    uint64_t n;
    if (!varint(n) || n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool byte(uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool opt(std::optional<std::string>& s) {
    uint8_t present;
    if (!byte(present) || present > 1) return false;
    if (present == 0) {
      s.reset();
      return true;
    }
    std::string v;
    if (!bytes(v)) return false;
    s = std::move(v);
    return true;
  }
  bool map(std::map<std::string, std::string>& m) {
    uint64_t n;
    if (!varint(n) || n > in_.size()) return false;
    for (uint64_t i = 0; i < n; ++i) {
      std::string k, v;
      if (!bytes(k) || !bytes(v)) return false;
      m[std::move(k)] = std::move(v);
    }
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

void put_map(std::string& out, const std::map<std::string, std::string>& m) {
  put_varint(out, m.size());
  for (const auto& [k, v] : m) {
    put_bytes(out, k);
    put_bytes(out, v);
  }
}

void put_attribute(std::string& out, const std::string& name, const MessageAttributeValue& v) {
  put_bytes(out, name);
  put_bytes(out, v.data_type);
  put_opt(out, v.string_value);
  put_opt(out, v.binary_value);
}

bool get_attribute(Reader& r, MessageAttributes& attrs) {
  std::string name;
  MessageAttributeValue v;
  if (!r.bytes(name) || !r.bytes(v.data_type) || !r.opt(v.string_value) ||
      !r.opt(v.binary_value)) {
    return false;
  }
  attrs.emplace(std::move(name), std::move(v));
  return true;
}

}  // namespace

std::string encode_queue_snapshot(const QueueSnapshot& s) {
  std::string out;
  put_bytes(out, s.name);
  put_varint(out, s.uid);
  put_signed(out, s.created_s);
  put_signed(out, s.last_modified_s);
  put_signed(out, s.last_purge_ms);
  put_map(out, s.attributes);
  put_map(out, s.tags);
  put_varint(out, s.next_seq);
  return out;
}

std::optional<QueueSnapshot> decode_queue_snapshot(std::string_view in) {
  Reader r(in);
  QueueSnapshot s;
  if (!r.bytes(s.name) || !r.varint(s.uid) || !r.signed_(s.created_s) ||
      !r.signed_(s.last_modified_s) || !r.signed_(s.last_purge_ms) || !r.map(s.attributes) ||
      !r.map(s.tags) || !r.varint(s.next_seq) || !r.done()) {
    return std::nullopt;
  }
  return s;
}

std::string encode_queue_deleted(uint64_t uid) {
  std::string out;
  put_varint(out, uid);
  return out;
}
std::optional<UidOnly> decode_queue_deleted(std::string_view in) {
  Reader r(in);
  UidOnly u{};
  if (!r.varint(u.uid) || !r.done()) return std::nullopt;
  return u;
}

std::string encode_queue_purged(uint64_t uid, int64_t purge_ms) {
  std::string out;
  put_varint(out, uid);
  put_signed(out, purge_ms);
  return out;
}
std::optional<Purged> decode_queue_purged(std::string_view in) {
  Reader r(in);
  Purged p{};
  if (!r.varint(p.uid) || !r.signed_(p.purge_ms) || !r.done()) return std::nullopt;
  return p;
}

std::string encode_message_sent(uint64_t uid, const MessageRecord& m) {
  std::string out;
  out.reserve(m.body.size() + 128);
  put_varint(out, uid);
  put_varint(out, m.seq);
  put_bytes(out, m.message_id);
  put_signed(out, m.sent_ms);
  put_signed(out, m.visible_at_ms);
  put_signed(out, m.first_receive_ms);
  put_signed(out, m.receive_count);
  put_bytes(out, m.sender_id);
  put_opt(out, m.group_id);
  put_opt(out, m.deduplication_id);
  put_opt(out, m.trace_header);
  put_opt(out, m.dead_letter_source_arn);
  put_bytes(out, m.md5_of_body);
  put_opt(out, m.md5_of_message_attributes);
  put_varint(out, m.attributes ? m.attributes->size() : 0);
  if (m.attributes) {
    for (const auto& [name, v] : *m.attributes) put_attribute(out, name, v);
  }
  put_bytes(out, m.body);  // last, so a body read can skip straight to it
  return out;
}

std::optional<Sent> decode_message_sent(std::string_view in) {
  Reader r(in);
  Sent s{};
  MessageRecord& m = s.message;
  int64_t count = 0;
  uint64_t nattrs = 0;
  if (!r.varint(s.uid) || !r.varint(m.seq) || !r.bytes(m.message_id) || !r.signed_(m.sent_ms) ||
      !r.signed_(m.visible_at_ms) || !r.signed_(m.first_receive_ms) || !r.signed_(count) ||
      !r.bytes(m.sender_id) || !r.opt(m.group_id) || !r.opt(m.deduplication_id) ||
      !r.opt(m.trace_header) || !r.opt(m.dead_letter_source_arn) || !r.bytes(m.md5_of_body) ||
      !r.opt(m.md5_of_message_attributes) || !r.varint(nattrs) || nattrs > 64) {
    return std::nullopt;
  }
  m.receive_count = static_cast<int32_t>(count);
  if (nattrs > 0) {
    MessageAttributes attrs;
    for (uint64_t i = 0; i < nattrs; ++i) {
      if (!get_attribute(r, attrs)) return std::nullopt;
    }
    m.attributes = std::make_shared<const MessageAttributes>(std::move(attrs));
  }
  if (!r.bytes(m.body) || !r.done()) return std::nullopt;
  return s;
}

std::string encode_message_received(uint64_t uid, uint64_t seq, int32_t receive_count,
                                    int64_t first_receive_ms) {
  std::string out;
  put_varint(out, uid);
  put_varint(out, seq);
  put_signed(out, receive_count);
  put_signed(out, first_receive_ms);
  return out;
}
std::optional<Received> decode_message_received(std::string_view in) {
  Reader r(in);
  Received x{};
  int64_t count = 0;
  if (!r.varint(x.uid) || !r.varint(x.seq) || !r.signed_(count) ||
      !r.signed_(x.first_receive_ms) || !r.done()) {
    return std::nullopt;
  }
  x.receive_count = static_cast<int32_t>(count);
  return x;
}

std::string encode_message_deleted(uint64_t uid, uint64_t seq) {
  std::string out;
  put_varint(out, uid);
  put_varint(out, seq);
  return out;
}
std::optional<Deleted> decode_message_deleted(std::string_view in) {
  Reader r(in);
  Deleted d{};
  if (!r.varint(d.uid) || !r.varint(d.seq) || !r.done()) return std::nullopt;
  return d;
}

}  // namespace tern::engine::journal_codec
