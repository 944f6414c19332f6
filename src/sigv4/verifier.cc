#include "sigv4/verifier.h"

#include <optional>
#include <utility>

#include "common/crypto.h"
#include "common/text.h"
#include "sigv4/detail.h"

namespace tern::sigv4 {
namespace {

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

// What a request claims about its signature, in either form.
struct Claim {
  std::string access_key_id;
  std::string date8;  // from the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;
  std::string signature;
  std::string amz_date;  // timestamp used in the string to sign
  std::string session_token;
  std::optional<int64_t> expires_s;  // presigned only
};

VerifyResult fail(Failure f, std::string message, const Claim* claim = nullptr) {
  VerifyResult r;
  r.failure = f;
  r.message = std::move(message);
  if (claim) {
    r.access_key_id = claim->access_key_id;
    r.region = claim->region;
  }
  return r;
}

// Splits "AKID/20150830/us-east-1/sqs/aws4_request" into `claim`; nullopt on success, else the
// IncompleteSignature message.
std::optional<std::string> parse_credential(std::string_view credential, Claim& claim) {
  std::vector<std::string_view> parts = detail::split(credential, '/');
  if (parts.size() != 5) {
    return "Credential must have exactly 5 slash-delimited elements, e.g. "
           "keyid/date/region/service/term, got '" +
           std::string(credential) + "'";
  }
  if (parts[4] != kTerminator) {
    return "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
           std::string(parts[4]) + "'.";
  }
  claim.access_key_id = parts[0];
  claim.date8 = parts[1];
  claim.region = parts[2];
  claim.service = parts[3];
  return std::nullopt;
}

// nullopt when `host` is among the signed headers, else the IncompleteSignature message.
std::optional<std::string> parse_signed_headers(std::string_view list, Claim& claim) {
  bool has_host = false;
  for (std::string_view name : detail::split(list, ';')) {
    if (iequals(name, "host")) has_host = true;
    claim.signed_headers.emplace_back(name);
  }
  if (!has_host) return "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
  return std::nullopt;
}

std::string bad_date_message(std::string_view date) {
  return "Date must be in ISO-8601 'basic format'. Got '" + std::string(date) +
         "'. See http://en.wikipedia.org/wiki/ISO_8601";
}

// Authorization header form. Returns a failure, or kNone with `claim` filled.
VerifyResult parse_header_auth(const HttpRequestView& req, std::string_view header, Claim& claim) {
  std::string_view auth = detail::trim(header);
  if (auth.empty())
    return fail(Failure::kMissingAuthenticationToken, "Request is missing Authentication Token");
  size_t sp = 0;
  while (sp < auth.size() && !detail::is_space(auth[sp])) ++sp;
  std::string_view algorithm = auth.substr(0, sp);
  if (algorithm != kAlgorithm) {
    return fail(Failure::kIncompleteSignature,
                "Unsupported AWS 'algorithm': '" + std::string(algorithm) + "'.");
  }
  std::optional<std::string_view> credential, signed_headers, sig;
  for (std::string_view field : detail::split(auth.substr(sp), ',')) {
    field = detail::trim(field);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = detail::trim(field.substr(0, eq));
    std::string_view value = detail::trim(field.substr(eq + 1));
    if (value.empty()) continue;  // "Signature=" is as good as absent
    if (name == "Credential") credential = value;
    if (name == "SignedHeaders") signed_headers = value;
    if (name == "Signature") sig = value;
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!sig) missing += "Authorization header requires 'Signature' parameter. ";
  const std::string* amz_date = find_header(req, "x-amz-date");
  const std::string* http_date = find_header(req, "date");
  if (!amz_date && !http_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
        "header. ";
  }
  if (!missing.empty()) {
    return fail(Failure::kIncompleteSignature, missing + "Authorization=" + std::string(auth));
  }
  if (auto err = parse_credential(*credential, claim)) {
    return fail(Failure::kIncompleteSignature, std::move(*err));
  }
  if (auto err = parse_signed_headers(*signed_headers, claim)) {
    return fail(Failure::kIncompleteSignature, std::move(*err), &claim);
  }
  claim.signature = *sig;
  if (amz_date) {
    claim.amz_date = detail::trim(*amz_date);
  } else if (auto converted = http_date_to_amz_date(*http_date)) {
    claim.amz_date = std::move(*converted);
  } else {
    return fail(Failure::kIncompleteSignature, bad_date_message(detail::trim(*http_date)), &claim);
  }
  if (const std::string* token = find_header(req, "x-amz-security-token")) {
    claim.session_token = detail::trim(*token);
  }
  return {};
}

// Presigned (query string) form. Returns a failure, or kNone with `claim` filled.
VerifyResult parse_query_auth(const std::vector<std::pair<std::string, std::string>>& params,
                              Claim& claim) {
  auto get = [&](std::string_view key) -> const std::string* {
    for (const auto& [k, v] : params) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  static constexpr std::string_view kRequired[] = {"X-Amz-Algorithm", "X-Amz-Credential",
                                                   "X-Amz-Signature", "X-Amz-SignedHeaders",
                                                   "X-Amz-Date"};
  for (std::string_view key : kRequired) {
    const std::string* v = get(key);
    if (!v || v->empty()) {
      return fail(Failure::kIncompleteSignature, "AWS query-string parameters must include '" +
                                                     std::string(key) +
                                                     "'. Re-examine the query-string parameters.");
    }
  }
  if (*get("X-Amz-Algorithm") != kAlgorithm) {
    return fail(Failure::kIncompleteSignature,
                "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  if (auto err = parse_credential(*get("X-Amz-Credential"), claim)) {
    return fail(Failure::kIncompleteSignature, std::move(*err));
  }
  if (auto err = parse_signed_headers(*get("X-Amz-SignedHeaders"), claim)) {
    return fail(Failure::kIncompleteSignature, std::move(*err), &claim);
  }
  claim.signature = *get("X-Amz-Signature");
  claim.amz_date = *get("X-Amz-Date");
  if (const std::string* expires = get("X-Amz-Expires")) {
    std::optional<int64_t> n = parse_int64(*expires);
    if (!n || *n < 0 || *n > kMaxPresignExpiresSeconds) {
      return fail(Failure::kIncompleteSignature,
                  "X-Amz-Expires must be a whole number of seconds from 0 to 604800 (a week), "
                  "got '" +
                      *expires + "'.",
                  &claim);
    }
    claim.expires_s = *n;
  }
  if (const std::string* token = get("X-Amz-Security-Token")) claim.session_token = *token;
  return {};
}

// Query parameters, decoded with form rules. Pieces with malformed escapes are skipped: they
// cannot be X-Amz-* parameters a signer produced, and canonical_query() still covers them.
std::vector<std::pair<std::string, std::string>> decode_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view piece : detail::split(query, '&')) {
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    auto k = url_decode(piece.substr(0, eq), true);
    auto v = url_decode(eq == std::string_view::npos ? "" : piece.substr(eq + 1), true);
    if (k && v) out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

bool has_query_auth(const std::vector<std::pair<std::string, std::string>>& params) {
  for (const auto& [k, v] : params) {
    if (k == "X-Amz-Signature" || k == "X-Amz-Algorithm" || k == "X-Amz-Credential") return true;
  }
  return false;
}

}  // namespace

VerifyResult verify(const VerifyInput& input, const CredentialStore& store,
                    std::string_view service) {
  const HttpRequestView& req = input.request;
  Claim claim;
  if (const std::string* auth = find_header(req, "authorization")) {
    VerifyResult r = parse_header_auth(req, *auth, claim);
    if (!r.ok()) return r;
  } else {
    auto params = decode_query(req.query);
    if (!has_query_auth(params)) {
      return fail(Failure::kMissingAuthenticationToken, "Request is missing Authentication Token");
    }
    VerifyResult r = parse_query_auth(params, claim);
    if (!r.ok()) return r;
  }

  std::optional<int64_t> signed_at_ms = parse_amz_date(claim.amz_date);
  if (!signed_at_ms) {
    return fail(Failure::kIncompleteSignature, bad_date_message(claim.amz_date), &claim);
  }

  const KeyEntry* key = store.find(claim.access_key_id);
  if (!key) return fail(Failure::kInvalidClientTokenId, std::string(kInvalidToken), &claim);
  if (!key->session_token.empty() &&
      !constant_time_equal(key->session_token, claim.session_token)) {
    return fail(Failure::kInvalidClientTokenId, std::string(kInvalidToken), &claim);
  }

  std::string_view date8 = std::string_view(claim.amz_date).substr(0, 8);
  if (claim.date8 != date8) {
    return fail(Failure::kSignatureDoesNotMatch,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '" +
                    claim.date8 + "' != '" + std::string(date8) + "', from '" + claim.amz_date +
                    "'.",
                &claim);
  }
  if (claim.service != service) {
    return fail(Failure::kSignatureDoesNotMatch,
                "Credential should be scoped to correct service: '" + std::string(service) + "'. ",
                &claim);
  }

  const int64_t now = input.now_ms;
  if (*signed_at_ms > now + kMaxClockSkewMs) {
    return fail(Failure::kSignatureDoesNotMatch,
                "Signature not yet current: " + claim.amz_date + " is still later than " +
                    format_amz_date_ms(now + kMaxClockSkewMs) + " (" + format_amz_date_ms(now) +
                    " + 15 min.)",
                &claim);
  }
  if (claim.expires_s) {
    if (now > *signed_at_ms + *claim.expires_s * 1000) {
      return fail(Failure::kExpired, "Request has expired", &claim);
    }
  } else if (*signed_at_ms < now - kMaxClockSkewMs) {
    return fail(Failure::kSignatureDoesNotMatch,
                "Signature expired: " + claim.amz_date + " is now earlier than " +
                    format_amz_date_ms(now - kMaxClockSkewMs) + " (" + format_amz_date_ms(now) +
                    " - 15 min.)",
                &claim);
  }

  std::string scope = credential_scope(claim.date8, claim.region, claim.service);
  std::string creq = canonical_request(req, claim.signed_headers, payload_hash(req));
  std::string expected =
      signature(signing_key(key->secret_access_key, claim.date8, claim.region, claim.service),
                string_to_sign(claim.amz_date, scope, creq));
  if (!constant_time_equal(expected, claim.signature)) {
    return fail(Failure::kSignatureDoesNotMatch, std::string(kSignatureMismatch), &claim);
  }
  VerifyResult ok;
  ok.access_key_id = std::move(claim.access_key_id);
  ok.region = std::move(claim.region);
  return ok;
}

VerifyResult authorize(const CredentialStore& store, std::string_view access_key_id,
                       std::string_view action, std::string_view queue_name,
                       std::string_view resource) {
  VerifyResult r;
  r.access_key_id = access_key_id;
  const KeyEntry* key = store.find(access_key_id);
  if (!key) {
    r.failure = Failure::kInvalidClientTokenId;
    r.message = kInvalidToken;
  } else if (!key->allows(action, queue_name)) {
    r.failure = Failure::kAccessDenied;
    r.message = "Access to the resource " + std::string(resource) + " is denied.";
  }
  return r;
}

std::string_view failure_code(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "";
    case Failure::kMissingAuthenticationToken:
      return "MissingAuthenticationToken";
    case Failure::kIncompleteSignature:
      return "IncompleteSignature";
    case Failure::kInvalidClientTokenId:
      return "InvalidClientTokenId";
    case Failure::kSignatureDoesNotMatch:
      return "SignatureDoesNotMatch";
    case Failure::kExpired:
      return "AccessDenied";
    case Failure::kAccessDenied:
      return "AccessDenied";
  }
  return "";
}

int failure_http_status(Failure f) {
  switch (f) {
    case Failure::kNone:
      return 200;
    case Failure::kIncompleteSignature:
      return 400;
    case Failure::kMissingAuthenticationToken:
    case Failure::kInvalidClientTokenId:
    case Failure::kSignatureDoesNotMatch:
    case Failure::kExpired:
    case Failure::kAccessDenied:
      return 403;
  }
  return 403;
}

}  // namespace tern::sigv4
