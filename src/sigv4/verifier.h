#pragma once
// Server-side SigV4 verification (sqs-wire.md §8.4): given a request as it arrived and the
// current time, decide whether it was signed by a known key, and if not, which AWS error to
// answer with. Both forms are accepted: the Authorization header and the presigned query string
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature).
//
// Order of checks: authentication present -> well-formed -> key known (and session token) ->
// credential scope (date, service) -> time (skew / presigned expiry) -> signature. Bad input of
// any kind yields a Failure, never an exception or a crash.
//
// Thread-safety: verify() and authorize() are pure functions of their arguments; the store is
// only read.

#include <cstdint>
#include <string>
#include <string_view>

#include "sigv4/credential_store.h"
#include "sigv4/signer.h"

namespace tern::sigv4 {

// Allowed distance between X-Amz-Date and the server clock.
inline constexpr int64_t kMaxClockSkewMs = 15 * 60 * 1000;
// Upper bound of X-Amz-Expires (7 days).
inline constexpr int64_t kMaxPresignExpiresSeconds = 604800;

struct VerifyInput {
  HttpRequestView request;
  int64_t now_ms = 0;  // server wall clock, ms since the Unix epoch
};

// Each failure maps to one AWS error code (failure_code()) and HTTP status (failure_http_status()).
enum class Failure {
  kNone,
  kMissingAuthenticationToken,  // MissingAuthenticationToken, 403
  kIncompleteSignature,         // IncompleteSignature, 400
  kInvalidClientTokenId,        // InvalidClientTokenId, 403
  kSignatureDoesNotMatch,       // SignatureDoesNotMatch, 403 (also clock skew, scope mismatch)
  kExpired,                     // presigned URL past X-Amz-Date + X-Amz-Expires: AccessDenied, 403
  kAccessDenied,                // key valid but not allowed (authorize()): AccessDenied, 403
};

struct VerifyResult {
  Failure failure = Failure::kNone;
  std::string message;        // the AWS-style message to put in the error reply
  std::string access_key_id;  // as parsed from the credential, when it got that far
  std::string region;         // the credential scope's region, when it got that far

  bool ok() const { return failure == Failure::kNone; }
};

VerifyResult verify(const VerifyInput& input, const CredentialStore& store,
                    std::string_view service = "sqs");

// Per-key permission check, for after the action and queue are known. `resource` is the queue
// URL (or any text) quoted in the AccessDenied message. An unknown key gives
// kInvalidClientTokenId.
VerifyResult authorize(const CredentialStore& store, std::string_view access_key_id,
                       std::string_view action, std::string_view queue_name,
                       std::string_view resource);

// "SignatureDoesNotMatch", "AccessDenied", ...; "" for kNone.
std::string_view failure_code(Failure f);
int failure_http_status(Failure f);

}  // namespace tern::sigv4
