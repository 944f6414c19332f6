#pragma once
// Digests and encodings over OpenSSL. All functions are pure and thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern {

using Sha256Digest = std::array<uint8_t, 32>;

std::string md5_hex(std::string_view data);
Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

std::string hex_encode(std::string_view bytes);  // lowercase
std::string hex_encode(const Sha256Digest& d);

std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding. Returns nullopt on any invalid character or length.
std::optional<std::string> base64_decode(std::string_view text);

// Unpadded URL-safe alphabet (for opaque tokens such as receipt handles).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// Constant-time comparison (for signatures).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace tern
