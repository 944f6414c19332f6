// Signer tests: every case of AWS's official SigV4 test suite (canonical request, string to sign,
// Authorization, and the verifier recomputing each signed request), the SQS vectors of
// sqs-wire.md §8.2, and the canonicalisation edge cases.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "sigv4/signer.h"
#include "sigv4/verifier.h"

namespace tern::sigv4 {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kAmzDate = "20150830T123600Z";
constexpr int64_t kSuiteTimeMs = 1440938160000;  // 2015-08-30T12:36:00Z
// sqs-wire.md §8.3: this case's .req omits the token header that its .creq signs.
constexpr std::string_view kSuiteSessionToken =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Parses the suite's raw request format: request line, headers (a line starting with whitespace
// continues the previous header, as in get-header-value-multiline), blank line, body. The
// request target may contain spaces (normalize-path/get-space), so the method ends at the first
// space and the version starts at the last one.
HttpRequestView parse_raw_request(const std::string& text) {
  HttpRequestView req;
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  if (lines.empty()) return req;
  const std::string& first = lines[0];
  size_t sp1 = first.find(' ');
  size_t sp2 = first.rfind(' ');
  req.method = first.substr(0, sp1);
  std::string target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) req.query = target.substr(q + 1);
  size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    if (lines[i][0] == ' ' || lines[i][0] == '\t') {
      req.headers.back().second += "\n" + lines[i];
      continue;
    }
    size_t colon = lines[i].find(':');
    req.headers.emplace_back(lines[i].substr(0, colon), lines[i].substr(colon + 1));
  }
  for (size_t j = i + 1; j < lines.size(); ++j) {
    if (j > i + 1) req.body += '\n';
    req.body += lines[j];
  }
  return req;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> all_header_names(const HttpRequestView& req) {
  std::set<std::string> names;
  for (const auto& h : req.headers) names.insert(lower(h.first));
  return {names.begin(), names.end()};
}

// Case folders are those holding <basename>.req ("normalize-path/get-space").
std::vector<std::string> suite_cases() {
  std::vector<std::string> out;
  fs::path root(TERN_AWS4_TESTSUITE_DIR);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_directory()) continue;
    fs::path req = it->path() / (it->path().filename().string() + ".req");
    if (fs::exists(req)) out.push_back(fs::relative(it->path(), root).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct SuiteCase {
  std::string name;
  fs::path dir;
  std::string file(std::string_view ext) const {
    return read_file(dir / (dir.filename().string() + std::string(ext)));
  }
};

class Aws4Suite : public ::testing::TestWithParam<std::string> {
 protected:
  SuiteCase suite_case() const {
    return {GetParam(), fs::path(TERN_AWS4_TESTSUITE_DIR) / GetParam()};
  }
};

std::string signature_of(std::string_view authz) {
  size_t p = authz.find("Signature=");
  return p == std::string_view::npos ? "" : std::string(authz.substr(p + 10));
}

TEST(Aws4SuiteInventory, AllCasesPresent_WhenSuiteCopiedIntoRepo) {
  std::vector<std::string> cases = suite_cases();
  // 24 top-level cases, 8 under normalize-path/, 2 under post-sts-token/.
  EXPECT_EQ(cases.size(), 34u);
  for (const std::string& c : cases) {
    fs::path dir = fs::path(TERN_AWS4_TESTSUITE_DIR) / c;
    for (const char* ext : {".req", ".creq", ".sts", ".authz", ".sreq"}) {
      EXPECT_TRUE(fs::exists(dir / (dir.filename().string() + ext))) << c << ext;
    }
  }
  EXPECT_TRUE(fs::exists(fs::path(TERN_AWS4_TESTSUITE_DIR) / "LICENSE"));
  EXPECT_TRUE(fs::exists(fs::path(TERN_AWS4_TESTSUITE_DIR) / "NOTICE"));
}

TEST_P(Aws4Suite, CanonicalRequestStringToSignAndAuthorization_MatchSuiteFiles) {
  SuiteCase c = suite_case();
  HttpRequestView req = parse_raw_request(c.file(".req"));
  if (c.name == "get-vanilla-with-session-token") {
    ASSERT_EQ(find_header(req, "x-amz-security-token"), nullptr)
        << "the suite's .req is expected to leave the token out (sqs-wire.md §8.3)";
    req.headers.emplace_back("X-Amz-Security-Token", std::string(kSuiteSessionToken));
  }
  // The suite signs every header of the request.
  std::vector<std::string> signed_headers = all_header_names(req);
  std::string creq = canonical_request(req, signed_headers, sha256_hex(req.body));
  EXPECT_EQ(creq, c.file(".creq"));

  std::string scope = credential_scope("20150830", "us-east-1", "service");
  std::string sts = string_to_sign(kAmzDate, scope, creq);
  EXPECT_EQ(sts, c.file(".sts"));

  std::string sig = signature(signing_key(kSecret, "20150830", "us-east-1", "service"), sts);
  std::string names;
  for (const auto& n : signed_headers) names += (names.empty() ? "" : ";") + n;
  std::string authz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope +
                      ", SignedHeaders=" + names + ", Signature=" + sig;
  EXPECT_EQ(authz, c.file(".authz"));
}

TEST_P(Aws4Suite, SignProducesSuiteAuthorization_WhenCaseUsesOnlyDefaultSignedHeaders) {
  SuiteCase c = suite_case();
  HttpRequestView req = parse_raw_request(c.file(".req"));
  bool custom = std::any_of(req.headers.begin(), req.headers.end(), [](const auto& h) {
    std::string n = lower(h.first);
    return n != "host" && n != "content-type" && n.rfind("x-amz-", 0) != 0;
  });
  if (custom) {
    // sign() signs host, content-type and x-amz-* only (botocore's choice for SQS); the
    // suite's My-Header* cases sign custom headers, which the previous test covers through
    // canonical_request() with an explicit header list. Pin which cases these are.
    static const std::set<std::string> kCustomHeaderCases = {
        "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order",
        "get-header-value-trim",    "post-header-key-sort",       "post-header-value-case"};
    EXPECT_TRUE(kCustomHeaderCases.count(c.name)) << c.name;
    return;
  }
  Credentials creds{std::string(kAkid), std::string(kSecret), ""};
  if (c.name == "get-vanilla-with-session-token") creds.session_token = kSuiteSessionToken;
  sign(req, creds, "us-east-1", "service", kAmzDate);
  const std::string* authz = find_header(req, "authorization");
  ASSERT_NE(authz, nullptr);
  EXPECT_EQ(*authz, c.file(".authz"));
}

TEST_P(Aws4Suite, VerifierAcceptsSignedRequest_WhenRecomputingSuiteCase) {
  SuiteCase c = suite_case();
  CredentialStore store;
  store.add(std::string(kAkid), KeyEntry{std::string(kSecret), "", {}, {}});

  // The request with the suite's Authorization attached.
  HttpRequestView req = parse_raw_request(c.file(".req"));
  if (c.name == "get-vanilla-with-session-token") {
    req.headers.emplace_back("X-Amz-Security-Token", std::string(kSuiteSessionToken));
  }
  req.headers.emplace_back("Authorization", c.file(".authz"));
  VerifyResult r = verify({req, kSuiteTimeMs}, store, "service");
  EXPECT_EQ(r.failure, Failure::kNone) << r.message;
  EXPECT_EQ(r.access_key_id, kAkid);
  EXPECT_EQ(r.region, "us-east-1");

  // The suite's own signed request (.sreq).
  HttpRequestView sreq = parse_raw_request(c.file(".sreq"));
  VerifyResult s = verify({sreq, kSuiteTimeMs}, store, "service");
  if (c.name == "get-vanilla-with-session-token") {
    // Known defect of the suite: this .sreq carries a signature that is not the one in its
    // .authz (it is made of pieces of the token), so no correct verifier can accept it.
    ASSERT_NE(signature_of(*find_header(sreq, "authorization")), signature_of(c.file(".authz")));
    EXPECT_EQ(s.failure, Failure::kSignatureDoesNotMatch);
  } else {
    EXPECT_EQ(s.failure, Failure::kNone) << s.message;
  }
}

std::string case_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Aws4TestSuite, Aws4Suite, ::testing::ValuesIn(suite_cases()),
                         case_test_name);

TEST(Aws4SuiteVector, SignatureMatchesSpec_WhenPostFormUrlencoded) {
  HttpRequestView req{
      "POST",
      "/",
      "",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "example.amazonaws.com"}},
      "Param1=value1"};
  sign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "service", kAmzDate);
  EXPECT_EQ(signature_of(*find_header(req, "authorization")),
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

// sqs-wire.md §8.2 vectors.
TEST(SqsVectors, SigningKeyMatchesSpec_WhenServiceIsSqs) {
  EXPECT_EQ(hex_encode(signing_key(kSecret, "20150830", "us-east-1", "sqs")),
            "9e65b0be0d065ec1c6ad437e0f495e15797093b99ad6de07a06d7ff044ca5c6a");
}

TEST(SqsVectors, VectorA_JsonSendMessageSignatureMatchesSpec) {
  HttpRequestView req{
      "POST",
      "/",
      "",
      {{"Content-Type", "application/x-amz-json-1.0"},
       {"Host", "sqs.us-east-1.amazonaws.com"},
       {"X-Amz-Target", "AmazonSQS.SendMessage"}},
      R"({"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/MyQueue",)"
      R"("MessageBody":"hello"})"};
  std::vector<std::string> names = {"content-type", "host", "x-amz-date", "x-amz-target"};
  HttpRequestView with_date = req;
  with_date.headers.emplace_back("X-Amz-Date", std::string(kAmzDate));
  std::string creq = canonical_request(with_date, names, sha256_hex(req.body));
  EXPECT_EQ(creq,
            "POST\n/\n\ncontent-type:application/x-amz-json-1.0\n"
            "host:sqs.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n"
            "x-amz-target:AmazonSQS.SendMessage\n\n"
            "content-type;host;x-amz-date;x-amz-target\n"
            "1cae49f03f8de0ce35a33488fca75341644b8b0caeebaf69cea4cf34ec1db16a");
  EXPECT_EQ(sha256_hex(creq), "d381dd3a06252e3506d1634944783e9b6608aa2565abdad5de9639442533783f");

  sign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "sqs", kAmzDate);
  EXPECT_EQ(*find_header(req, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=cabd86f968dff9f087f7016e7b9fe46a1699021b647e66129c0a6e70b5204980");
}

TEST(SqsVectors, VectorB_QuerySendMessageWithSessionTokenMatchesSpec) {
  const std::string token =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
      "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0"
      "KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZ"
      "bqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  HttpRequestView req{"POST",
                      "/",
                      "",
                      {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Host", "sqs.us-east-1.amazonaws.com"}},
                      "Action=SendMessage&MessageBody=hello&QueueUrl=https%3A%2F%2Fsqs.us-east-1."
                      "amazonaws.com%2F123456789012%2FMyQueue&Version=2012-11-05"};
  EXPECT_EQ(sha256_hex(req.body),
            "40668c038ff8163b78b7af58172c0d3f18ede931c2552f71119058311bd2dcf7");
  sign(req, {std::string(kAkid), std::string(kSecret), token}, "us-east-1", "sqs", kAmzDate);
  EXPECT_EQ(*find_header(req, "x-amz-security-token"), token);
  std::string creq = canonical_request(
      req, {"content-type", "host", "x-amz-date", "x-amz-security-token"}, sha256_hex(req.body));
  EXPECT_EQ(sha256_hex(creq), "71c93c64cd0a6605a0c3931d5ca09b1f849a033644a04defc4c524f53d1ba2c8");
  EXPECT_EQ(*find_header(req, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
            "Signature=6a5b7e48e0af47a4eedd0d9cb0226ecc0f90d43f3aeac04d58f4e3aad6082163");
}

TEST(SqsVectors, VectorC_PresignedGetMatchesSpec) {
  HttpRequestView req{"GET",
                      "/123456789012/MyQueue",
                      "Action=GetQueueAttributes&AttributeName.1=All",
                      {{"Host", "sqs.us-east-1.amazonaws.com"}},
                      ""};
  presign(req, {std::string(kAkid), std::string(kSecret), ""}, "us-east-1", "sqs", kAmzDate, 300);
  EXPECT_EQ(canonical_request(req, {"host"}, kEmptyPayloadHash),
            "GET\n/123456789012/MyQueue\n"
            "Action=GetQueueAttributes&AttributeName.1=All&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
            "X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsqs%2Faws4_request&"
            "X-Amz-Date=20150830T123600Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host\n"
            "host:sqs.us-east-1.amazonaws.com\n\nhost\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(canonical_request(req, {"host"}, kEmptyPayloadHash)),
            "9691906d0ea11e97822a9044375c58105b63faa2758129b9c0c3cf2f1ea111e5");
  EXPECT_TRUE(req.query.ends_with(
      "&X-Amz-Signature=75dbc6ec2c09a24dff1d635d034181bdaeb16c95d144d21d4c039e069118c4bf"))
      << req.query;
}

// Canonicalisation details.
TEST(CanonicalUri, RemovesDotSegmentsAndCollapsesSlashes_WhenPathIsMessy) {
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/"), "/");
  EXPECT_EQ(canonical_uri("//"), "/");
  EXPECT_EQ(canonical_uri("/a//b/./c/../d"), "/a/b/d");
  EXPECT_EQ(canonical_uri("/a/b/"), "/a/b/");
  EXPECT_EQ(canonical_uri("/../../a"), "/a");
  EXPECT_EQ(canonical_uri("/123456789012/MyQueue"), "/123456789012/MyQueue");
}

TEST(CanonicalUri, EncodesWirePathAgain_WhenPathIsAlreadyPercentEncoded) {
  // Non-S3 rule: the client signs quote(encoded path), so %20 on the wire becomes %2520.
  EXPECT_EQ(canonical_uri("/my%20queue"), "/my%2520queue");
  EXPECT_EQ(canonical_uri("/a b"), "/a%20b");
  EXPECT_EQ(canonical_uri("/q~u-e_u.e"), "/q~u-e_u.e");
}

TEST(CanonicalQuery, SortsAndReencodes_WhenQueryHasEscapesPlusAndEmptyValues) {
  EXPECT_EQ(canonical_query(""), "");
  EXPECT_EQ(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(canonical_query("a&b="), "a=&b=");
  EXPECT_EQ(canonical_query("q=a+b%2Bc"), "q=a%20b%2Bc");
  EXPECT_EQ(canonical_query("k=%7e%2f"), "k=~%2F");
  EXPECT_EQ(canonical_query("a=1&&b=2"), "a=1&b=2");
}

TEST(CanonicalQuery, DropsSignature_WhenPresignedQueryIsCanonicalised) {
  EXPECT_EQ(canonical_query("X-Amz-Signature=abc&Action=X"), "Action=X");
}

TEST(CanonicalQuery, KeepsMalformedEscapeAsText_WhenPercentIsNotFollowedByHex) {
  EXPECT_EQ(canonical_query("a=%zz&b=%"), "a=%25zz&b=%25");
}

TEST(CanonicalRequest, JoinsAndCollapses_WhenHeadersRepeatOrHaveWhitespace) {
  HttpRequestView req{"GET",
                      "/",
                      "",
                      {{"Host", " h "}, {"X-A", " 1   2\t3 "}, {"x-a", "4"}, {"X-B", "\n x \n"}},
                      ""};
  EXPECT_EQ(canonical_request(req, {"host", "x-a", "x-b", "x-missing"}, "P"),
            "GET\n/\n\nhost:h\nx-a:1 2 3,4\nx-b:x\nx-missing:\n\nhost;x-a;x-b;x-missing\nP");
}

TEST(Sign, ReplacesOldAuthHeadersAndSkipsUnsignedOnes_WhenResigning) {
  HttpRequestView req{"POST",
                      "/",
                      "",
                      {{"Host", "h"},
                       {"User-Agent", "x"},
                       {"X-Amzn-Trace-Id", "t"},
                       {"x-amzn-query-mode", "true"},
                       {"X-Amz-Date", "19990101T000000Z"},
                       {"Authorization", "old"}},
                      "{}"};
  sign(req, {"AK", "SK", ""}, "eu-west-1", "sqs", kAmzDate);
  int dates = 0, auths = 0;
  for (const auto& h : req.headers) {
    dates += lower(h.first) == "x-amz-date";
    auths += lower(h.first) == "authorization";
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(auths, 1);
  EXPECT_EQ(*find_header(req, "x-amz-date"), kAmzDate);
  EXPECT_NE(
      find_header(req, "authorization")->find("SignedHeaders=host;x-amz-date;x-amzn-query-mode, "),
      std::string::npos)
      << *find_header(req, "authorization");
}

TEST(Sign, UsesDeclaredPayloadHash_WhenContentSha256HeaderPresent) {
  HttpRequestView req{
      "POST", "/", "", {{"Host", "h"}, {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"}}, "body"};
  EXPECT_EQ(payload_hash(req), "UNSIGNED-PAYLOAD");
  req.headers.pop_back();
  EXPECT_EQ(payload_hash(req), sha256_hex("body"));
}

TEST(AmzDate, FormatsUtc_WhenGivenTimePoint) {
  using namespace std::chrono;
  system_clock::time_point tp{milliseconds(kSuiteTimeMs + 999)};
  EXPECT_EQ(format_amz_date(tp), "20150830T123600Z");
  EXPECT_EQ(format_amz_date_ms(0), "19700101T000000Z");
  EXPECT_EQ(format_amz_date_ms(951782400000), "20000229T000000Z");
}

TEST(AmzDate, ParsesRoundTrip_WhenWellFormed) {
  EXPECT_EQ(parse_amz_date("20150830T123600Z"), kSuiteTimeMs);
  EXPECT_EQ(parse_amz_date("19700101T000000Z"), 0);
  EXPECT_EQ(parse_amz_date("20000229T000000Z"), 951782400000);
}

TEST(AmzDate, RejectsText_WhenShapeOrCalendarIsWrong) {
  for (const char* bad :
       {"", "20150830T123600", "20150830T123600z", "20150830 123600Z", "2015-08-30T12:36:00Z",
        "20150230T123600Z", "20150830T243600Z", "20150830T126000Z", "20150830T123660Z",
        "2015083OT123600Z", "+0150830T123600Z", "20150830T123600Z "}) {
    EXPECT_FALSE(parse_amz_date(bad).has_value()) << bad;
  }
}

TEST(HttpDate, ConvertsImfFixdate_WhenDateHeaderUsed) {
  EXPECT_EQ(http_date_to_amz_date("Sun, 30 Aug 2015 12:36:00 GMT"), "20150830T123600Z");
  EXPECT_EQ(http_date_to_amz_date(" Tue, 01 Dec 2015 01:02:03 GMT "), "20151201T010203Z");
  EXPECT_FALSE(http_date_to_amz_date("Sun, 30 Aug 2015 12:36:00 UTC"));
  EXPECT_FALSE(http_date_to_amz_date("Sun, 31 Feb 2015 12:36:00 GMT"));
  EXPECT_FALSE(http_date_to_amz_date("Sunday, 30-Aug-15 12:36:00 GMT"));
  EXPECT_FALSE(http_date_to_amz_date(""));
}

}  // namespace
}  // namespace tern::sigv4
