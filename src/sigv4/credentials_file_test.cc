// Credentials file and INI parser tests: good files (comments, whitespace, CRLF, BOM), globs and
// action lists, and every kind of malformed line reported with its line number.

#include "sigv4/credentials_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace tern::sigv4 {
namespace {

constexpr std::string_view kGoodFile = R"(# Tern credentials
; both comment styles

[alice]
aws_access_key_id = AKIDALICE
aws_secret_access_key=alice/secret+key

  [ bob ]
	aws_access_key_id   =   AKIDBOB
	aws_secret_access_key = bobsecret
queues = orders-*, audit ,  *.fifo
actions = SendMessage, sqs:ReceiveMessage,
  DeleteMessage
)";

TEST(CredentialsFile, BuildsStore_WhenFileIsWellFormed) {
  auto store = parse_credentials(kGoodFile);
  ASSERT_TRUE(store) << store.error().to_string();
  EXPECT_EQ(store->size(), 2u);

  auto alice = store->lookup("AKIDALICE");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->secret_access_key, "alice/secret+key");
  EXPECT_TRUE(alice->queue_globs.empty());
  EXPECT_TRUE(alice->actions.empty());
  EXPECT_TRUE(alice->allows("PurgeQueue", "anything"));

  auto bob = store->lookup("AKIDBOB");
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->secret_access_key, "bobsecret");
  EXPECT_EQ(bob->queue_globs, (std::vector<std::string>{"orders-*", "audit", "*.fifo"}));
  EXPECT_EQ(bob->actions,
            (std::vector<std::string>{"SendMessage", "ReceiveMessage", "DeleteMessage"}));
  EXPECT_FALSE(store->lookup("AKIDCAROL"));
  EXPECT_EQ(store->find("AKIDCAROL"), nullptr);
}

TEST(CredentialsFile, AppliesGlobsAndActions_WhenKeyIsLimited) {
  auto store = parse_credentials(kGoodFile);
  ASSERT_TRUE(store);
  const KeyEntry* bob = store->find("AKIDBOB");
  ASSERT_NE(bob, nullptr);
  EXPECT_TRUE(bob->allows("SendMessage", "orders-eu"));
  EXPECT_TRUE(bob->allows("SendMessage", "orders-"));
  EXPECT_TRUE(bob->allows("ReceiveMessage", "audit"));
  EXPECT_TRUE(bob->allows("DeleteMessageBatch", "jobs.fifo"));
  EXPECT_FALSE(bob->allows("SendMessage", "audit-log"));
  EXPECT_FALSE(bob->allows("SendMessage", "my-orders-eu"));
  EXPECT_FALSE(bob->allows("PurgeQueue", "audit"));
  EXPECT_FALSE(bob->allows("CreateQueue", "orders-new"));
}

TEST(CredentialsFile, AcceptsCrlfBomAndEmptyLists_WhenFileComesFromWindows) {
  auto store = parse_credentials(
      "\xEF\xBB\xBF[k]\r\naws_access_key_id=A\r\naws_secret_access_key=S\r\nqueues =\r\n"
      "actions = *\r\n");
  ASSERT_TRUE(store) << store.error().to_string();
  auto k = store->lookup("A");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->secret_access_key, "S");
  EXPECT_TRUE(k->queue_globs.empty());
  EXPECT_TRUE(k->actions.empty());
}

TEST(CredentialsFile, ReadsSessionToken_WhenPresent) {
  auto store = parse_credentials(
      "[t]\naws_access_key_id=A\naws_secret_access_key=S\naws_session_token=TOKEN\n");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->lookup("A")->session_token, "TOKEN");
}

TEST(CredentialsFile, EmptyStore_WhenFileHasOnlyComments) {
  auto store = parse_credentials("# nothing yet\n\n;\n");
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->empty());
  EXPECT_TRUE(parse_credentials("")->empty());
}

struct BadFile {
  std::string text;
  int line;
  std::string reason_part;
};

TEST(CredentialsFile, ReportsLineAndReason_WhenFileIsMalformed) {
  const std::string ok = "aws_access_key_id=A\naws_secret_access_key=S\n";
  const BadFile cases[] = {
      {"[a\n" + ok, 1, "section header without ']'"},
      {"[]\n" + ok, 1, "empty section name"},
      {"[a] trailing\n" + ok, 1, "unexpected text after section header"},
      {"aws_access_key_id=A\n", 1, "outside of a section"},
      {"[a]\n" + ok + "just words\n", 4, "expected 'key = value'"},
      {"[a]\n = value\n", 2, "missing key"},
      {"[a]\n" + ok + "[a]\n" + ok, 4, "duplicate section [a] (first at line 1)"},
      {"[a]\n" + ok + "aws_secret_access_key=T\n", 4, "duplicate key 'aws_secret_access_key'"},
      {"[a]\naws_secret_access_key=S\n", 1, "section [a] has no aws_access_key_id"},
      {"[a]\naws_access_key_id=A\n", 1, "section [a] has no aws_secret_access_key"},
      {"[a]\naws_access_key_id=\naws_secret_access_key=S\n", 1, "has no aws_access_key_id"},
      {"[a]\n" + ok + "[b]\naws_access_key_id=A\naws_secret_access_key=T\n", 5,
       "access key id 'A' is already used by section [a]"},
      {"[a]\n" + ok + "region=us-east-1\n", 4, "unknown key 'region'"},
      {"[a]\n" + ok + "queues = orders, bad/name\n", 4, "queue glob 'bad/name'"},
      {"[a]\n" + ok + "queues = orders # main\n", 4, "queue glob 'orders # main'"},
      {"[a]\n" + ok + "actions = SendMessage, SendMesage\n", 4, "unknown action 'SendMesage'"},
      {"[a]\naws_access_key_id=A/B\naws_secret_access_key=S\n", 2, "must not contain '/'"},
  };
  for (const BadFile& c : cases) {
    auto store = parse_credentials(c.text);
    ASSERT_FALSE(store) << c.text;
    EXPECT_EQ(store.error().line, c.line) << c.text << "\n" << store.error().to_string();
    EXPECT_NE(store.error().reason.find(c.reason_part), std::string::npos) << store.error().reason;
    EXPECT_EQ(store.error().to_string().rfind("line " + std::to_string(c.line) + ": ", 0), 0u);
  }
}

TEST(CredentialsFile, NeverCrashes_WhenTextIsCutAtEveryByte) {
  std::string text(kGoodFile);
  for (size_t i = 0; i <= text.size(); ++i) {
    auto head = parse_credentials(text.substr(0, i));
    auto tail = parse_credentials(text.substr(i));
    if (!head) {
      EXPECT_GE(head.error().line, 1);
    }
    if (!tail) {
      EXPECT_GE(tail.error().line, 1);
    }
  }
}

TEST(CredentialsFile, LoadsFromDisk_WhenPathExists) {
  std::string path = testing::TempDir() + "tern_credentials_" + std::to_string(getpid());
  {
    std::ofstream out(path);
    out << kGoodFile;
  }
  auto store = load_credentials_file(path);
  std::remove(path.c_str());
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ(store->size(), 2u);
}

TEST(CredentialsFile, NamesFile_WhenPathMissingOrContentBad) {
  auto missing = load_credentials_file("/nonexistent/tern/credentials");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().rfind("/nonexistent/tern/credentials: cannot open", 0), 0u)
      << missing.error();

  std::string path = testing::TempDir() + "tern_bad_credentials_" + std::to_string(getpid());
  {
    std::ofstream out(path);
    out << "[a]\nnonsense\n";
  }
  auto bad = load_credentials_file(path);
  std::remove(path.c_str());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), path + ": line 2: expected 'key = value', got 'nonsense'");
}

TEST(Ini, ParsesProfilesNestedValuesAndColons_WhenReadingAwsConfig) {
  auto ini = parse_ini(R"([default]
region = us-east-1
Output: json
s3 =
  max_concurrent_requests = 20
  signature_version = s3v4

[profile dev]
endpoint_url = http://localhost:9324 # not a comment
)");
  ASSERT_TRUE(ini) << ini.error().to_string();
  ASSERT_EQ(ini->size(), 2u);
  const IniSection& def = (*ini)[0];
  EXPECT_EQ(def.name, "default");
  EXPECT_EQ(def.line, 1);
  ASSERT_NE(def.find("output"), nullptr);
  EXPECT_EQ(def.find("output")->value, "json");
  EXPECT_EQ(def.find("output")->line, 3);
  ASSERT_NE(def.find("s3"), nullptr);
  EXPECT_EQ(def.find("s3")->value, "\nmax_concurrent_requests = 20\nsignature_version = s3v4");
  EXPECT_EQ(def.find("missing"), nullptr);
  const IniSection& dev = (*ini)[1];
  EXPECT_EQ(dev.name, "profile dev");
  EXPECT_EQ(dev.find("endpoint_url")->value, "http://localhost:9324 # not a comment");
}

TEST(Ini, IndentedKeysStaySeparate_WhenSameIndentAsPreviousKey) {
  auto ini = parse_ini("[a]\n  k1 = v1\n  k2 = v2\n");
  ASSERT_TRUE(ini);
  ASSERT_EQ((*ini)[0].entries.size(), 2u);
  EXPECT_EQ((*ini)[0].find("k1")->value, "v1");
  EXPECT_EQ((*ini)[0].find("k2")->value, "v2");
}

TEST(Glob, MatchesStarAnywhere_WhenComparingQueueNames) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("orders", "orders"));
  EXPECT_FALSE(glob_match("orders", "orders2"));
  EXPECT_TRUE(glob_match("orders-*", "orders-eu"));
  EXPECT_TRUE(glob_match("*-dlq", "orders-dlq"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(glob_match("a*b*c", "abc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(glob_match("**x", "yx"));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(Actions, KnowsAllSqsActions_WhenValidatingNames) {
  EXPECT_TRUE(is_sqs_action("SendMessage"));
  EXPECT_TRUE(is_sqs_action("ListMessageMoveTasks"));
  EXPECT_FALSE(is_sqs_action("sendmessage"));
  EXPECT_FALSE(is_sqs_action("Publish"));
}

}  // namespace
}  // namespace tern::sigv4
