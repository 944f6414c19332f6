#pragma once
// AWS Signature Version 4: the canonical request, the string to sign, the signing key, and a
// signer that adds the authentication headers (or query parameters) to a request.
//
// The same canonicalisation is used by the client (to sign) and by the server's verifier (to
// recompute what the client signed), so the two can never drift apart. The rules follow
// sqs-wire.md §8.1 and AWS's official test suite (tests/data/aws4_testsuite):
//   * URI: dot segments removed, repeated '/' collapsed, then the path as it appears on the wire
//     is URI-encoded once more (the non-S3 rule; '/' kept).
//   * Query: every pair percent-decoded ('+' is a space, as in form encoding), re-encoded with the
//     unreserved set, sorted by encoded key then value; X-Amz-Signature is never included.
//   * Headers: values trimmed and internal whitespace runs collapsed to one space; repeated
//     headers joined with ',' in arrival order.
//
// Thread-safety: every function is pure (no shared state) and may be called from any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/crypto.h"

namespace tern::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
// Hex SHA-256 of the empty string.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term credentials
};

// An HTTP request as far as signing is concerned. Header names keep the case they arrived with;
// lookups are case-insensitive. A header may appear several times.
struct HttpRequestView {
  std::string method;
  std::string path;   // raw path as on the wire (still percent-encoded), no query
  std::string query;  // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// First value of header `name` (case-insensitive), or nullptr.
const std::string* find_header(const HttpRequestView& req, std::string_view name);
// Removes every header named `name` (case-insensitive).
void remove_header(HttpRequestView& req, std::string_view name);

// The canonical URI of a wire path: "/a//b/./c/../d" -> "/a/b/d", each byte outside the
// unreserved set (and '/') percent-encoded. Empty -> "/".
std::string canonical_uri(std::string_view raw_path);

// The canonical query string of a raw query (see the header comment). X-Amz-Signature pairs are
// dropped. A pair with a malformed escape is encoded as it stands (it cannot match anything a
// well-behaved client signed).
std::string canonical_query(std::string_view raw_query);

// REQUIRES: `signed_headers` are lowercase and sorted (the verifier passes the client's list as
// it arrived, which reproduces what the client computed). A signed header absent from the
// request contributes "name:".
std::string canonical_request(const HttpRequestView& req,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash);

// "<date8>/<region>/<service>/aws4_request".
std::string credential_scope(std::string_view date8, std::string_view region,
                             std::string_view service);

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

Sha256Digest signing_key(std::string_view secret, std::string_view date8, std::string_view region,
                         std::string_view service);

// Lowercase hex HMAC-SHA256(key, string_to_sign).
std::string signature(const Sha256Digest& key, std::string_view string_to_sign);

// The payload hash a request declares: the X-Amz-Content-SHA256 header if present (trimmed),
// else the hex SHA-256 of the body.
std::string payload_hash(const HttpRequestView& req);

// Header authentication. Sets X-Amz-Date (replacing any), X-Amz-Security-Token when the
// credentials carry one (replacing any) and Authorization. Signs host, content-type and every
// x-amz-* / x-amzn-* header present (except x-amzn-trace-id), like botocore.
// REQUIRES: `req` has a Host header; `amz_date` is YYYYMMDD'T'HHMMSS'Z'.
void sign(HttpRequestView& req, const Credentials& creds, std::string_view region,
          std::string_view service, std::string_view amz_date);

// Query authentication (a presigned URL): appends X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders=host, X-Amz-Security-Token (if any) and
// finally X-Amz-Signature to `req.query`. The payload hash is the SHA-256 of the body, as
// botocore does for non-S3 services. REQUIRES: as for sign().
void presign(HttpRequestView& req, const Credentials& creds, std::string_view region,
             std::string_view service, std::string_view amz_date, int64_t expires_seconds);

// YYYYMMDD'T'HHMMSS'Z' in UTC (sub-second part dropped).
std::string format_amz_date(std::chrono::system_clock::time_point tp);
std::string format_amz_date_ms(int64_t unix_ms);

// Parses YYYYMMDD'T'HHMMSS'Z' into milliseconds since the Unix epoch; nullopt unless the text
// has exactly that shape and names a real date and time.
std::optional<int64_t> parse_amz_date(std::string_view text);

// Converts an HTTP Date header (IMF-fixdate, "Sun, 30 Aug 2015 12:36:00 GMT") to
// YYYYMMDD'T'HHMMSS'Z'; nullopt on anything else.
std::optional<std::string> http_date_to_amz_date(std::string_view text);

}  // namespace tern::sigv4
