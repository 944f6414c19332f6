#pragma once
// The on-disk format of the log, byte by byte in docs/STORAGE_FORMAT.md. Everything here is a
// constant or a pure function; changing any of it changes the format (bump kFormatVersion).
//
// A data directory holds segment files named by the LSN of their first record:
//     00000000000000000001.log
// Each segment file is:
//     segment header (kSegmentHeaderSize bytes)
//     record*        (never spanning two segments)
// Segment header, all integers little-endian:
//     [0, 8)   magic "TERNLOG\n"
//     [8, 12)  u32 format version (kFormatVersion)
//     [12, 16) u32 flags, 0
//     [16, 24) u64 base LSN: the LSN of the first record, equal to the number in the file name
//     [24, 28) u32 reserved, 0
//     [28, 32) u32 masked CRC-32C of bytes [0, 28)
// Record:
//     [0, 4)   u32 payload length N
//     [4, 8)   u32 masked CRC-32C of bytes [8, 9 + N) (the type byte and the payload)
//     [8, 9)   u8 type, 1..255 (0 is never written, so zero-filled space never parses)
//     [9, 9+N) payload
// LSN: a global record counter. The first record ever has LSN 1; each record's LSN is one more
// than the previous record's, across segments. Within a segment the LSN of a record is the
// segment's base LSN plus its index in the segment.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::storage::log_format {

inline constexpr char kMagic[8] = {'T', 'E', 'R', 'N', 'L', 'O', 'G', '\n'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 9;  // length + crc + type
inline constexpr uint8_t kInvalidType = 0;
inline constexpr uint64_t kFirstLsn = 1;
inline constexpr size_t kSegmentNameDigits = 20;
inline constexpr std::string_view kSegmentSuffix = ".log";

// "00000000000000000042.log".
std::string segment_file_name(uint64_t base_lsn);
// The base LSN of a segment file name, or nullopt if name is not exactly 20 digits + ".log".
std::optional<uint64_t> parse_segment_file_name(std::string_view name);

std::string encode_segment_header(uint64_t base_lsn);

enum class HeaderCheck { kOk, kTooShort, kBadMagic, kBadChecksum, kBadVersion, kBadBaseLsn };
// Checks a segment header read from a file named for expected_base_lsn.
HeaderCheck check_segment_header(std::string_view header, uint64_t expected_base_lsn);
const char* header_check_name(HeaderCheck c);

// The masked CRC stored in a record header.
uint32_t record_crc(uint8_t type, std::string_view payload);

// Appends header + payload to *dst. REQUIRES: type != kInvalidType, payload.size() < 2^32.
void encode_record(uint8_t type, std::string_view payload, std::string* dst);

inline constexpr uint64_t record_size(uint64_t payload_size) {
  return kRecordHeaderSize + payload_size;
}

}  // namespace tern::storage::log_format
