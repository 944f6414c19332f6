// Verifier tests: a request signed by sign()/presign() verifies, and each way of getting it wrong
// yields the Failure (and message) sqs-wire.md §8.4 asks for.

#include "sigv4/verifier.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/crypto.h"
#include "sigv4/signer.h"

namespace tern::sigv4 {
namespace {

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kAmzDate = "20150830T123600Z";
constexpr int64_t kSignedAtMs = 1440938160000;  // 2015-08-30T12:36:00Z
constexpr int64_t kMinuteMs = 60 * 1000;
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() {
    store_.add(std::string(kAkid), KeyEntry{std::string(kSecret), "", {}, {}});
    store_.add("AKIDTOKEN", KeyEntry{"tokensecret", "the-token", {}, {}});
  }

  static HttpRequestView json_request() {
    return HttpRequestView{
        "POST",
        "/",
        "",
        {{"Host", "localhost:9324"},
         {"Content-Type", "application/x-amz-json-1.0"},
         {"X-Amz-Target", "AmazonSQS.SendMessage"},
         {"x-amzn-query-mode", "true"},
         {"User-Agent", "test"}},
        R"({"QueueUrl":"http://localhost:9324/000000000000/q","MessageBody":"hello"})"};
  }

  static HttpRequestView signed_request(std::string_view secret = kSecret,
                                        std::string_view akid = kAkid) {
    HttpRequestView req = json_request();
    sign(req, {std::string(akid), std::string(secret), ""}, "us-east-1", "sqs", kAmzDate);
    return req;
  }

  static HttpRequestView presigned_request(int64_t expires = 300) {
    HttpRequestView req{"GET",
                        "/123456789012/MyQueue",
                        "Action=GetQueueAttributes&AttributeName.1=All",
                        {{"Host", "sqs.us-east-1.amazonaws.com"}},
                        ""};
    presign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "sqs", kAmzDate,
            expires);
    return req;
  }

  static void set_header(HttpRequestView& req, std::string_view name, std::string value) {
    remove_header(req, name);
    req.headers.emplace_back(std::string(name), std::move(value));
  }

  VerifyResult check(const HttpRequestView& req, int64_t now = kSignedAtMs) const {
    return verify({req, now}, store_);
  }

  CredentialStore store_;
};

TEST_F(VerifierTest, Accepts_WhenSignedBySigner) {
  VerifyResult r = check(signed_request());
  EXPECT_EQ(r.failure, Failure::kNone) << r.message;
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.access_key_id, kAkid);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.message, "");
}

TEST_F(VerifierTest, Accepts_WhenAuthorizationUsesCommasWithoutSpaces) {
  HttpRequestView req = signed_request();
  std::string auth = *find_header(req, "authorization");
  for (size_t p; (p = auth.find(", ")) != std::string::npos;) auth.erase(p + 1, 1);
  ASSERT_EQ(auth.find(", "), std::string::npos);
  set_header(req, "Authorization", auth);
  EXPECT_EQ(check(req).failure, Failure::kNone) << check(req).message;
}

TEST_F(VerifierTest, Accepts_WhenUnsignedHeaderChanges) {
  HttpRequestView req = signed_request();
  set_header(req, "User-Agent", "something else");
  req.headers.emplace_back("X-Forwarded-For", "10.0.0.1");
  EXPECT_EQ(check(req).failure, Failure::kNone);
}

TEST_F(VerifierTest, Accepts_WhenClockSkewIsExactlyFifteenMinutes) {
  EXPECT_EQ(check(signed_request(), kSignedAtMs + 15 * kMinuteMs).failure, Failure::kNone);
  EXPECT_EQ(check(signed_request(), kSignedAtMs - 15 * kMinuteMs).failure, Failure::kNone);
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenSecretIsWrong) {
  VerifyResult r = check(signed_request("not-the-secret"));
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message, kMismatch);
  EXPECT_EQ(r.access_key_id, kAkid);
}

TEST_F(VerifierTest, InvalidClientTokenId_WhenAccessKeyUnknown) {
  VerifyResult r = check(signed_request(kSecret, "AKIDUNKNOWN"));
  EXPECT_EQ(r.failure, Failure::kInvalidClientTokenId);
  EXPECT_EQ(r.message, "The security token included in the request is invalid.");
  EXPECT_EQ(r.access_key_id, "AKIDUNKNOWN");
}

TEST_F(VerifierTest, SignatureExpired_WhenDateIsSixteenMinutesOld) {
  VerifyResult r = check(signed_request(), kSignedAtMs + 16 * kMinuteMs);
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
            "(20150830T125200Z - 15 min.)");
}

TEST_F(VerifierTest, SignatureNotYetCurrent_WhenDateIsSixteenMinutesAhead) {
  VerifyResult r = check(signed_request(), kSignedAtMs - 16 * kMinuteMs);
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenBodyTampered) {
  HttpRequestView req = signed_request();
  req.body[req.body.size() - 3] = 'X';
  VerifyResult r = check(req);
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message, kMismatch);
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenSignedHeaderTampered) {
  HttpRequestView req = signed_request();
  set_header(req, "X-Amz-Target", "AmazonSQS.DeleteQueue");
  EXPECT_EQ(check(req).failure, Failure::kSignatureDoesNotMatch);

  HttpRequestView host = signed_request();
  set_header(host, "Host", "evil.example");
  EXPECT_EQ(check(host).failure, Failure::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenPathOrQueryTampered) {
  HttpRequestView req = signed_request();
  req.path = "/000000000000/other";
  EXPECT_EQ(check(req).failure, Failure::kSignatureDoesNotMatch);
  HttpRequestView q = signed_request();
  q.query = "Action=DeleteQueue";
  EXPECT_EQ(check(q).failure, Failure::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenSignatureIsNotHex) {
  HttpRequestView req = signed_request();
  std::string auth = *find_header(req, "authorization");
  set_header(req, "Authorization", auth.substr(0, auth.size() - 64) + std::string(64, 'Z'));
  EXPECT_EQ(check(req).failure, Failure::kSignatureDoesNotMatch);
  set_header(req, "Authorization", auth.substr(0, auth.size() - 1));
  EXPECT_EQ(check(req).failure, Failure::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, MissingAuthenticationToken_WhenNoAuthorizationAndNoPresignedQuery) {
  HttpRequestView req = json_request();
  VerifyResult r = check(req);
  EXPECT_EQ(r.failure, Failure::kMissingAuthenticationToken);
  EXPECT_EQ(r.message, "Request is missing Authentication Token");
  req.query = "Action=ListQueues&Version=2012-11-05";
  EXPECT_EQ(check(req).failure, Failure::kMissingAuthenticationToken);
}

TEST_F(VerifierTest, IncompleteSignature_WhenAuthorizationFieldMissing) {
  const std::string cred = "Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request";
  const std::string sh = "SignedHeaders=host;x-amz-date";
  const std::string sig =
      "Signature=cabd86f968dff9f087f7016e7b9fe46a1699021b647e66129c0a6e70b5204980";
  struct Case {
    std::string header;
    std::string expect;
  };
  const Case cases[] = {
      {"AWS4-HMAC-SHA256 " + sh + ", " + sig, "requires 'Credential' parameter"},
      {"AWS4-HMAC-SHA256 " + cred + ", " + sig, "requires 'SignedHeaders' parameter"},
      {"AWS4-HMAC-SHA256 " + cred + ", " + sh, "requires 'Signature' parameter"},
      {"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=", "requires 'Signature' parameter"},
      {"AWS4-HMAC-SHA256", "requires 'Credential' parameter"},
      {"AWS4-HMAC-SHA256 garbage", "requires 'Credential' parameter"},
  };
  for (const Case& c : cases) {
    HttpRequestView req = signed_request();
    set_header(req, "Authorization", c.header);
    VerifyResult r = check(req);
    EXPECT_EQ(r.failure, Failure::kIncompleteSignature) << c.header;
    EXPECT_NE(r.message.find(c.expect), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("Authorization=" + c.header), std::string::npos) << r.message;
  }
}

TEST_F(VerifierTest, IncompleteSignature_WhenAuthorizationMalformed) {
  const std::string sh = ", SignedHeaders=host;x-amz-date, Signature=00";
  struct Case {
    std::string header;
    std::string expect;
  };
  const Case cases[] = {
      {"AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request" + sh,
       "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
      {"AWS AKIDEXAMPLE:c2lnbmF0dXJl", "Unsupported AWS 'algorithm': 'AWS'."},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs" + sh,
       "Credential must have exactly 5 slash-delimited elements, e.g. "
       "keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/sqs'"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request/x" + sh,
       "Credential must have exactly 5 slash-delimited elements, e.g. "
       "keyid/date/region/service/term, got "
       "'AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request/x'"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws5_request" + sh,
       "Credential should be scoped with a valid terminator: 'aws4_request', not "
       "'aws5_request'."},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
       "SignedHeaders=content-type;x-amz-date, Signature=00",
       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
  };
  for (const Case& c : cases) {
    HttpRequestView req = signed_request();
    set_header(req, "Authorization", c.header);
    VerifyResult r = check(req);
    EXPECT_EQ(r.failure, Failure::kIncompleteSignature) << c.header;
    EXPECT_EQ(r.message, c.expect);
  }
}

TEST_F(VerifierTest, IncompleteSignature_WhenDateMissingOrMalformed) {
  HttpRequestView req = signed_request();
  remove_header(req, "x-amz-date");
  VerifyResult r = check(req);
  EXPECT_EQ(r.failure, Failure::kIncompleteSignature);
  EXPECT_NE(r.message.find("Authorization header requires existence of either a 'X-Amz-Date' or "
                           "a 'Date' header."),
            std::string::npos)
      << r.message;

  set_header(req, "X-Amz-Date", "2015-08-30T12:36:00Z");
  r = check(req);
  EXPECT_EQ(r.failure, Failure::kIncompleteSignature);
  EXPECT_EQ(r.message,
            "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenCredentialDateDiffersFromAmzDate) {
  HttpRequestView req = json_request();
  sign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "sqs", kAmzDate);
  std::string auth = *find_header(req, "authorization");
  auth.replace(auth.find("/20150830/"), 10, "/20150829/");
  set_header(req, "Authorization", auth);
  VerifyResult r = check(req);
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20150829' != '20150830', from '20150830T123600Z'.");
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenServiceIsNotSqs) {
  HttpRequestView req = json_request();
  sign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "sns", kAmzDate);
  VerifyResult r = check(req);
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message, "Credential should be scoped to correct service: 'sqs'. ");
}

TEST_F(VerifierTest, ReportsRegion_WhenSignedForAnyRegion) {
  HttpRequestView req = json_request();
  sign(req, {std::string(kAkid), std::string(kSecret), ""}, "elasticmq", "sqs", kAmzDate);
  VerifyResult r = check(req);
  EXPECT_EQ(r.failure, Failure::kNone) << r.message;
  EXPECT_EQ(r.region, "elasticmq");
}

TEST_F(VerifierTest, Accepts_WhenDateHeaderReplacesXAmzDate) {
  HttpRequestView req{"GET",
                      "/",
                      "Action=ListQueues",
                      {{"Host", "h"}, {"Date", "Sun, 30 Aug 2015 12:36:00 GMT"}},
                      ""};
  std::string scope = credential_scope("20150830", "us-east-1", "sqs");
  std::string creq = canonical_request(req, {"date", "host"}, kEmptyPayloadHash);
  std::string sig = signature(signing_key(kSecret, "20150830", "us-east-1", "sqs"),
                              string_to_sign(kAmzDate, scope, creq));
  req.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope +
                                                ",SignedHeaders=date;host,Signature=" + sig);
  EXPECT_EQ(check(req).failure, Failure::kNone) << check(req).message;
  EXPECT_EQ(check(req, kSignedAtMs + 16 * kMinuteMs).failure, Failure::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, UsesDeclaredPayloadHash_WhenContentSha256Signed) {
  HttpRequestView req = json_request();
  req.headers.emplace_back("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD");
  sign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "sqs", kAmzDate);
  EXPECT_NE(find_header(req, "authorization")->find("x-amz-content-sha256"), std::string::npos);
  EXPECT_EQ(check(req).failure, Failure::kNone);
  set_header(req, "X-Amz-Content-SHA256", sha256_hex(req.body));
  EXPECT_EQ(check(req).failure, Failure::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, SessionTokenChecked_WhenKeyRequiresOne) {
  HttpRequestView req = json_request();
  sign(req, {"AKIDTOKEN", "tokensecret", "the-token"}, "us-east-1", "sqs", kAmzDate);
  EXPECT_EQ(check(req).failure, Failure::kNone) << check(req).message;

  HttpRequestView wrong = json_request();
  sign(wrong, {"AKIDTOKEN", "tokensecret", "other-token"}, "us-east-1", "sqs", kAmzDate);
  EXPECT_EQ(check(wrong).failure, Failure::kInvalidClientTokenId);

  HttpRequestView none = json_request();
  sign(none, {"AKIDTOKEN", "tokensecret", ""}, "us-east-1", "sqs", kAmzDate);
  EXPECT_EQ(check(none).failure, Failure::kInvalidClientTokenId);
}

TEST_F(VerifierTest, Accepts_WhenPresignedUrlWithinExpiry) {
  HttpRequestView req = presigned_request(300);
  EXPECT_EQ(check(req).failure, Failure::kNone) << check(req).message;
  // Long-lived URLs are not bound by the 15-minute skew.
  VerifyResult late = check(req, kSignedAtMs + 300 * 1000);
  EXPECT_EQ(late.failure, Failure::kNone) << late.message;
  HttpRequestView week = presigned_request(604800);
  EXPECT_EQ(check(week, kSignedAtMs + 6 * 24 * 60 * kMinuteMs).failure, Failure::kNone);
}

TEST_F(VerifierTest, Expired_WhenPresignedUrlUsedAfterExpiry) {
  VerifyResult r = check(presigned_request(300), kSignedAtMs + 301 * 1000);
  EXPECT_EQ(r.failure, Failure::kExpired);
  EXPECT_EQ(r.message, "Request has expired");
  EXPECT_EQ(failure_code(r.failure), "AccessDenied");
  EXPECT_EQ(failure_http_status(r.failure), 403);
}

TEST_F(VerifierTest, SignatureNotYetCurrent_WhenPresignedUrlFromTheFuture) {
  VerifyResult r = check(presigned_request(300), kSignedAtMs - 16 * kMinuteMs);
  EXPECT_EQ(r.failure, Failure::kSignatureDoesNotMatch);
  EXPECT_EQ(r.message.rfind("Signature not yet current: ", 0), 0u) << r.message;
}

TEST_F(VerifierTest, SignatureDoesNotMatch_WhenPresignedQueryTampered) {
  HttpRequestView req = presigned_request(300);
  req.query.replace(req.query.find("AttributeName.1=All"), 19, "AttributeName.1=Policy");
  EXPECT_EQ(check(req).failure, Failure::kSignatureDoesNotMatch);
  HttpRequestView longer = presigned_request(300);
  longer.query.replace(longer.query.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=900");
  EXPECT_EQ(check(longer, kSignedAtMs + 600 * 1000).failure, Failure::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, IncompleteSignature_WhenPresignedParameterMissingOrInvalid) {
  for (std::string_view param : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                 "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    HttpRequestView req = presigned_request(300);
    size_t start = req.query.find(std::string(param) + "=");
    size_t end = req.query.find('&', start);
    req.query.erase(start, end == std::string::npos ? std::string::npos : end - start + 1);
    if (!req.query.empty() && req.query.back() == '&') req.query.pop_back();
    VerifyResult r = check(req);
    EXPECT_EQ(r.failure, Failure::kIncompleteSignature) << param << " " << req.query;
    EXPECT_EQ(r.message, "AWS query-string parameters must include '" + std::string(param) +
                             "'. Re-examine the query-string parameters.");
  }
  HttpRequestView bad = presigned_request(300);
  bad.query.replace(bad.query.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=604801");
  EXPECT_EQ(check(bad).failure, Failure::kIncompleteSignature);
  bad.query.replace(bad.query.find("X-Amz-Expires=604801"), 20, "X-Amz-Expires=soon");
  EXPECT_EQ(check(bad).failure, Failure::kIncompleteSignature);
  HttpRequestView algo = presigned_request(300);
  algo.query.replace(algo.query.find("AWS4-HMAC-SHA256"), 16, "AWS4-HMAC-SHA1");
  EXPECT_EQ(check(algo).failure, Failure::kIncompleteSignature);
}

TEST_F(VerifierTest, NeverCrashes_WhenAuthorizationAndQueryAreRandomBytes) {
  std::mt19937 rng(12345);
  const std::string alphabet =
      "AWS4-HMAC-SHA256 Credential=/,;= SignedHeaders=Signature=%&X-Amz-"
      "Date0123456789abcdefhost\t\n\xff";
  std::string base = *find_header(signed_request(), "authorization");
  for (int i = 0; i < 3000; ++i) {
    HttpRequestView req = signed_request();
    std::string auth = base;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t pos = auth.empty() ? 0 : rng() % auth.size();
      switch (rng() % 3) {
        case 0:
          if (!auth.empty()) auth.erase(pos, 1 + rng() % 10);
          break;
        case 1:
          auth.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          if (!auth.empty()) auth[pos] = alphabet[rng() % alphabet.size()];
      }
    }
    if (i % 2) {
      remove_header(req, "authorization");
      req.query = auth;
    } else {
      set_header(req, "Authorization", auth);
    }
    VerifyResult r = check(req);
    // Whitespace edits around separators may keep a header valid; anything else must fail.
    if (r.ok()) {
      EXPECT_NE(auth.find(base.substr(base.size() - 64)), std::string::npos) << auth;
    }
  }
}

TEST(Authorize, AllowsOrDenies_WhenKeyHasQueueAndActionLimits) {
  CredentialStore store;
  store.add("OPEN", KeyEntry{"s", "", {}, {}});
  store.add("LIMITED", KeyEntry{"s", "", {"orders-*", "audit"}, {"SendMessage", "ListQueues"}});
  EXPECT_TRUE(authorize(store, "OPEN", "DeleteQueue", "anything", "r").ok());

  EXPECT_TRUE(authorize(store, "LIMITED", "SendMessage", "orders-eu", "r").ok());
  EXPECT_TRUE(authorize(store, "LIMITED", "SendMessageBatch", "audit", "r").ok());
  EXPECT_TRUE(authorize(store, "LIMITED", "ListQueues", "", "r").ok());

  VerifyResult denied = authorize(store, "LIMITED", "SendMessage", "payments",
                                  "http://localhost:9324/000000000000/payments");
  EXPECT_EQ(denied.failure, Failure::kAccessDenied);
  EXPECT_EQ(denied.message,
            "Access to the resource http://localhost:9324/000000000000/payments is denied.");
  EXPECT_EQ(authorize(store, "LIMITED", "ReceiveMessage", "orders-eu", "r").failure,
            Failure::kAccessDenied);
  EXPECT_EQ(authorize(store, "LIMITED", "DeleteMessageBatch", "audit", "r").failure,
            Failure::kAccessDenied);
  EXPECT_EQ(authorize(store, "NOBODY", "SendMessage", "audit", "r").failure,
            Failure::kInvalidClientTokenId);
}

TEST(FailureMapping, CodesAndStatuses_WhenEachFailureReported) {
  EXPECT_EQ(failure_code(Failure::kMissingAuthenticationToken), "MissingAuthenticationToken");
  EXPECT_EQ(failure_http_status(Failure::kMissingAuthenticationToken), 403);
  EXPECT_EQ(failure_code(Failure::kIncompleteSignature), "IncompleteSignature");
  EXPECT_EQ(failure_http_status(Failure::kIncompleteSignature), 400);
  EXPECT_EQ(failure_code(Failure::kInvalidClientTokenId), "InvalidClientTokenId");
  EXPECT_EQ(failure_http_status(Failure::kInvalidClientTokenId), 403);
  EXPECT_EQ(failure_code(Failure::kSignatureDoesNotMatch), "SignatureDoesNotMatch");
  EXPECT_EQ(failure_http_status(Failure::kSignatureDoesNotMatch), 403);
  EXPECT_EQ(failure_code(Failure::kAccessDenied), "AccessDenied");
  EXPECT_EQ(failure_http_status(Failure::kAccessDenied), 403);
  EXPECT_EQ(failure_code(Failure::kNone), "");
}

}  // namespace
}  // namespace tern::sigv4
