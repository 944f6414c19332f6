#include "storage/log_format.h"

#include <cstdio>
#include <cstring>

#include "storage/coding.h"
#include "storage/crc32c.h"

namespace tern::storage::log_format {

std::string segment_file_name(uint64_t base_lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.log", static_cast<unsigned long long>(base_lsn));
  return buf;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
  if (name.size() != kSegmentNameDigits + kSegmentSuffix.size()) return std::nullopt;
  if (name.substr(kSegmentNameDigits) != kSegmentSuffix) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < kSegmentNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;  // 20 digits can exceed 2^64
    v = v * 10 + d;
  }
  return v;
}

std::string encode_segment_header(uint64_t base_lsn) {
  std::string h(kSegmentHeaderSize, '\0');
  std::memcpy(h.data(), kMagic, sizeof kMagic);
  encode_fixed32(h.data() + 8, kFormatVersion);
  encode_fixed32(h.data() + 12, 0);
  encode_fixed64(h.data() + 16, base_lsn);
  encode_fixed32(h.data() + 24, 0);
  encode_fixed32(h.data() + 28, crc32c::mask(crc32c::value(h.data(), 28)));
  return h;
}

HeaderCheck check_segment_header(std::string_view h, uint64_t expected_base_lsn) {
  if (h.size() < kSegmentHeaderSize) return HeaderCheck::kTooShort;
  if (std::memcmp(h.data(), kMagic, sizeof kMagic) != 0) return HeaderCheck::kBadMagic;
  if (crc32c::unmask(decode_fixed32(h.data() + 28)) != crc32c::value(h.data(), 28)) {
    return HeaderCheck::kBadChecksum;
  }
  if (decode_fixed32(h.data() + 8) != kFormatVersion) return HeaderCheck::kBadVersion;
  if (decode_fixed64(h.data() + 16) != expected_base_lsn) return HeaderCheck::kBadBaseLsn;
  return HeaderCheck::kOk;
}

const char* header_check_name(HeaderCheck c) {
  switch (c) {
    case HeaderCheck::kOk:
      return "ok";
    case HeaderCheck::kTooShort:
      return "segment header too short";
    case HeaderCheck::kBadMagic:
      return "bad segment magic";
    case HeaderCheck::kBadChecksum:
      return "segment header checksum mismatch";
    case HeaderCheck::kBadVersion:
      return "unsupported segment format version";
    case HeaderCheck::kBadBaseLsn:
      return "segment header base LSN differs from the file name";
  }
  return "?";
}

uint32_t record_crc(uint8_t type, std::string_view payload) {
  char t = static_cast<char>(type);
  uint32_t crc = crc32c::extend(0, &t, 1);
  crc = crc32c::extend(crc, payload.data(), payload.size());
  return crc32c::mask(crc);
}

void encode_record(uint8_t type, std::string_view payload, std::string* dst) {
  char header[kRecordHeaderSize];
  encode_fixed32(header, static_cast<uint32_t>(payload.size()));
  encode_fixed32(header + 4, record_crc(type, payload));
  header[8] = static_cast<char>(type);
  dst->append(header, kRecordHeaderSize);
  dst->append(payload);
}

}  // namespace tern::storage::log_format
