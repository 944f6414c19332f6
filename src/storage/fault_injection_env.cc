#include "storage/fault_injection_env.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace tern::storage {

struct FaultInjectionEnv::FileState {
  std::string data;    // what reads see (the page cache)
  std::string synced;  // what survives a crash
  // [poison_begin, poison_end): bytes whose write-back failed; see the model in the header.
  bool poisoned = false;
  uint64_t poison_begin = 0;
  uint64_t poison_end = 0;
  // data == synced + appended bytes, so a sync need only copy the new suffix (keeps tests that
  // sync thousands of times linear).
  bool append_only_since_sync = true;
};

namespace {

std::string parent_dir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string strip_trailing_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::shared_ptr<FaultInjectionEnv::FileState> f,
                    uint64_t generation)
      : env_(env), file_(std::move(f)), generation_(generation) {}

  Status append(std::string_view data) override {
    std::lock_guard lock(env_->mu_);
    return env_->append_locked(file_.get(), generation_, data);
  }
  Status sync() override {
    // Outside the lock: a slow disk must not stall readers and other files.
    if (auto d = env_->sync_delay_us_.load(std::memory_order_relaxed); d > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(d));
    }
    std::lock_guard lock(env_->mu_);
    return env_->sync_locked(file_.get(), generation_);
  }
  Status close() override { return Status(); }

 private:
  FaultInjectionEnv* env_;
  std::shared_ptr<FaultInjectionEnv::FileState> file_;
  uint64_t generation_;
};

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultInjectionEnv* env, std::shared_ptr<FaultInjectionEnv::FileState> f,
                        uint64_t generation)
      : env_(env), file_(std::move(f)), generation_(generation) {}

  Status read(uint64_t offset, size_t n, std::string* out) const override {
    std::lock_guard lock(env_->mu_);
    return env_->read_locked(file_.get(), generation_, offset, n, out);
  }

 private:
  FaultInjectionEnv* env_;
  std::shared_ptr<FaultInjectionEnv::FileState> file_;
  uint64_t generation_;
};

FaultInjectionEnv::FaultInjectionEnv() = default;
FaultInjectionEnv::~FaultInjectionEnv() = default;

Status FaultInjectionEnv::check_up_locked(uint64_t generation) const {
  if (down_) return Status::io_error("simulated crash: the Env is down");
  if (generation != generation_) return Status::io_error("handle opened before a simulated crash");
  return Status();
}

Status FaultInjectionEnv::append_locked(FileState* f, uint64_t generation, std::string_view data) {
  if (Status s = check_up_locked(generation); !s.ok()) return s;
  if (write_failures_ > 0) {
    --write_failures_;
    f->data.append(data.substr(0, std::min(write_partial_bytes_, data.size())));
    return Status::io_error_from_errno("write (injected)", write_error_);
  }
  f->data.append(data);
  return Status();
}

Status FaultInjectionEnv::sync_locked(FileState* f, uint64_t generation) {
  if (Status s = check_up_locked(generation); !s.ok()) return s;
  if (sync_failures_ > 0) {
    --sync_failures_;
    // The kernel reports EIO once and forgets the dirty range: remember it as lost.
    uint64_t begin = std::min<uint64_t>(f->synced.size(), f->data.size());
    if (f->poisoned) begin = std::min(begin, f->poison_begin);
    f->poisoned = true;
    f->poison_begin = begin;
    f->poison_end = std::max<uint64_t>(f->poison_end, f->data.size());
    return Status::io_error_from_errno("fdatasync (injected)", sync_error_);
  }
  if (f->append_only_since_sync) {
    f->synced.append(f->data, f->synced.size());
  } else {
    f->synced = f->data;
  }
  f->append_only_since_sync = true;
  if (f->poisoned) {
    uint64_t end = std::min<uint64_t>(f->poison_end, f->synced.size());
    for (uint64_t i = f->poison_begin; i < end; ++i) f->synced[i] = '\0';
    f->poisoned = false;
  }
  ++sync_count_;
  return Status();
}

Status FaultInjectionEnv::read_locked(const FileState* f, uint64_t generation, uint64_t offset,
                                      size_t n, std::string* out) const {
  if (Status s = check_up_locked(generation); !s.ok()) return s;
  if (offset >= f->data.size()) {
    out->clear();
    return Status();
  }
  out->assign(f->data, offset, std::min<uint64_t>(n, f->data.size() - offset));
  return Status();
}

void FaultInjectionEnv::crash(const CrashOptions& options) {
  std::lock_guard lock(mu_);
  std::mt19937_64 rng(options.seed);
  // Every inode, reachable now or after the crash, reverts to its synced image.
  std::map<FileState*, std::shared_ptr<FileState>> inodes;
  for (auto& [_, f] : files_) inodes[f.get()] = f;
  for (auto& [_, f] : durable_) inodes[f.get()] = f;
  for (auto& [_, f] : inodes) {
    std::string image = f->synced;
    bool appended_since_sync =
        f->append_only_since_sync && f->data.size() > image.size() && !f->poisoned;
    if (options.torn != Torn::kNone && appended_since_sync) {
      uint64_t unsynced = f->data.size() - image.size();
      uint64_t keep = std::uniform_int_distribution<uint64_t>(0, unsynced)(rng);
      switch (options.torn) {
        case Torn::kPrefix:
          image.append(f->data, image.size(), keep);
          break;
        case Torn::kZeros:
          image.append(keep, '\0');
          break;
        case Torn::kGarbage:
          for (uint64_t i = 0; i < keep; ++i) image.push_back(static_cast<char>(rng()));
          break;
        case Torn::kNone:
          break;
      }
    }
    f->data = image;
    f->synced = std::move(image);
    f->poisoned = false;
    f->append_only_since_sync = true;
  }
  files_ = durable_;
  ++generation_;
  down_ = true;
  sync_failures_ = dir_sync_failures_ = write_failures_ = 0;
}

void FaultInjectionEnv::restart() {
  std::lock_guard lock(mu_);
  down_ = false;
}

bool FaultInjectionEnv::is_down() const {
  std::lock_guard lock(mu_);
  return down_;
}

void FaultInjectionEnv::fail_next_sync(int err) {
  std::lock_guard lock(mu_);
  ++sync_failures_;
  sync_error_ = err;
}

void FaultInjectionEnv::fail_next_sync_dir(int err) {
  std::lock_guard lock(mu_);
  ++dir_sync_failures_;
  dir_sync_error_ = err;
}

void FaultInjectionEnv::fail_next_write(int err, size_t partial_bytes) {
  std::lock_guard lock(mu_);
  ++write_failures_;
  write_error_ = err;
  write_partial_bytes_ = partial_bytes;
}

Status FaultInjectionEnv::corrupt(const std::string& path, uint64_t offset, uint8_t xor_mask) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::not_found(path);
  FileState& f = *it->second;
  if (offset >= f.data.size()) return Status::invalid_argument("corrupt: offset past end");
  f.data[offset] = static_cast<char>(f.data[offset] ^ xor_mask);
  if (offset < f.synced.size()) f.synced[offset] = static_cast<char>(f.synced[offset] ^ xor_mask);
  return Status();
}

Result<std::string> FaultInjectionEnv::contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return error(Status::not_found(path));
  return it->second->data;
}

Result<uint64_t> FaultInjectionEnv::synced_size(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return error(Status::not_found(path));
  return static_cast<uint64_t>(it->second->synced.size());
}

void FaultInjectionEnv::set_sync_delay_us(uint64_t us) {
  sync_delay_us_.store(us, std::memory_order_relaxed);
}

uint64_t FaultInjectionEnv::sync_count() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::new_appendable_file(
    const std::string& path) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return error(s);
  if (!dirs_.count(parent_dir(path))) return error(Status::not_found("no such directory: " + path));
  auto& f = files_[path];
  if (!f) f = std::make_shared<FileState>();
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(this, f, generation_));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::new_random_access_file(
    const std::string& path) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return error(s);
  auto it = files_.find(path);
  if (it == files_.end()) return error(Status::not_found(path));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<FaultRandomAccessFile>(this, it->second, generation_));
}

Status FaultInjectionEnv::create_dir(const std::string& path) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return s;
  dirs_[strip_trailing_slash(path)] = true;
  return Status();
}

Result<std::vector<std::string>> FaultInjectionEnv::get_children(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return error(s);
  std::string d = strip_trailing_slash(dir);
  if (!dirs_.count(d)) return error(Status::not_found(dir));
  std::vector<std::string> names;
  for (const auto& [path, _] : files_) {
    if (parent_dir(path) == d) names.push_back(path.substr(path.find_last_of('/') + 1));
  }
  return names;
}

Result<uint64_t> FaultInjectionEnv::get_file_size(const std::string& path) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return error(s);
  auto it = files_.find(path);
  if (it == files_.end()) return error(Status::not_found(path));
  return static_cast<uint64_t>(it->second->data.size());
}

bool FaultInjectionEnv::file_exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return !down_ && files_.count(path) > 0;
}

Status FaultInjectionEnv::truncate_file(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return s;
  auto it = files_.find(path);
  if (it == files_.end()) return Status::not_found(path);
  it->second->data.resize(size, '\0');
  it->second->append_only_since_sync = false;
  return Status();
}

Status FaultInjectionEnv::rename_file(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return s;
  auto it = files_.find(from);
  if (it == files_.end()) return Status::not_found(from);
  auto f = it->second;
  files_.erase(it);
  files_[to] = std::move(f);
  return Status();
}

Status FaultInjectionEnv::delete_file(const std::string& path) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return s;
  if (files_.erase(path) == 0) return Status::not_found(path);
  return Status();
}

Status FaultInjectionEnv::sync_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (Status s = check_up_locked(generation_); !s.ok()) return s;
  std::string d = strip_trailing_slash(dir);
  if (!dirs_.count(d)) return Status::not_found(dir);
  if (dir_sync_failures_ > 0) {
    --dir_sync_failures_;
    return Status::io_error_from_errno("fsync dir (injected)", dir_sync_error_);
  }
  for (auto it = durable_.begin(); it != durable_.end();) {
    if (parent_dir(it->first) == d) {
      it = durable_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [path, f] : files_) {
    if (parent_dir(path) == d) durable_[path] = f;
  }
  return Status();
}

}  // namespace tern::storage
