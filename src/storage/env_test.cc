// Tests of the Env implementations, the CRC and the file-name format.

#include "storage/env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <random>
#include <string>

#include "storage/crc32c.h"
#include "storage/fault_injection_env.h"
#include "storage/log_format.h"

namespace tern::storage {
namespace crc32c {
uint32_t extend_portable_for_test(uint32_t crc, const char* data, size_t n);
}  // namespace crc32c
namespace {

using Torn = FaultInjectionEnv::Torn;

std::string read_all(Env* env, const std::string& path) {
  auto f = env->new_random_access_file(path);
  EXPECT_TRUE(f.has_value());
  if (!f) {
    return {};
  }
  std::string out;
  EXPECT_TRUE((*f)->read(0, 1 << 20, &out).ok());
  return out;
}

void append_to(Env* env, const std::string& path, std::string_view data, bool sync) {
  auto f = env->new_appendable_file(path);
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE((*f)->append(data).ok());
  if (sync) {
    ASSERT_TRUE((*f)->sync().ok());
  }
}

// --- CRC-32C and names ----------------------------------------------------------------------

TEST(Crc32c, MatchesPublishedVectors_WhenGivenStandardInputs) {
  EXPECT_EQ(crc32c::value("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c::value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c::value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(crc32c::value(ascending), 0x46DD794Eu);
}

TEST(Crc32c, HardwareAndTablePathsAgree_WhenGivenRandomBuffers) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 300; ++n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    for (size_t split = 0; split <= s.size(); split += 37) {
      uint32_t a =
          crc32c::extend(crc32c::value(s.data(), split), s.data() + split, s.size() - split);
      EXPECT_EQ(a, crc32c::extend_portable_for_test(0, s.data(), s.size()));
    }
  }
}

TEST(Crc32c, MaskRoundTrips_WhenAppliedToAnyValue) {
  for (uint32_t v : {0u, 1u, 0xE3069283u, 0xffffffffu}) {
    EXPECT_EQ(crc32c::unmask(crc32c::mask(v)), v);
    EXPECT_NE(crc32c::mask(v), v);
  }
}

TEST(LogFormat, SegmentNamesRoundTrip_WhenWellFormed) {
  EXPECT_EQ(log_format::segment_file_name(42), "00000000000000000042.log");
  EXPECT_EQ(log_format::parse_segment_file_name("00000000000000000042.log"), 42u);
  EXPECT_EQ(log_format::parse_segment_file_name(log_format::segment_file_name(UINT64_MAX)),
            UINT64_MAX);
  EXPECT_FALSE(log_format::parse_segment_file_name("42.log"));
  EXPECT_FALSE(log_format::parse_segment_file_name("0000000000000000004x.log"));
  EXPECT_FALSE(log_format::parse_segment_file_name("00000000000000000042.tmp"));
  EXPECT_FALSE(log_format::parse_segment_file_name("99999999999999999999.log"));  // > 2^64
}

TEST(LogFormat, SegmentHeaderChecks_DetectEachKindOfDamage) {
  std::string h = log_format::encode_segment_header(7);
  ASSERT_EQ(h.size(), log_format::kSegmentHeaderSize);
  EXPECT_EQ(log_format::check_segment_header(h, 7), log_format::HeaderCheck::kOk);
  EXPECT_EQ(log_format::check_segment_header(h, 8), log_format::HeaderCheck::kBadBaseLsn);
  EXPECT_EQ(log_format::check_segment_header(h.substr(0, 31), 7),
            log_format::HeaderCheck::kTooShort);
  std::string bad = h;
  bad[0] = 'X';
  EXPECT_EQ(log_format::check_segment_header(bad, 7), log_format::HeaderCheck::kBadMagic);
  bad = h;
  bad[20] ^= 1;
  EXPECT_EQ(log_format::check_segment_header(bad, 7), log_format::HeaderCheck::kBadChecksum);
}

// --- PosixEnv -------------------------------------------------------------------------------

class PosixEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tern_env_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    auto names = env_->get_children(dir_);
    if (names) {
      for (const auto& n : *names) env_->delete_file(join_path(dir_, n));
    }
    ::rmdir(dir_.c_str());
  }
  Env* env_ = default_env();
  std::string dir_;
};

TEST_F(PosixEnvTest, AppendedBytesAreReadable_WhenReadPositionally) {
  std::string path = join_path(dir_, "a");
  append_to(env_, path, "hello ", true);
  append_to(env_, path, "world", true);  // reopening appends, never truncates
  EXPECT_EQ(read_all(env_, path), "hello world");
  auto f = env_->new_random_access_file(path);
  ASSERT_TRUE(f.has_value());
  std::string out;
  ASSERT_TRUE((*f)->read(6, 100, &out).ok());
  EXPECT_EQ(out, "world");
  ASSERT_TRUE((*f)->read(100, 10, &out).ok());
  EXPECT_EQ(out, "");
  EXPECT_EQ(*env_->get_file_size(path), 11u);
}

TEST_F(PosixEnvTest, DirectoryOperationsWork_WhenUsedInSequence) {
  ASSERT_TRUE(env_->create_dir(dir_).ok());  // exists already: fine
  std::string sub = join_path(dir_, "sub");
  ASSERT_TRUE(env_->create_dir(sub).ok());
  ASSERT_TRUE(env_->sync_dir(dir_).ok());
  ::rmdir(sub.c_str());
  std::string a = join_path(dir_, "a"), b = join_path(dir_, "b");
  append_to(env_, a, "0123456789", false);
  ASSERT_TRUE(env_->truncate_file(a, 4).ok());
  EXPECT_EQ(read_all(env_, a), "0123");
  ASSERT_TRUE(env_->rename_file(a, b).ok());
  EXPECT_FALSE(env_->file_exists(a));
  EXPECT_TRUE(env_->file_exists(b));
  auto names = env_->get_children(dir_);
  ASSERT_TRUE(names.has_value());
  EXPECT_EQ(*names, std::vector<std::string>{"b"});
  ASSERT_TRUE(env_->delete_file(b).ok());
  EXPECT_TRUE(env_->delete_file(b).is_not_found());
  EXPECT_TRUE(env_->get_file_size(b).error().is_not_found());
  EXPECT_TRUE(env_->new_random_access_file(b).error().is_not_found());
}

// --- FaultInjectionEnv ----------------------------------------------------------------------

class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.create_dir("/d").ok()); }
  FaultInjectionEnv env_;
};

TEST_F(FaultEnvTest, CrashDropsUnsyncedBytes_WhenFileWasSyncedEarlier) {
  append_to(&env_, "/d/f", "durable", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  append_to(&env_, "/d/f", "-volatile", false);
  EXPECT_EQ(*env_.contents("/d/f"), "durable-volatile");
  EXPECT_EQ(*env_.synced_size("/d/f"), 7u);
  env_.crash();
  EXPECT_TRUE(env_.is_down());
  EXPECT_TRUE(env_.get_children("/d").error().is_io_error());
  env_.restart();
  EXPECT_EQ(read_all(&env_, "/d/f"), "durable");
}

TEST_F(FaultEnvTest, CrashUndoesCreateAndDelete_WhenDirectoryNotSynced) {
  append_to(&env_, "/d/old", "x", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  append_to(&env_, "/d/new", "y", true);  // data synced, name not
  ASSERT_TRUE(env_.delete_file("/d/old").ok());
  env_.crash();
  env_.restart();
  EXPECT_TRUE(env_.file_exists("/d/old"));
  EXPECT_FALSE(env_.file_exists("/d/new"));

  ASSERT_TRUE(env_.delete_file("/d/old").ok());
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  env_.crash();
  env_.restart();
  EXPECT_FALSE(env_.file_exists("/d/old"));
}

TEST_F(FaultEnvTest, HandlesStayDead_WhenOpenedBeforeACrash) {
  append_to(&env_, "/d/f", "abc", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  auto w = env_.new_appendable_file("/d/f");
  auto r = env_.new_random_access_file("/d/f");
  ASSERT_TRUE(w && r);
  env_.crash();
  env_.restart();
  EXPECT_TRUE((*w)->append("zzz").is_io_error());
  std::string out;
  EXPECT_TRUE((*r)->read(0, 3, &out).is_io_error());
  EXPECT_EQ(read_all(&env_, "/d/f"), "abc");
}

TEST_F(FaultEnvTest, TornCrashKeepsPartOfTheUnsyncedTail_WhenAsked) {
  for (Torn torn : {Torn::kPrefix, Torn::kZeros, Torn::kGarbage}) {
    bool saw_partial = false;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      FaultInjectionEnv env;
      ASSERT_TRUE(env.create_dir("/d").ok());
      append_to(&env, "/d/f", "synced|", true);
      ASSERT_TRUE(env.sync_dir("/d").ok());
      append_to(&env, "/d/f", "0123456789", false);
      env.crash({torn, seed});
      env.restart();
      std::string got = read_all(&env, "/d/f");
      ASSERT_GE(got.size(), 7u);
      ASSERT_LE(got.size(), 17u);
      EXPECT_EQ(got.substr(0, 7), "synced|");
      if (torn == Torn::kPrefix) {
        EXPECT_EQ(got.substr(7), std::string("0123456789").substr(0, got.size() - 7));
      }
      if (torn == Torn::kZeros) {
        EXPECT_EQ(got.substr(7), std::string(got.size() - 7, '\0'));
      }
      saw_partial = saw_partial || (got.size() > 7 && got.size() < 17);
    }
    EXPECT_TRUE(saw_partial);
  }
}

TEST_F(FaultEnvTest, FailedSyncPoisonsTheUnsyncedRange_EvenIfALaterSyncSucceeds) {
  append_to(&env_, "/d/f", "aaaa", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  auto w = env_.new_appendable_file("/d/f");
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->append("bbbb").ok());
  env_.fail_next_sync(EIO);
  Status s = (*w)->sync();
  EXPECT_TRUE(s.is_io_error());
  EXPECT_NE(s.message().find("Input/output error"), std::string::npos) << s.to_string();
  EXPECT_EQ(*env_.contents("/d/f"), "aaaabbbb");  // still readable from the "page cache"
  ASSERT_TRUE((*w)->append("cccc").ok());
  ASSERT_TRUE((*w)->sync().ok());  // "succeeds", but the bbbb write-back was lost
  env_.crash();
  env_.restart();
  EXPECT_EQ(read_all(&env_, "/d/f"), std::string("aaaa") + std::string(4, '\0') + "cccc");
}

TEST_F(FaultEnvTest, FailedWriteAppendsOnlyThePartialPrefix_WhenArmed) {
  auto w = env_.new_appendable_file("/d/f");
  ASSERT_TRUE(w.has_value());
  env_.fail_next_write(ENOSPC, 3);
  Status s = (*w)->append("abcdef");
  EXPECT_TRUE(s.is_io_error());
  EXPECT_NE(s.message().find("No space left"), std::string::npos) << s.to_string();
  EXPECT_EQ(*env_.contents("/d/f"), "abc");
  EXPECT_TRUE((*w)->append("gh").ok());  // one-shot
  EXPECT_EQ(*env_.contents("/d/f"), "abcgh");
}

TEST_F(FaultEnvTest, CorruptFlipsTheByteInMemoryAndOnDisk_WhenInRange) {
  append_to(&env_, "/d/f", "abc", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  ASSERT_TRUE(env_.corrupt("/d/f", 1, 0x20).ok());
  EXPECT_EQ(*env_.contents("/d/f"), "aBc");
  env_.crash();
  env_.restart();
  EXPECT_EQ(read_all(&env_, "/d/f"), "aBc");
  EXPECT_TRUE(env_.corrupt("/d/f", 3).is_invalid_argument());
  EXPECT_TRUE(env_.corrupt("/d/g", 0).is_not_found());
}

TEST_F(FaultEnvTest, TruncateIsUndoneByACrash_WhenNotSynced) {
  append_to(&env_, "/d/f", "0123456789", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  ASSERT_TRUE(env_.truncate_file("/d/f", 4).ok());
  EXPECT_EQ(*env_.get_file_size("/d/f"), 4u);
  env_.crash();
  env_.restart();
  EXPECT_EQ(read_all(&env_, "/d/f"), "0123456789");
  ASSERT_TRUE(env_.truncate_file("/d/f", 4).ok());
  auto w = env_.new_appendable_file("/d/f");
  ASSERT_TRUE((*w)->sync().ok());
  env_.crash();
  env_.restart();
  EXPECT_EQ(read_all(&env_, "/d/f"), "0123");
}

TEST_F(FaultEnvTest, RenameIsDurable_OnlyAfterDirectorySync) {
  append_to(&env_, "/d/a", "x", true);
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  ASSERT_TRUE(env_.rename_file("/d/a", "/d/b").ok());
  env_.crash();
  env_.restart();
  EXPECT_TRUE(env_.file_exists("/d/a"));
  EXPECT_FALSE(env_.file_exists("/d/b"));
  ASSERT_TRUE(env_.rename_file("/d/a", "/d/b").ok());
  ASSERT_TRUE(env_.sync_dir("/d").ok());
  env_.crash();
  env_.restart();
  EXPECT_FALSE(env_.file_exists("/d/a"));
  EXPECT_EQ(read_all(&env_, "/d/b"), "x");
}

}  // namespace
}  // namespace tern::storage
