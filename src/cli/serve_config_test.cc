// The `tern serve` configuration: a good file sets every key; the environment beats the file and
// flags beat the environment; every kind of bad value is refused with a message naming the key
// and where it came from (file:line:column, variable, flag); --print-config's TOML reads back to
// the same configuration.
#include "cli/serve_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace tern::cli {
namespace {

const char* kGoodFile = R"(# every key
host = "0.0.0.0"
port = 9400
region = "eu-west-1"
account-id = "123456789012"
threads = 3
public-url = "https://sqs.example.com"
allow-unauthenticated = true
data-dir = "/var/lib/tern"
durability = "async"
log-level = "debug"
log-format = "json"
request-log = true

[[queues]]
name = "orders"
attributes = { VisibilityTimeout = 45, DelaySeconds = "2", ReceiveMessageWaitTimeSeconds = 0 }
redrive-policy = { dead-letter-queue = "orders-dlq", max-receive-count = 4 }
tags = { team = "shop", "cost center" = "42" }

[[queues]]
name = "orders-dlq"
attributes.MessageRetentionPeriod = 1209600

[[queues]]
name = "events.fifo"
[queues.attributes]
ContentBasedDeduplication = true
)";

// Applies `text` to fresh options; returns the error ("" on success).
std::string apply(const std::string& text, ServeOptions* out = nullptr) {
  ServeOptions o;
  auto st = apply_config_text(text, "tern.toml", o);
  if (out != nullptr) *out = o;
  return st ? "" : st.error();
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("tern-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) +
              ".toml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(ServeConfigTest, GoodFile_SetsEveryKey_AndOrdersQueuesDeadLetterFirst) {
  ServeOptions o;
  ASSERT_EQ(apply(kGoodFile, &o), "");
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 9400);
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_EQ(o.account_id, "123456789012");
  EXPECT_EQ(o.threads, 3);
  EXPECT_EQ(o.public_url, "https://sqs.example.com");
  EXPECT_TRUE(o.allow_unauthenticated);
  EXPECT_EQ(o.data_dir, "/var/lib/tern");
  EXPECT_EQ(o.durability, "async");
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_EQ(o.log_format, "json");
  EXPECT_TRUE(o.request_log);
  ASSERT_EQ(o.queues.size(), 3u);
  EXPECT_EQ(o.queues[0].name, "orders-dlq");
  EXPECT_EQ(o.queues[1].name, "orders");
  EXPECT_EQ(o.queues[2].name, "events.fifo");
  const DeclaredQueue& orders = o.queues[1];
  EXPECT_FALSE(orders.fifo);
  EXPECT_EQ(orders.attributes.at("VisibilityTimeout"), "45");
  EXPECT_EQ(orders.attributes.at("DelaySeconds"), "2");
  EXPECT_EQ(orders.attributes.at("ReceiveMessageWaitTimeSeconds"), "0");
  EXPECT_EQ(orders.dead_letter_queue, "orders-dlq");
  EXPECT_EQ(orders.max_receive_count, 4);
  EXPECT_EQ(orders.tags.at("cost center"), "42");
  EXPECT_EQ(orders.origin, "tern.toml:15:1");
  EXPECT_EQ(o.queues[0].attributes.at("MessageRetentionPeriod"), "1209600");
  EXPECT_TRUE(o.queues[2].fifo) << "a .fifo name is a FIFO queue";
  EXPECT_EQ(o.queues[2].attributes.at("ContentBasedDeduplication"), "true");
}

TEST(ServeConfigTest, EmptyFile_KeepsTheDefaults) {
  ServeOptions o;
  ASSERT_EQ(apply("", &o), "");
  ServeOptions d;
  EXPECT_EQ(to_toml(o), to_toml(d));
  EXPECT_EQ(o.port, 9324);
  EXPECT_EQ(o.durability, "sync");
  EXPECT_EQ(o.log_level, "info");
  EXPECT_FALSE(o.request_log);
}

TEST(ServeConfigTest, Precedence_FlagBeatsEnvironment_WhichBeatsTheFile) {
  TempFile file(
      "port = 1111\nregion = \"eu-west-1\"\ndata-dir = \"from-file\"\n"
      "durability = \"async\"\n");
  ConfigInputs in;
  in.config_file = file.path();
  in.env = {{"TERN_PORT", "2222"},
            {"TERN_DATA_DIR", "from-env"},
            {"TERN_REQUEST_LOG", "yes"},
            {"TERN_BIN", "/not/a/setting"}};
  in.flags.port = 3333;
  in.given = {"port"};
  auto o = resolve_serve_options(in);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->port, 3333) << "flag";
  EXPECT_EQ(o->data_dir, "from-env") << "environment over file";
  EXPECT_EQ(o->region, "eu-west-1") << "file over default";
  EXPECT_EQ(o->durability, "async");
  EXPECT_TRUE(o->request_log);
  EXPECT_EQ(o->host, "127.0.0.1") << "default";
  // A flag that was not given does not override, even though its variable holds a default.
  in.given.clear();
  o = resolve_serve_options(in);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->port, 2222);
}

TEST(ServeConfigTest, ConfigFile_ComesFromTernConfig_WhenNoFlagNamesOne) {
  TempFile file("threads = 7\n");
  ConfigInputs in;
  in.env = {{"TERN_CONFIG", file.path()}};
  auto o = resolve_serve_options(in);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->threads, 7);
  TempFile other("threads = 9\n");
  in.config_file = other.path();
  o = resolve_serve_options(in);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->threads, 9) << "--config beats TERN_CONFIG";
}

TEST(ServeConfigTest, EnvNames_AreTheKeysInCapitals) {
  EXPECT_EQ(env_name("data-dir"), "TERN_DATA_DIR");
  EXPECT_EQ(env_name("allow-unauthenticated"), "TERN_ALLOW_UNAUTHENTICATED");
  EXPECT_EQ(serve_setting_keys().size(), 13u);
}

struct BadCase {
  const char* text;
  const char* expected;  // a substring of the error
};

TEST(ServeConfigTest, BadFileValues_AreRefused_NamingKeyAndLine) {
  const BadCase cases[] = {
      {"port = 70000\n", "tern.toml:1:8: port: 70000 is out of range (0 to 65535)"},
      {"port = -1\n", "tern.toml:1:8: port: -1 is out of range"},
      {"\n\nprot = 7\n", "tern.toml:3:1: unknown key \"prot\""},
      {"port = \"9324\"\n", "tern.toml:1:8: port: expected an integer, got a string"},
      {"request-log = \"yes\"\n", "tern.toml:1:15: request-log: expected a boolean"},
      {"host = 127\n", "tern.toml:1:8: host: expected a string, got an integer"},
      {"durability = \"fast\"\n",
       "tern.toml:1:14: durability: \"fast\" is not one of sync, async, memory"},
      {"log-level = \"loud\"\n", "log-level: \"loud\" is not one of trace, debug, info"},
      {"log-format = \"xml\"\n", "log-format: \"xml\" is not one of text, json"},
      {"account-id = \"12\"\n", "account-id: \"12\" is not 12 digits"},
      {"host = \"localhost\"\n", "host: \"localhost\" is not an IP address"},
      {"threads = 1000\n", "threads: 1000 is out of range (0 to 256)"},
      {"public-url = \"example.com\"\n", "public-url: \"example.com\" does not start with http"},
      {"credentials = \"/no/such/credentials\"\n",
       "credentials: cannot read /no/such/credentials: No such file or directory"},
      {"data-dir = \"\"\n", "data-dir: must not be empty"},
      {"port = \n", "tern.toml:1:"},  // TOML syntax
      {"[server]\nport = 1\n", "tern.toml:1:2: unknown key \"server\""},
      {"queues = 3\n", "queues: expected an array of tables"},
      {"[[queues]]\nfifo = true\n", "tern.toml:1:1: queues: a queue has no name"},
      {"[[queues]]\nname = \"q\"\ncolour = \"red\"\n",
       "tern.toml:3:1: queues[q]: unknown key \"colour\""},
      {"[[queues]]\nname = \"q\"\nattributes = { VisibilityTimeout = 1.5 }\n",
       "queues[q].attributes.VisibilityTimeout: expected a string, an integer or a boolean"},
      {"[[queues]]\nname = \"q\"\nattributes = { FifoQueue = true }\n",
       "queues[q].attributes.FifoQueue: say `fifo = true`"},
      {"[[queues]]\nname = \"q\"\nattributes = { RedrivePolicy = \"{}\" }\n",
       "queues[q].attributes.RedrivePolicy: say `redrive-policy"},
      {"[[queues]]\nname = \"q\"\nredrive-policy = { dead-letter-queue = \"d\" }\n",
       "redrive-policy: needs both dead-letter-queue and max-receive-count"},
      {"[[queues]]\nname = \"q\"\nredrive-policy = { dead-letter-queue = \"d\", "
       "max-receive-count = 0 }\n",
       "queues[q].redrive-policy.max-receive-count: 0 is out of range (1 to 1000)"},
      {"[[queues]]\nname = \"q\"\nredrive-policy = { dead-letter-queue = \"nope\", "
       "max-receive-count = 3 }\n",
       "tern.toml:1:1: queue \"q\": redrive-policy.dead-letter-queue \"nope\" is not a declared "
       "queue"},
      {"[[queues]]\nname = \"q\"\n\n[[queues]]\nname = \"q\"\n",
       "tern.toml:4:1: queue \"q\" is declared twice (also at tern.toml:1:1)"},
      {"[[queues]]\nname = \"a\"\nredrive-policy = { dead-letter-queue = \"b\", "
       "max-receive-count = 3 }\n[[queues]]\nname = \"b\"\nredrive-policy = { "
       "dead-letter-queue = \"a\", max-receive-count = 3 }\n",
       "dead-letter queues form a cycle: a -> b -> a"},
      {"[[queues]]\nname = \"q\"\ntags = { team = 1 }\n",
       "queues[q].tags.team: expected a string, got an integer"},
  };
  for (const auto& c : cases) {
    std::string err = apply(c.text);
    EXPECT_NE(err.find(c.expected), std::string::npos)
        << "config:\n"
        << c.text << "\nerror: " << err << "\nwanted: " << c.expected;
  }
}

TEST(ServeConfigTest, BadQueueAttributes_AreRefusedAtResolve_NamingTheQueueAndItsLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[[queues]]\nname = \"q\"\nattributes = { VisibilityTimeout = 99999 }\n",
       "tern.toml:1:1: queue \"q\": InvalidAttributeValue: Invalid value for the parameter "
       "VisibilityTimeout"},
      {"\n[[queues]]\nname = \"q\"\nattributes = { Colour = \"red\" }\n",
       "tern.toml:2:1: queue \"q\": InvalidAttributeName"},
      {"[[queues]]\nname = \"bad name!\"\n", "queue \"bad name!\": InvalidParameterValue"},
      {"[[queues]]\nname = \"q\"\nfifo = true\n", "queue \"q\": InvalidParameterValue"},
      {"[[queues]]\nname = \"std\"\n[[queues]]\nname = \"f.fifo\"\nredrive-policy = { "
       "dead-letter-queue = \"std\", max-receive-count = 2 }\n",
       "queue \"f.fifo\": InvalidParameterValue: Value {\"deadLetterTargetArn\""},
  };
  for (const auto& c : cases) {
    TempFile file(c.text);
    ConfigInputs in;
    in.config_file = file.path();
    auto o = resolve_serve_options(in);
    ASSERT_FALSE(o) << c.text;
    std::string want = c.expected;
    if (want.rfind("tern.toml", 0) == 0) want = file.path() + want.substr(9);
    EXPECT_NE(o.error().find(want), std::string::npos)
        << "config:\n"
        << c.text << "\nerror: " << o.error() << "\nwanted: " << want;
  }
}

TEST(ServeConfigTest, UnreadableFile_IsRefused_NamingIt) {
  ConfigInputs in;
  in.config_file = "/no/such/dir/tern.toml";
  auto o = resolve_serve_options(in);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error(), "cannot read config file /no/such/dir/tern.toml: No such file or directory");
  in.config_file = std::filesystem::temp_directory_path().string();  // a directory
  o = resolve_serve_options(in);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().find(in.config_file), std::string::npos) << o.error();
}

TEST(ServeConfigTest, BadEnvironmentValues_AreRefused_NamingTheVariable) {
  const std::pair<std::map<std::string, std::string>, const char*> cases[] = {
      {{{"TERN_PORT", "http"}}, "TERN_PORT=http: port: expected an integer"},
      {{{"TERN_PORT", "12x"}}, "TERN_PORT=12x: port: expected an integer"},
      {{{"TERN_PORT", "65536"}}, "TERN_PORT=65536: port: 65536 is out of range"},
      {{{"TERN_DURABILITY", "fast"}}, "TERN_DURABILITY=fast: durability: \"fast\" is not one of"},
      {{{"TERN_REQUEST_LOG", "maybe"}}, "TERN_REQUEST_LOG=maybe: request-log: expected true or"},
      {{{"TERN_CONFIG", "/no/such.toml"}}, "cannot read config file /no/such.toml"},
  };
  for (const auto& [env, expected] : cases) {
    ConfigInputs in;
    in.env = env;
    auto o = resolve_serve_options(in);
    ASSERT_FALSE(o) << expected;
    EXPECT_NE(o.error().find(expected), std::string::npos) << o.error();
  }
}

TEST(ServeConfigTest, BadFlagValues_AreRefused_NamingTheFlag) {
  ConfigInputs in;
  in.flags.host = "not-an-ip";
  in.given = {"host"};
  auto o = resolve_serve_options(in);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().find("--host: \"not-an-ip\" is not an IP address"), std::string::npos)
      << o.error();
}

TEST(ServeConfigTest, PrintedConfig_ReadsBackToTheSameConfig) {
  ServeOptions o;
  ASSERT_EQ(apply(kGoodFile, &o), "");
  o.queues[1].tags["odd \"key\"\n"] = "tab\there \x7f and \\ backslash";
  o.queues[1].attributes["Policy"] = R"({"Version":"2012-10-17","Statement":[]})";
  o.public_url = "";
  const std::string printed = to_toml(o);
  ServeOptions back;
  ASSERT_EQ(apply(printed, &back), "") << printed;
  EXPECT_EQ(to_toml(back), printed);
  EXPECT_EQ(back.queues[1].tags.at("odd \"key\"\n"), "tab\there \x7f and \\ backslash");
  EXPECT_EQ(back.queues[1].attributes.at("VisibilityTimeout"), "45");
  EXPECT_EQ(back.queues[1].attributes.at("Policy"), o.queues[1].attributes.at("Policy"));
  EXPECT_NE(printed.find("VisibilityTimeout = 45"), std::string::npos) << printed;
  EXPECT_NE(printed.find("ContentBasedDeduplication = true"), std::string::npos) << printed;
}

}  // namespace
}  // namespace tern::cli
