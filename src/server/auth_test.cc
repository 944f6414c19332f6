// SigV4 in the request path: tern serve --credentials refuses unsigned, badly signed and
// unauthorized requests with AWS's codes, and accepts correctly signed ones.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>

#include "common/text.h"
#include "server/dispatcher.h"
#include "sigv4/credentials_file.h"
#include "sigv4/signer.h"

namespace tern::server {
namespace {
namespace asio = boost::asio;

constexpr char kCredentials[] = R"(
[admin]
aws_access_key_id = AKIDADMIN
aws_secret_access_key = admin-secret

[sender]
aws_access_key_id = AKIDSENDER
aws_secret_access_key = sender-secret
queues = orders-*
actions = SendMessage, GetQueueUrl
)";

class AuthTest : public ::testing::Test {
 protected:
  AuthTest() : engine_(engine::EngineOptions{}), dispatcher_(engine_, options()) {}
  static DispatcherOptions options() {
    DispatcherOptions o;
    auto store = sigv4::parse_credentials(kCredentials);
    EXPECT_TRUE(store);
    o.credentials = std::make_shared<const sigv4::CredentialStore>(std::move(*store));
    return o;
  }
  protocol::WireResponse call(const std::string& action, const std::string& body,
                              const std::string& akid, const std::string& secret,
                              int64_t skew_ms = 0, bool tamper = false) {
    sigv4::HttpRequestView v;
    v.method = "POST";
    v.path = "/";
    v.headers = {{"Host", "127.0.0.1:9324"},
                 {"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "AmazonSQS." + action}};
    v.body = body;
    if (!akid.empty()) {
      auto when = std::chrono::system_clock::now() + std::chrono::milliseconds(skew_ms);
      sigv4::sign(v, {akid, secret, ""}, "us-east-1", "sqs", sigv4::format_amz_date(when));
    }
    HttpRequest r;
    r.method = v.method;
    r.target = v.path;
    r.headers = v.headers;
    r.body = tamper ? body + " " : body;
    asio::io_context ioc;
    auto fut = asio::co_spawn(asio::make_strand(ioc), dispatcher_.handle(r), asio::use_future);
    ioc.run();
    return fut.get();
  }
  static std::string code(const protocol::WireResponse& r) {
    for (auto& [k, v] : r.headers) {
      if (iequals(k, "x-amzn-query-error")) return v.substr(0, v.find(';'));
    }
    return "";
  }
  engine::Engine engine_;
  Dispatcher dispatcher_;
};

TEST_F(AuthTest, SignedRequest_IsAccepted_AndSenderIdIsTheKey) {
  auto c = call("CreateQueue", R"({"QueueName":"orders-1"})", "AKIDADMIN", "admin-secret");
  ASSERT_EQ(c.status, 200) << c.body;
  auto s = call("SendMessage", R"({"QueueUrl":"/000000000000/orders-1","MessageBody":"x"})",
                "AKIDSENDER", "sender-secret");
  ASSERT_EQ(s.status, 200) << s.body;
  auto r = call("ReceiveMessage",
                R"({"QueueUrl":"/000000000000/orders-1","AttributeNames":["SenderId"]})",
                "AKIDADMIN", "admin-secret");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"SenderId\":\"AKIDSENDER\""), std::string::npos) << r.body;
}

TEST_F(AuthTest, UnsignedRequest_GetsMissingAuthenticationToken) {
  auto r = call("ListQueues", "{}", "", "");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "MissingAuthenticationToken");
}

TEST_F(AuthTest, WrongSecretStaleDateUnknownKeyTamperedBody_AreRefused) {
  EXPECT_EQ(code(call("ListQueues", "{}", "AKIDADMIN", "wrong")), "SignatureDoesNotMatch");
  EXPECT_EQ(code(call("ListQueues", "{}", "AKIDADMIN", "admin-secret", -16 * 60 * 1000)),
            "SignatureDoesNotMatch");
  EXPECT_EQ(code(call("ListQueues", "{}", "AKIDNOBODY", "x")), "InvalidClientTokenId");
  EXPECT_EQ(code(call("ListQueues", "{}", "AKIDADMIN", "admin-secret", 0, true)),
            "SignatureDoesNotMatch");
}

TEST_F(AuthTest, RestrictedKey_IsDeniedOtherActionsAndQueues) {
  ASSERT_EQ(call("CreateQueue", R"({"QueueName":"orders-1"})", "AKIDADMIN", "admin-secret").status,
            200);
  ASSERT_EQ(call("CreateQueue", R"({"QueueName":"other"})", "AKIDADMIN", "admin-secret").status,
            200);
  auto recv = call("ReceiveMessage", R"({"QueueUrl":"/000000000000/orders-1"})", "AKIDSENDER",
                   "sender-secret");
  EXPECT_EQ(recv.status, 403);
  EXPECT_EQ(code(recv), "AccessDenied");
  auto other = call("SendMessage", R"({"QueueUrl":"/000000000000/other","MessageBody":"x"})",
                    "AKIDSENDER", "sender-secret");
  EXPECT_EQ(code(other), "AccessDenied");
}

}  // namespace
}  // namespace tern::server
