#include "config.h"

#include <gtest/gtest.h>

#include <map>

namespace shop {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  Getenv fn() const {
    return [this](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

const char* kDotenv =
    "AWS_REGION=us-east-1\n"
    "AWS_ACCESS_KEY_ID=local\n"
    "AWS_SECRET_ACCESS_KEY=local\n"
    "AWS_SQS_MILEAGE_URL=http://127.0.0.1:9324/000000000000/mileage\n"
    "AWS_SQS_PRODUCT_TRACKING_URL=http://127.0.0.1:9324/000000000000/product-tracking\n";

TEST(Config, ReadsTheTutorialsDotenv) {
  Env env;
  auto c = load_config(Service::kPurchase, env.fn(), kDotenv);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->port, 3000);
  EXPECT_EQ(c->endpoint_url, "http://127.0.0.1:9324") << "the queue URL's origin";
  EXPECT_EQ(c->data_dir, "./data");
}

TEST(Config, EnvironmentWinsOverDotenv) {
  Env env{{{"AWS_REGION", "eu-west-1"}, {"PORT", "0"},
           {"AWS_ENDPOINT_URL_SQS", "http://localhost:4566"}}};
  auto c = load_config(Service::kPurchase, env.fn(), kDotenv);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->endpoint_url, "http://localhost:4566");
}

TEST(Config, AwsQueueUrlsUseTheDefaultEndpoint) {
  Env env{{{"AWS_REGION", "eu-west-1"},
           {"AWS_SQS_MILEAGE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/mileage"}}};
  auto c = load_config(Service::kMileage, env.fn(), "");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->endpoint_url, "");
  EXPECT_EQ(c->port, 3001);
}

TEST(Config, NamesTheMissingOrInvalidSetting) {
  Env env;
  auto error_of = [&](Service s, const std::string& dotenv) {
    auto c = load_config(s, env.fn(), dotenv);
    EXPECT_FALSE(c.has_value());
    return c ? std::string() : c.error();
  };
  std::string base = kDotenv;
  EXPECT_EQ(error_of(Service::kPurchase, "").rfind("AWS_REGION is required", 0), 0u);
  EXPECT_EQ(error_of(Service::kTracking, "AWS_REGION=us-east-1\n")
                .rfind("AWS_SQS_PRODUCT_TRACKING_URL is required", 0),
            0u);
  EXPECT_EQ(error_of(Service::kPurchase, base + "AWS_SQS_MILEAGE_URL=nope\n")
                .rfind("AWS_SQS_MILEAGE_URL is not a queue URL", 0),
            0u);
  EXPECT_EQ(error_of(Service::kPurchase, base + "PORT=http\n").rfind("PORT must be an integer", 0),
            0u);
  EXPECT_EQ(error_of(Service::kMileage, base + "MILEAGE_PORT=70000\n")
                .rfind("MILEAGE_PORT must be between", 0),
            0u);
  EXPECT_EQ(error_of(Service::kPurchase,
                     "AWS_REGION=us-east-1\nAWS_ACCESS_KEY_ID=x\n"
                     "AWS_SQS_MILEAGE_URL=http://h/1/a\nAWS_SQS_PRODUCT_TRACKING_URL=http://h/1/b")
                .rfind("AWS_SECRET_ACCESS_KEY is required", 0),
            0u);
  EXPECT_EQ(error_of(Service::kPurchase, base + "AWS_ENDPOINT_URL_SQS=ftp://x\n")
                .rfind("AWS_ENDPOINT_URL_SQS is not an http(s) URL", 0),
            0u);
}

}  // namespace
}  // namespace shop
