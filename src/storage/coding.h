#pragma once
// Fixed-width little-endian encoding, the byte order of every integer in the storage format
// (docs/STORAGE_FORMAT.md). Thread-safety: pure functions.

#include <cstdint>
#include <string>

namespace tern::storage {

inline void encode_fixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void encode_fixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline uint32_t decode_fixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
inline uint64_t decode_fixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
inline void put_fixed32(std::string* dst, uint32_t v) {
  char buf[4];
  encode_fixed32(buf, v);
  dst->append(buf, 4);
}

}  // namespace tern::storage
