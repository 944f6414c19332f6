#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every log record.
// Uses the SSE4.2 crc32 instruction when the CPU has it, else a slicing-by-8 table; both give
// identical values. Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tern::storage::crc32c {

// Returns the CRC-32C of data appended to a stream whose CRC so far is `crc` (0 to start).
uint32_t extend(uint32_t crc, const char* data, size_t n);
inline uint32_t value(const char* data, size_t n) { return extend(0, data, n); }
inline uint32_t value(std::string_view s) { return extend(0, s.data(), s.size()); }

// Stored CRCs are masked (as LevelDB does) so that a CRC computed over bytes that themselves
// contain an embedded CRC is not trivially related to it.
constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace tern::storage::crc32c
