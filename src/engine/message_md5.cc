#include "engine/message_md5.h"

#include "common/crypto.h"

namespace tern::engine {
namespace {
void put_len(std::string& buf, size_t n) {
  buf += static_cast<char>((n >> 24) & 0xFF);
  buf += static_cast<char>((n >> 16) & 0xFF);
  buf += static_cast<char>((n >> 8) & 0xFF);
  buf += static_cast<char>(n & 0xFF);
}
void put_bytes(std::string& buf, const std::string& s) {
  put_len(buf, s.size());
  buf += s;
}
}  // namespace

std::string md5_of_attributes(const MessageAttributes& attributes) {
  std::string buf;
  for (const auto& [name, v] : attributes) {  // std::map orders names bytewise, as SQS does
    put_bytes(buf, name);
    put_bytes(buf, v.data_type);
    if (v.string_value) {
      buf += '\x01';
      put_bytes(buf, *v.string_value);
    } else if (v.binary_value) {
      buf += '\x02';
      put_bytes(buf, *v.binary_value);
    } else if (!v.string_list_values.empty()) {
      buf += '\x03';
      for (const auto& s : v.string_list_values) put_bytes(buf, s);
    } else if (!v.binary_list_values.empty()) {
      buf += '\x04';
      for (const auto& s : v.binary_list_values) put_bytes(buf, s);
    }
  }
  return md5_hex(buf);
}

}  // namespace tern::engine
