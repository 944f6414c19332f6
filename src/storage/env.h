#pragma once
// Env: every file operation the storage layer performs goes through this interface, so that
// tests can substitute FaultInjectionEnv (fault_injection_env.h) and drop unsynced writes, tear
// records, fail fdatasync or flip bytes. default_env() is the POSIX implementation.
//
// Durability contract (what is true when a call returns OK), the same for every Env:
//   - WritableFile::append: the bytes are readable through any RandomAccessFile of the file, but
//     may be lost, or partly lost, by a crash or power loss.
//   - WritableFile::sync (fdatasync): every byte appended before the call survives a crash.
//   - create (new_appendable_file), delete_file, rename_file and truncate_file change the
//     directory or the file size at once, but only sync_dir(dir) (for names) or
//     WritableFile::sync (for sizes) make the change survive a crash.
// A failed sync leaves the durability of the unsynced bytes unknown, even if a later sync
// succeeds (Linux may mark the dirty pages clean after reporting EIO), so callers must never
// retry a failed sync and treat the data as durable.
//
// Thread-safety: an Env may be used from any thread. A WritableFile is used by one thread at a
// time. RandomAccessFile::read may be called concurrently from many threads, also while the file
// is being appended to.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace tern::storage {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends data at the end of the file. On error the file may hold any prefix of data.
  virtual Status append(std::string_view data) = 0;
  // fdatasync: on OK, everything appended so far is durable.
  virtual Status sync() = 0;
  // Closes the descriptor; the destructor closes too, ignoring errors.
  virtual Status close() = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into *out (resized to what was read: shorter only at end of
  // file). Positional (pread): no shared cursor, so concurrent reads are safe.
  virtual Status read(uint64_t offset, size_t n, std::string* out) const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // Opens path for appending, creating it (empty) if missing; never truncates. Appends go to
  // the end of the file.
  virtual Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) = 0;

  // Creates a directory; OK if it already exists.
  virtual Status create_dir(const std::string& path) = 0;
  // Names (not paths) of the entries in dir, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> get_children(const std::string& dir) = 0;
  virtual Result<uint64_t> get_file_size(const std::string& path) = 0;
  virtual bool file_exists(const std::string& path) = 0;
  // Shrinks (or extends with zeros) path to size bytes.
  virtual Status truncate_file(const std::string& path, uint64_t size) = 0;
  // Atomically replaces `to` by `from`.
  virtual Status rename_file(const std::string& from, const std::string& to) = 0;
  virtual Status delete_file(const std::string& path) = 0;
  // fsync of the directory itself: makes creates, deletes and renames in it durable.
  virtual Status sync_dir(const std::string& dir) = 0;
};

// The process-wide POSIX Env. Never null, never destroyed.
Env* default_env();

// A fresh, empty in-memory Env (no fault injection armed). Used by Log's memory mode.
std::unique_ptr<Env> new_mem_env();

// dir + "/" + name.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace tern::storage
