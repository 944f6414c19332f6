// storage_bench: group-commit throughput of the log in sync mode on the real file system.
// Usage: storage_bench [threads=8] [records_per_thread=20000] [payload_bytes=256] [dir]
// Prints records/s, fsyncs/s and records per group commit. No assertions: a measuring tool.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "storage/env.h"
#include "storage/log.h"

using tern::storage::Durability;
using tern::storage::Log;
using tern::storage::LogOptions;

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 8;
  int per_thread = argc > 2 ? std::atoi(argv[2]) : 20000;
  size_t payload_bytes = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 256;
  std::string dir;
  if (argc > 4) {
    dir = argv[4];
  } else {
    char tmpl[] = "/tmp/tern_storage_bench_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = tmpl;
  }
  LogOptions options;
  options.mode = Durability::kSync;
  auto log = Log::open(tern::storage::default_env(), dir, options);
  if (!log) {
    std::fprintf(stderr, "open: %s\n", log.error().to_string().c_str());
    return 1;
  }
  std::string payload(payload_bytes, 'x');
  std::atomic<uint64_t> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      // Each thread behaves like a request handler: append, wait until durable, repeat.
      for (int i = 0; i < per_thread; ++i) {
        if (!(*log)->append_sync(1, payload)) failures.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto st = (*log)->stats();
  double records = static_cast<double>(st.records);
  std::printf("dir=%s threads=%d payload=%zuB records=%llu failures=%llu\n", dir.c_str(), threads,
              payload_bytes, static_cast<unsigned long long>(st.records),
              static_cast<unsigned long long>(failures.load()));
  std::printf(
      "%.0f records/s, %.0f fsyncs/s, %.1f records/batch (max %llu), mean fsync %.0f us\n",
      records / secs, static_cast<double>(st.fsyncs) / secs,
      records / static_cast<double>(st.batches ? st.batches : 1),
      static_cast<unsigned long long>(st.max_batch_records),
      static_cast<double>(st.fsync_total_us) / static_cast<double>(st.fsyncs ? st.fsyncs : 1));
  (*log)->close();
  if (argc <= 4) {  // our own temporary directory
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
  return failures.load() == 0 ? 0 : 1;
}
