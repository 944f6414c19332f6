#include "storage/log.h"

#include <algorithm>
#include <future>
#include <utility>

#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/log_format.h"

namespace tern::storage {

namespace lf = log_format;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kReadChunk = 1 << 20;

// Sequential reads of a segment in large chunks, so that recovery issues few system calls.
class ChunkReader {
 public:
  ChunkReader(const RandomAccessFile* file, const std::string& path) : file_(file), path_(path) {}

  // *out views bytes [off, off + n) of the file until the next call.
  // REQUIRES: off + n <= the size the caller knows the file to have.
  Status view(uint64_t off, uint64_t n, std::string_view* out) {
    if (off < buf_off_ || off + n > buf_off_ + buf_.size()) {
      Status s = file_->read(off, std::max(n, kReadChunk), &buf_);
      buf_off_ = off;
      if (!s.ok()) return s;
      if (buf_.size() < n) {
        return Status::io_error(path_ + ": short read at offset " + std::to_string(off) +
                                " (the file shrank while being read)");
      }
    }
    *out = std::string_view(buf_).substr(off - buf_off_, n);
    return Status();
  }

 private:
  const RandomAccessFile* file_;
  const std::string& path_;
  std::string buf_;
  uint64_t buf_off_ = 0;
};

struct ParseResult {
  uint64_t end = lf::kSegmentHeaderSize;  // offset just past the last good record
  uint64_t records = 0;
  std::string bad;  // why parsing stopped before size; empty if it reached size
};

// Checks the record starting at data[0]: complete, non-zero type, checksum good.
bool valid_record(std::string_view data, std::string* why, uint32_t* length) {
  if (data.size() < lf::kRecordHeaderSize) {
    *why =
        "incomplete record header (" + std::to_string(data.size()) + " bytes before end of file)";
    return false;
  }
  uint32_t len = decode_fixed32(data.data());
  uint32_t crc = decode_fixed32(data.data() + 4);
  auto type = static_cast<uint8_t>(data[8]);
  *length = len;
  if (type == lf::kInvalidType) {
    *why = "record type 0 (zeroed or never written space)";
    return false;
  }
  if (len > data.size() - lf::kRecordHeaderSize) {
    *why = "record length " + std::to_string(len) + " extends past the end of the file";
    return false;
  }
  if (lf::record_crc(type, data.substr(lf::kRecordHeaderSize, len)) != crc) {
    *why = "record checksum mismatch";
    return false;
  }
  return true;
}

// Parses the records of a segment of `size` bytes whose header has been checked, calling
// visitor for each good one, and stops at the first bad one. Non-OK only for a read error or a
// visitor's error.
Status parse_records(const RandomAccessFile& file, const std::string& path, uint64_t id,
                     uint64_t size, const RecordVisitor& visitor, ParseResult* out) {
  ChunkReader in(&file, path);
  uint64_t pos = lf::kSegmentHeaderSize;
  std::string_view v;
  while (pos < size) {
    if (size - pos < lf::kRecordHeaderSize) {
      out->bad =
          "incomplete record header (" + std::to_string(size - pos) + " bytes before end of file)";
      break;
    }
    if (Status s = in.view(pos, lf::kRecordHeaderSize, &v); !s.ok()) return s;
    uint32_t len = decode_fixed32(v.data());
    if (len > size - pos - lf::kRecordHeaderSize) {
      out->bad = "record length " + std::to_string(len) + " extends past the end of the file";
      break;
    }
    if (Status s = in.view(pos, lf::kRecordHeaderSize + len, &v); !s.ok()) return s;
    uint32_t ignored;
    if (!valid_record(v, &out->bad, &ignored)) break;
    if (visitor) {
      LogRecord r;
      r.lsn = id + out->records;
      r.type = static_cast<uint8_t>(v[8]);
      r.payload = v.substr(lf::kRecordHeaderSize);
      r.ref = RecordRef{id, pos, len};
      if (Status s = visitor(r); !s.ok()) return s;
    }
    ++out->records;
    pos += lf::kRecordHeaderSize + len;
  }
  out->end = pos;
  return Status();
}

enum class TailVerdict { kNoValidRecord, kValidRecordFollows, kBudgetExhausted };

// After a bad record at bad_offset in the last segment: is there any valid record later in the
// file? If so the damage is not a torn write (a torn write only loses a suffix), so truncating
// would silently drop records that may have been acknowledged.
TailVerdict find_valid_record_after(const RandomAccessFile& file, uint64_t bad_offset,
                                    uint64_t size, uint64_t budget, uint64_t* found, Status* io) {
  if (size - bad_offset > budget) return TailVerdict::kBudgetExhausted;
  std::string tail;
  *io = file.read(bad_offset, size - bad_offset, &tail);
  if (!io->ok()) return TailVerdict::kBudgetExhausted;
  std::string why;
  uint32_t len = 0;
  uint64_t spent = 0;
  auto check = [&](uint64_t rel) {
    if (rel + lf::kRecordHeaderSize > tail.size()) return false;
    uint32_t l = decode_fixed32(tail.data() + rel);
    if (static_cast<uint8_t>(tail[rel + 8]) == lf::kInvalidType) return false;
    if (l > tail.size() - rel - lf::kRecordHeaderSize) return false;
    spent += lf::kRecordHeaderSize + l;
    return valid_record(std::string_view(tail).substr(rel), &why, &len);
  };
  // Fast path: a flipped payload byte leaves the length intact, so hop over the bad record.
  uint32_t bad_len = tail.size() >= 4 ? decode_fixed32(tail.data()) : 0;
  uint64_t hop = lf::kRecordHeaderSize + static_cast<uint64_t>(bad_len);
  if (hop < tail.size() && check(hop)) {
    *found = bad_offset + hop;
    return TailVerdict::kValidRecordFollows;
  }
  // The length may be the damaged part: try every later offset.
  for (uint64_t rel = 1; rel + lf::kRecordHeaderSize <= tail.size(); ++rel) {
    if (check(rel)) {
      *found = bad_offset + rel;
      return TailVerdict::kValidRecordFollows;
    }
    if (spent > budget) return TailVerdict::kBudgetExhausted;
  }
  return TailVerdict::kNoValidRecord;
}

template <size_t N>
size_t bucket_of(const std::array<uint64_t, N>& bounds, uint64_t v) {
  return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
}

void atomic_max(std::atomic<uint64_t>* a, uint64_t v) {
  uint64_t cur = a->load(std::memory_order_relaxed);
  while (cur < v && !a->compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

}  // namespace

std::string_view durability_name(Durability d) {
  switch (d) {
    case Durability::kSync:
      return "sync";
    case Durability::kAsync:
      return "async";
    case Durability::kMemory:
      return "memory";
  }
  return "?";
}

std::string RecoveryReport::to_string() const {
  std::string s = std::to_string(segments) + " segments, " + std::to_string(records) +
                  " records, " + std::to_string(bytes) + " bytes, next LSN " +
                  std::to_string(next_lsn);
  if (tail_truncated) {
    s += "; truncated " + truncated_file + " at offset " + std::to_string(truncated_offset) +
         ", dropped " + std::to_string(bytes_dropped) + " bytes: " + truncation_reason;
  }
  return s;
}

// --- Opening and recovery ----------------------------------------------------------------------

Log::Log(Env* env, std::string dir, const LogOptions& options)
    : env_(env), dir_(std::move(dir)), options_(options) {
  max_payload_ = std::min<uint64_t>(
      options.segment_bytes - lf::kSegmentHeaderSize - lf::kRecordHeaderSize, UINT32_MAX);
}

Log::~Log() { close(); }

Result<std::unique_ptr<Log>> Log::open(Env* env, const std::string& dir, const LogOptions& options,
                                       const RecordVisitor& visitor, RecoveryReport* report) {
  if (options.segment_bytes < lf::kSegmentHeaderSize + lf::kRecordHeaderSize + 1) {
    return error(Status::invalid_argument("segment_bytes too small"));
  }
  if (options.async_interval_ms < 0) {
    return error(Status::invalid_argument("async_interval_ms must be >= 0"));
  }
  std::unique_ptr<Env> owned;
  if (options.mode == Durability::kMemory) {
    owned = new_mem_env();
    env = owned.get();
  } else if (env == nullptr) {
    return error(Status::invalid_argument("Log::open: null Env"));
  }
  std::unique_ptr<Log> log(new Log(env, dir, options));
  log->owned_env_ = std::move(owned);
  RecoveryReport local;
  if (report == nullptr) report = &local;
  *report = RecoveryReport{};
  if (Status s = log->recover(visitor, report); !s.ok()) return error(s);
  if (options.mode != Durability::kMemory) {
    log->writer_ = std::thread([raw = log.get()] { raw->writer_loop(); });
    log->writer_id_ = log->writer_.get_id();
  }
  return log;
}

Status Log::recover(const RecordVisitor& visitor, RecoveryReport* report) {
  if (Status s = env_->create_dir(dir_); !s.ok()) return s;
  auto children = env_->get_children(dir_);
  if (!children) return children.error();
  std::vector<uint64_t> ids;
  for (const std::string& name : *children) {
    if (auto id = lf::parse_segment_file_name(name)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  report->segments = ids.size();

  uint64_t min_next_id = lf::kFirstLsn;
  SegmentRecovery last;
  for (size_t k = 0; k < ids.size(); ++k) {
    uint64_t id = ids[k];
    if (id < min_next_id) {
      return Status::corruption(join_path(dir_, lf::segment_file_name(id)) +
                                ": segment starts at LSN " + std::to_string(id) +
                                " but the previous segment holds LSNs up to " +
                                std::to_string(min_next_id - 1));
    }
    SegmentRecovery r;
    if (Status s = recover_segment(id, k + 1 == ids.size(), visitor, report, &r); !s.ok()) {
      return s;
    }
    min_next_id = id + r.records;
    last = r;
  }
  last_sync_ = SteadyClock::now();
  if (ids.empty()) {
    next_lsn_ = lf::kFirstLsn;
    if (Status s = create_segment(lf::kFirstLsn); !s.ok()) return s;
  } else {
    next_lsn_ = min_next_id;
    if (Status s = open_active_for_append(ids.back(), last); !s.ok()) return s;
  }
  report->next_lsn = next_lsn_;
  return Status();
}

Status Log::recover_segment(uint64_t id, bool is_last, const RecordVisitor& visitor,
                            RecoveryReport* report, SegmentRecovery* out) {
  const std::string path = join_path(dir_, lf::segment_file_name(id));
  auto size_or = env_->get_file_size(path);
  if (!size_or) return size_or.error();
  uint64_t size = *size_or;
  auto reader_or = env_->new_random_access_file(path);
  if (!reader_or) return reader_or.error();
  std::shared_ptr<RandomAccessFile> reader = std::move(*reader_or);

  std::string header;
  if (Status s = reader->read(0, lf::kSegmentHeaderSize, &header); !s.ok()) return s;
  lf::HeaderCheck hc = lf::check_segment_header(header, id);
  if (hc != lf::HeaderCheck::kOk) {
    // A segment is created, its header written and synced, and only then its name synced and
    // records appended; so a last segment no longer than a header holds no record, and a bad
    // header there is a crash during creation.
    if (!is_last || size > lf::kSegmentHeaderSize) {
      return Status::corruption(path + ": offset 0: " + lf::header_check_name(hc));
    }
    if (Status s = env_->truncate_file(path, 0); !s.ok()) return s;
    report->tail_truncated = true;
    report->truncated_file = path;
    report->truncated_offset = 0;
    report->bytes_dropped = size;
    report->truncation_reason = std::string(lf::header_check_name(hc)) + " (torn segment creation)";
    out->rewrite_header = true;
    out->truncated = true;
    std::unique_lock lock(segments_mu_);
    segments_[id] = Segment{path, std::move(reader), 0, 0};
    return Status();
  }

  ParseResult parsed;
  if (Status s = parse_records(*reader, path, id, size, visitor, &parsed); !s.ok()) return s;
  report->records += parsed.records;
  report->bytes += parsed.end - lf::kSegmentHeaderSize;
  if (parsed.end < size) {
    std::string where = path + ": offset " + std::to_string(parsed.end) + ": " + parsed.bad;
    if (!is_last) {
      return Status::corruption(
          where +
          " (a sealed segment is synced in full before the next is created, so this is "
          "damage, not a torn write)");
    }
    if (!options_.repair_last_segment) {
      uint64_t found = 0;
      Status io;
      TailVerdict v = find_valid_record_after(*reader, parsed.end, size,
                                              options_.tail_scan_budget_bytes, &found, &io);
      if (!io.ok()) return io;
      if (v == TailVerdict::kValidRecordFollows) {
        return Status::corruption(where + "; a valid record follows at offset " +
                                  std::to_string(found) +
                                  ", so this is not a torn tail (set repair_last_segment to "
                                  "truncate anyway)");
      }
      if (v == TailVerdict::kBudgetExhausted) {
        return Status::corruption(where + "; could not prove that no valid record follows " +
                                  "within tail_scan_budget_bytes");
      }
    }
    if (Status s = env_->truncate_file(path, parsed.end); !s.ok()) return s;
    report->tail_truncated = true;
    report->truncated_file = path;
    report->truncated_offset = parsed.end;
    report->bytes_dropped = size - parsed.end;
    report->truncation_reason = parsed.bad;
    out->truncated = true;
    size = parsed.end;
  }
  out->bytes = size;
  out->records = parsed.records;
  std::unique_lock lock(segments_mu_);
  segments_[id] = Segment{path, std::move(reader), size, parsed.records};
  return Status();
}

Status Log::open_active_for_append(uint64_t id, const SegmentRecovery& recovery) {
  const std::string path = join_path(dir_, lf::segment_file_name(id));
  auto file = env_->new_appendable_file(path);
  if (!file) return file.error();
  active_file_ = std::move(*file);
  active_id_ = id;
  active_bytes_ = recovery.bytes;
  active_records_ = recovery.records;
  unsynced_bytes_ = 0;
  if (recovery.rewrite_header) {
    if (Status s = active_file_->append(lf::encode_segment_header(id)); !s.ok()) return s;
    active_bytes_ = lf::kSegmentHeaderSize;
    std::unique_lock lock(segments_mu_);
    segments_[id].bytes = active_bytes_;
  }
  if (recovery.truncated && options_.mode != Durability::kMemory) {
    // Make the cut durable before appending after it, or a crash could bring the bad tail back
    // behind new records, where it would read as mid-log corruption.
    if (Status s = active_file_->sync(); !s.ok()) return s;
    if (recovery.rewrite_header) {
      if (Status s = env_->sync_dir(dir_); !s.ok()) return s;
    }
  }
  return Status();
}

Status Log::create_segment(uint64_t id) {
  const std::string path = join_path(dir_, lf::segment_file_name(id));
  if (env_->file_exists(path)) {
    return Status::corruption(path +
                              ": segment file exists already, with LSNs the log is about "
                              "to assign");
  }
  auto file = env_->new_appendable_file(path);
  if (!file) return file.error();
  if (Status s = (*file)->append(lf::encode_segment_header(id)); !s.ok()) return s;
  if (options_.mode != Durability::kMemory) {
    // Header first, then the name: a crash in between leaves at most a short last segment,
    // which recovery recognizes as a torn creation.
    if (Status s = (*file)->sync(); !s.ok()) return s;
    if (Status s = env_->sync_dir(dir_); !s.ok()) return s;
  }
  auto reader = env_->new_random_access_file(path);
  if (!reader) return reader.error();
  if (active_file_) active_file_->close();
  active_file_ = std::move(*file);
  active_id_ = id;
  active_bytes_ = lf::kSegmentHeaderSize;
  active_records_ = 0;
  unsynced_bytes_ = 0;
  std::unique_lock lock(segments_mu_);
  segments_[id] = Segment{path, std::shared_ptr<RandomAccessFile>(std::move(*reader)),
                          lf::kSegmentHeaderSize, 0};
  return Status();
}

// --- Appending -----------------------------------------------------------------------------------

void Log::append(uint8_t type, std::string_view payload, AppendCallback callback) {
  if (type == lf::kInvalidType) {
    callback(Status::invalid_argument("record type 0 is reserved"), AppendResult{});
    return;
  }
  if (payload.size() > max_payload_) {
    callback(Status::invalid_argument("payload of " + std::to_string(payload.size()) +
                                      " bytes exceeds the maximum of " +
                                      std::to_string(max_payload_) + " (segment_bytes)"),
             AppendResult{});
    return;
  }
  if (failed_.load(std::memory_order_acquire)) {
    callback(failure(), AppendResult{});
    return;
  }
  // The checksum is computed here, on the appending thread, so that concurrent appenders share
  // the CPU work instead of serializing it on the writer.
  char header[lf::kRecordHeaderSize];
  encode_fixed32(header, static_cast<uint32_t>(payload.size()));
  encode_fixed32(header + 4, lf::record_crc(type, payload));
  header[8] = static_cast<char>(type);
  enqueue(Kind::kRecord, static_cast<uint32_t>(payload.size()), header, payload,
          std::move(callback));
}

void Log::enqueue(Kind kind, uint32_t length, const char* header, std::string_view payload,
                  AppendCallback callback) {
  if (options_.mode == Durability::kMemory) {
    std::vector<Pending> entries;
    entries.push_back(Pending{kind, length, std::move(callback)});
    std::vector<AppendResult> results;
    Status status;
    {
      std::lock_guard lock(memory_mu_);
      if (closed_) {
        status = Status::invalid_argument("log is closed");
        results.resize(1);
      } else {
        std::string buf;
        if (kind == Kind::kRecord) {
          buf.reserve(lf::kRecordHeaderSize + payload.size());
          buf.append(header, lf::kRecordHeaderSize);
          buf.append(payload);
        }
        process_batch(entries, buf, &results, &status);
      }
    }
    complete(&entries, results, status);
    return;
  }
  std::unique_lock lock(mu_);
  if (closing_) {
    lock.unlock();
    callback(Status::invalid_argument("log is closed"), AppendResult{});
    return;
  }
  bool was_empty = pending_.empty();
  if (kind == Kind::kRecord) {
    pending_buf_.append(header, lf::kRecordHeaderSize);
    pending_buf_.append(payload);
  }
  pending_.push_back(Pending{kind, length, std::move(callback)});
  // Only the first entry of a batch wakes the writer; later ones find it busy or about to run.
  if (was_empty) cv_.notify_one();
}

Result<AppendResult> Log::append_sync(uint8_t type, std::string_view payload) {
  if (std::this_thread::get_id() == writer_id_) {
    return error(Status::invalid_argument("append_sync called from a log callback"));
  }
  std::promise<std::pair<Status, AppendResult>> done;
  auto future = done.get_future();
  append(type, payload, [&done](const Status& s, const AppendResult& r) {
    done.set_value({s, r});
  });
  auto [status, result] = future.get();
  if (!status.ok()) return error(status);
  return result;
}

Status Log::wait_for(Kind kind) {
  if (std::this_thread::get_id() == writer_id_) {
    return Status::invalid_argument("sync/roll called from a log callback");
  }
  if (failed_.load(std::memory_order_acquire)) return failure();
  std::promise<Status> done;
  auto future = done.get_future();
  enqueue(kind, 0, nullptr, {},
          [&done](const Status& s, const AppendResult&) { done.set_value(s); });
  return future.get();
}

Status Log::sync() { return wait_for(Kind::kSync); }
Status Log::roll() { return wait_for(Kind::kRoll); }

void Log::writer_loop() {
  std::vector<Pending> entries;
  std::string buf;
  std::vector<AppendResult> results;
  const auto interval = std::chrono::milliseconds(options_.async_interval_ms);
  const bool async = options_.mode == Durability::kAsync;
  for (;;) {
    bool stop = false;
    {
      std::unique_lock lock(mu_);
      while (pending_.empty() && !closing_) {
        if (async && unsynced_bytes_ > 0 && !failed_.load(std::memory_order_relaxed)) {
          if (cv_.wait_until(lock, last_sync_ + interval) == std::cv_status::timeout) break;
        } else {
          cv_.wait(lock);
        }
      }
      entries.swap(pending_);
      buf.swap(pending_buf_);
      stop = closing_ && entries.empty();
    }
    if (!entries.empty()) {
      Status status;
      process_batch(entries, buf, &results, &status);
      complete(&entries, results, status);
    }
    if (async && unsynced_bytes_ > 0 && !failed_.load(std::memory_order_relaxed) &&
        (stop || SteadyClock::now() >= last_sync_ + interval)) {
      if (Status s = sync_active(); !s.ok()) enter_failed(s);
    }
    // A burst can make one batch very large; keep the buffers (which alternate with pending_)
    // for the next batch only while they are of an ordinary size, so that the high-water mark of
    // a burst is not held for the life of the process.
    constexpr size_t kKeepBytes = 4u << 20, kKeepEntries = 16384;
    if (buf.capacity() > kKeepBytes) std::string().swap(buf);
    if (entries.capacity() > kKeepEntries) std::vector<Pending>().swap(entries);
    if (results.capacity() > kKeepEntries) std::vector<AppendResult>().swap(results);
    entries.clear();
    buf.clear();
    results.clear();
    if (stop) return;
  }
}

void Log::process_batch(const std::vector<Pending>& entries, const std::string& buf,
                        std::vector<AppendResult>* results, Status* status) {
  results->assign(entries.size(), AppendResult{});
  if (failed_.load(std::memory_order_acquire)) {
    *status = failure();
    return;
  }
  const bool on_disk = options_.mode != Durability::kMemory;
  bool need_sync = options_.mode == Durability::kSync;
  uint64_t pos = 0;            // in buf
  uint64_t chunk_begin = 0;    // first byte of buf not yet written
  uint64_t chunk_records = 0;  // records in [chunk_begin, pos)
  uint64_t batch_records = 0;
  Status s;
  for (size_t i = 0; i < entries.size() && s.ok(); ++i) {
    const Pending& e = entries[i];
    switch (e.kind) {
      case Kind::kRecord: {
        uint64_t size = lf::record_size(e.length);
        uint64_t unwritten = pos - chunk_begin;
        if (active_records_ + chunk_records > 0 &&
            active_bytes_ + unwritten + size > options_.segment_bytes) {
          s = write_chunk(buf, chunk_begin, pos, chunk_records);
          if (s.ok()) s = roll_active();
          chunk_begin = pos;
          chunk_records = 0;
          if (!s.ok()) break;
          unwritten = 0;
        }
        (*results)[i] =
            AppendResult{next_lsn_++, RecordRef{active_id_, active_bytes_ + unwritten, e.length}};
        pos += size;
        ++chunk_records;
        ++batch_records;
        break;
      }
      case Kind::kSync:
        need_sync = need_sync || on_disk;
        break;
      case Kind::kRoll:
        s = write_chunk(buf, chunk_begin, pos, chunk_records);
        chunk_begin = pos;
        chunk_records = 0;
        if (s.ok() && active_records_ > 0) s = roll_active();
        break;
    }
  }
  if (s.ok()) s = write_chunk(buf, chunk_begin, pos, chunk_records);
  if (s.ok() && need_sync && unsynced_bytes_ > 0) s = sync_active();
  if (!s.ok()) {
    enter_failed(s);
    *status = Status::io_error(s.message() + " (the log is now read-only)");
    return;
  }
  if (batch_records > 0) {
    records_.fetch_add(batch_records, std::memory_order_relaxed);
    bytes_.fetch_add(pos, std::memory_order_relaxed);
    batches_.fetch_add(1, std::memory_order_relaxed);
    batch_hist_[bucket_of(LogStats::kBatchBuckets, batch_records)].fetch_add(
        1, std::memory_order_relaxed);
    atomic_max(&max_batch_records_, batch_records);
  }
}

Status Log::write_chunk(const std::string& buf, uint64_t begin, uint64_t end, uint64_t records) {
  if (begin == end) return Status();
  // One write call for the whole chunk: the batch reaches the kernel at once.
  if (Status s = active_file_->append(std::string_view(buf).substr(begin, end - begin)); !s.ok()) {
    return Status::io_error("append to segment " + lf::segment_file_name(active_id_) + ": " +
                            s.message());
  }
  active_bytes_ += end - begin;
  active_records_ += records;
  unsynced_bytes_ += end - begin;
  std::unique_lock lock(segments_mu_);
  Segment& seg = segments_[active_id_];
  seg.bytes = active_bytes_;
  seg.records = active_records_;
  return Status();
}

Status Log::sync_active() {
  auto start = SteadyClock::now();
  Status s = active_file_->sync();
  auto end = SteadyClock::now();
  auto us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(end - start).count());
  fsyncs_.fetch_add(1, std::memory_order_relaxed);
  fsync_total_us_.fetch_add(us, std::memory_order_relaxed);
  fsync_hist_[bucket_of(LogStats::kFsyncBucketsUs, us)].fetch_add(1, std::memory_order_relaxed);
  if (!s.ok()) {
    return Status::io_error("fdatasync of segment " + lf::segment_file_name(active_id_) + ": " +
                            s.message());
  }
  unsynced_bytes_ = 0;
  last_sync_ = end;
  return Status();
}

Status Log::roll_active() {
  // Sealed segments are synced in full: recovery relies on it to call any damage in them
  // corruption rather than a torn write.
  if (options_.mode != Durability::kMemory && unsynced_bytes_ > 0) {
    if (Status s = sync_active(); !s.ok()) return s;
  }
  return create_segment(next_lsn_);
}

void Log::enter_failed(const Status& cause) {
  std::lock_guard lock(failure_mu_);
  if (failed_.load(std::memory_order_relaxed)) return;
  failure_ = Status::read_only("the log refuses writes since an earlier write failed (" +
                               cause.to_string() +
                               "); data already durable stays readable; "
                               "restart to recover from disk");
  failed_.store(true, std::memory_order_release);
}

Status Log::failure() const {
  std::lock_guard lock(failure_mu_);
  return failure_;
}

void Log::complete(std::vector<Pending>* entries, const std::vector<AppendResult>& results,
                   const Status& status) {
  for (size_t i = 0; i < entries->size(); ++i) {
    if ((*entries)[i].callback) (*entries)[i].callback(status, results[i]);
  }
}

Status Log::close() {
  if (std::this_thread::get_id() == writer_id_) {
    return Status::invalid_argument("close called from a log callback");
  }
  std::lock_guard close_lock(close_mu_);
  if (options_.mode == Durability::kMemory) {
    std::lock_guard lock(memory_mu_);
    closed_ = true;
    return Status();
  }
  {
    std::lock_guard lock(mu_);
    if (closed_) return failure();
    closing_ = true;
    cv_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  Status s;
  if (active_file_) {
    s = active_file_->close();
    active_file_.reset();
  }
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  if (failed_.load(std::memory_order_acquire)) return failure();
  return s;
}

// --- Reading -----------------------------------------------------------------------------------

Result<std::string> Log::read(const RecordRef& ref) const {
  std::shared_ptr<RandomAccessFile> reader;
  uint64_t seg_bytes = 0;
  {
    std::shared_lock lock(segments_mu_);
    auto it = segments_.find(ref.segment);
    if (it == segments_.end()) {
      return error(Status::not_found("segment " + lf::segment_file_name(ref.segment) +
                                     " is not in the log (deleted?)"));
    }
    reader = it->second.reader;
    seg_bytes = it->second.bytes;
  }
  // Built only on error: read() is on the receive path.
  auto where = [&] {
    return join_path(dir_, lf::segment_file_name(ref.segment)) + ": offset " +
           std::to_string(ref.offset) + ": ";
  };
  if (ref.offset < lf::kSegmentHeaderSize || ref.offset + lf::record_size(ref.length) > seg_bytes) {
    return error(Status::invalid_argument(where() + "record ref outside the written segment"));
  }
  std::string buf;
  if (Status s = reader->read(ref.offset, lf::record_size(ref.length), &buf); !s.ok()) {
    return error(s);
  }
  if (buf.size() < lf::record_size(ref.length)) {
    return error(Status::corruption(where() + "short read (file truncated?)"));
  }
  uint32_t len = decode_fixed32(buf.data());
  if (len != ref.length) {
    return error(Status::corruption(where() + "record length " + std::to_string(len) +
                                    ", expected " + std::to_string(ref.length)));
  }
  std::string why;
  uint32_t ignored;
  if (!valid_record(buf, &why, &ignored)) return error(Status::corruption(where() + why));
  buf.erase(0, lf::kRecordHeaderSize);
  return buf;
}

Status Log::scan(const RecordVisitor& visitor) const {
  struct Snapshot {
    uint64_t id;
    std::string path;
    std::shared_ptr<RandomAccessFile> reader;
    uint64_t bytes;
  };
  std::vector<Snapshot> segs;
  {
    std::shared_lock lock(segments_mu_);
    for (const auto& [id, seg] : segments_) segs.push_back({id, seg.path, seg.reader, seg.bytes});
  }
  for (const Snapshot& seg : segs) {
    if (seg.bytes < lf::kSegmentHeaderSize) continue;
    ParseResult parsed;
    if (Status s = parse_records(*seg.reader, seg.path, seg.id, seg.bytes, visitor, &parsed);
        !s.ok()) {
      return s;
    }
    if (parsed.end < seg.bytes) {
      return Status::corruption(seg.path + ": offset " + std::to_string(parsed.end) + ": " +
                                parsed.bad);
    }
  }
  return Status();
}

// --- Segments and stats ------------------------------------------------------------------------

std::vector<SegmentInfo> Log::list_segments() const {
  std::shared_lock lock(segments_mu_);
  std::vector<SegmentInfo> out;
  out.reserve(segments_.size());
  for (const auto& [id, seg] : segments_) {
    out.push_back(SegmentInfo{id, seg.bytes, seg.records, false});
  }
  if (!out.empty()) out.back().active = true;  // the writer always appends to the newest
  return out;
}

Status Log::delete_segment(uint64_t id) {
  if (failed_.load(std::memory_order_acquire)) return failure();
  Segment seg;
  {
    std::unique_lock lock(segments_mu_);
    auto it = segments_.find(id);
    if (it == segments_.end()) {
      return Status::not_found("segment " + lf::segment_file_name(id) + " is not in the log");
    }
    if (std::next(it) == segments_.end()) {
      return Status::invalid_argument("segment " + lf::segment_file_name(id) +
                                      " is the active segment; roll() first");
    }
    seg = std::move(it->second);
    segments_.erase(it);
  }
  if (Status s = env_->delete_file(seg.path); !s.ok()) {
    std::unique_lock lock(segments_mu_);
    segments_.emplace(id, std::move(seg));
    return s;
  }
  if (options_.mode != Durability::kMemory) {
    if (Status s = env_->sync_dir(dir_); !s.ok()) {
      // The delete may or may not survive a crash; the same fsync caution as for data applies.
      enter_failed(s);
      return s;
    }
  }
  return Status();
}

LogStats Log::stats() const {
  LogStats st;
  st.records = records_.load(std::memory_order_relaxed);
  st.bytes = bytes_.load(std::memory_order_relaxed);
  st.batches = batches_.load(std::memory_order_relaxed);
  st.max_batch_records = max_batch_records_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < st.batch_records_histogram.size(); ++i) {
    st.batch_records_histogram[i] = batch_hist_[i].load(std::memory_order_relaxed);
  }
  st.fsyncs = fsyncs_.load(std::memory_order_relaxed);
  st.fsync_total_us = fsync_total_us_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < st.fsync_latency_histogram.size(); ++i) {
    st.fsync_latency_histogram[i] = fsync_hist_[i].load(std::memory_order_relaxed);
  }
  {
    std::shared_lock lock(segments_mu_);
    st.segments = segments_.size();
    for (const auto& [_, seg] : segments_) st.bytes_on_disk += seg.bytes;
  }
  st.failed = failed_.load(std::memory_order_relaxed);
  return st;
}

}  // namespace tern::storage
