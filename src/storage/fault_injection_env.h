#pragma once
// FaultInjectionEnv: an in-memory file system that remembers, per file, which bytes have been
// synced and, per directory, which names have been synced, so that a test can simulate a power
// loss at any moment and check that the storage layer never loses what it reported durable.
// It can also fail the next write or fdatasync with an errno, and flip bytes (media corruption).
// With no fault armed it is a plain in-memory Env (Log's memory mode uses it).
//
// Model (conservative: what POSIX guarantees, not what ext4 happens to do):
//   - a file's bytes survive a crash up to its last successful WritableFile::sync;
//   - a created, renamed or deleted name survives a crash only after sync_dir of its directory
//     (create_dir itself is durable at once);
//   - a failed sync leaves the file "poisoned" like Linux after EIO: the next successful sync
//     persists the file size but zeros in place of the bytes whose write-back failed, so code
//     that retries fsync and pretends success loses data in tests, as it would in production.
//
// Thread-safety: every method may be called from any thread (one internal mutex).

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/env.h"

namespace tern::storage {

class FaultInjectionEnv final : public Env {
 public:
  // What a crash leaves of the bytes that were appended but not synced.
  enum class Torn {
    kNone,     // dropped entirely
    kPrefix,   // a random prefix of them survives (a torn, partial record)
    kZeros,    // a random number of zero bytes (blocks allocated, data never written)
    kGarbage,  // a random number of random bytes
  };
  struct CrashOptions {
    Torn torn = Torn::kNone;
    uint64_t seed = 1;
  };

  FaultInjectionEnv();
  ~FaultInjectionEnv() override;

  // --- Faults -------------------------------------------------------------------------------
  // Simulates a power loss: every file reverts to its synced bytes (plus the torn remainder that
  // options ask for), every unsynced name change is undone, and the Env goes "down": every call,
  // and every handle opened before, fails with kIoError until restart(). Handles opened before
  // the crash stay dead after restart.
  void crash(const CrashOptions& options);
  void crash() { crash(CrashOptions{}); }
  void restart();
  bool is_down() const;

  // The next WritableFile::sync (or sync_dir) fails with err; the unsynced bytes stay unsynced
  // and the file becomes poisoned (see the model above).
  void fail_next_sync(int err = EIO);
  void fail_next_sync_dir(int err = EIO);
  // The next WritableFile::append fails with err after appending its first partial_bytes bytes.
  void fail_next_write(int err = EIO, size_t partial_bytes = 0);
  // Every WritableFile::sync sleeps this long first, like a real disk (makes group commit
  // observable in tests).
  void set_sync_delay_us(uint64_t us);
  // XORs the byte at offset with xor_mask, in memory and in the synced image (media corruption).
  Status corrupt(const std::string& path, uint64_t offset, uint8_t xor_mask = 0xff);

  // --- Introspection --------------------------------------------------------------------------
  Result<std::string> contents(const std::string& path) const;  // what reads see
  Result<uint64_t> synced_size(const std::string& path) const;  // what a crash would keep
  uint64_t sync_count() const;  // successful WritableFile::sync calls

  // --- Env ------------------------------------------------------------------------------------
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) override;
  Status create_dir(const std::string& path) override;
  Result<std::vector<std::string>> get_children(const std::string& dir) override;
  Result<uint64_t> get_file_size(const std::string& path) override;
  bool file_exists(const std::string& path) override;
  Status truncate_file(const std::string& path, uint64_t size) override;
  Status rename_file(const std::string& from, const std::string& to) override;
  Status delete_file(const std::string& path) override;
  Status sync_dir(const std::string& dir) override;

  struct FileState;  // one inode; public for the handle classes in the .cc

 private:
  friend class FaultWritableFile;
  friend class FaultRandomAccessFile;

  Status check_up_locked(uint64_t generation) const;
  Status append_locked(FileState* f, uint64_t generation, std::string_view data);
  Status sync_locked(FileState* f, uint64_t generation);
  Status read_locked(const FileState* f, uint64_t generation, uint64_t offset, size_t n,
                     std::string* out) const;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;    // the live namespace
  std::map<std::string, std::shared_ptr<FileState>> durable_;  // as of each dir's last sync_dir
  std::map<std::string, bool> dirs_;
  uint64_t generation_ = 0;  // bumped by crash(); handles of older generations are dead
  bool down_ = false;
  int sync_failures_ = 0;
  int sync_error_ = EIO;
  int dir_sync_failures_ = 0;
  int dir_sync_error_ = EIO;
  int write_failures_ = 0;
  int write_error_ = EIO;
  size_t write_partial_bytes_ = 0;
  uint64_t sync_count_ = 0;
  std::atomic<uint64_t> sync_delay_us_{0};
};

}  // namespace tern::storage
