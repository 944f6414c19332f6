// engine_memory_bench: RSS and disk per queued message (issue 4). Sends N messages of B bytes to
// one queue through the engine (no HTTP), in memory or over the durable log, and prints the
// resident memory growth per message and the exact bytes of the queue's index structures; with
// a data dir, also the disk use per message and the time (and RSS) to recover the backlog on
// reopen.
//
// Usage: engine_memory_bench [messages=1000000] [body_bytes=256] [data_dir (empty: memory)]
//                            [--fifo] [--groups G (FIFO, default 1)] [--budget BYTES]
//                            [--window W (default 640)]
// --budget sets LogJournalOptions::resident_body_budget (default 16 MiB: the first ~16 MiB of
// messages stay resident, which the RSS figure includes). --window: with a log, wait for the
// sends' durability every W messages, as tern serve's clients do (a send is answered once its
// record is durable, so 64 connections with batches of 10 have at most 640 sends pending);
// 0 never waits, which lets a resident copy of nearly every message pile up before the writer
// catches up and shows glibc's fragmentation more than the index. FIFO messages get a unique
// deduplication id each, so the 5-minute deduplication table holds every one of them.
// The recovery figures come from a child process (a fresh heap): the bench re-executes itself
// as `engine_memory_bench --recover DIR N QUEUE`.
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/log_journal.h"

namespace {
// Bytes the allocator has handed out and not got back (glibc): what is live, without the free
// space that fragmentation keeps from being returned to the OS.
size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

void print_index(tern::engine::Engine& engine, long n) {
  for (const auto& q : engine.all_queues()) {
    std::lock_guard lock(q->mu);
    auto u = q->memory_use();
    std::printf(
        "index (exact, no allocator overhead): %zu messages, %.1f B/message in index structures; "
        "%zu resident copies, %.1f MiB (%.1f B/message over all %ld)\n",
        u.entries, static_cast<double>(u.index_bytes) / static_cast<double>(n),
        u.resident_copies, static_cast<double>(u.resident_copy_bytes) / 1048576.0,
        static_cast<double>(u.resident_copy_bytes) / static_cast<double>(n), n);
    if (u.dedup_entries > 0) {
      std::printf("fifo deduplication table (sends of the last 5 minutes): %zu entries, %.1f B/message\n",
                  u.dedup_entries, static_cast<double>(u.dedup_bytes) / static_cast<double>(n));
    }
  }
}
}  // namespace

int recover(const std::string& dir, long n, const std::string& queue) {
  using namespace tern::engine;
  LogJournal journal;
  EngineOptions eo;
  eo.base_url = "http://localhost";
  eo.journal = &journal;
  Engine engine(eo);
  LogJournalOptions jo;
  jo.dir = dir;
  jo.compaction_interval_ms = 0;
  long rss0 = rss_kb();
  const size_t heap0 = heap_in_use();
  auto t0 = std::chrono::steady_clock::now();
  auto st = journal.open(tern::storage::default_env(), jo, engine, nullptr);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  malloc_trim(0);
  auto attrs = engine.get_queue_attributes(
      {"http://localhost/000000000000/" + queue, {"ApproximateNumberOfMessages"}});
  std::printf("recovery: %s in %.2f s, %s messages, rss growth %.1f MiB (%.1f B/message)\n",
              st.ok() ? "ok" : st.to_string().c_str(), secs,
              attrs ? attrs->attributes[0].second.c_str() : "?", (rss_kb() - rss0) / 1024.0,
              (rss_kb() - rss0) * 1024.0 / static_cast<double>(n));
  std::printf("heap in use (malloc'd, not freed) growth: %.1f B/message\n",
              static_cast<double>(heap_in_use() - heap0) / static_cast<double>(n));
  print_index(engine, n);
  (void)journal.close();
  return st.ok() ? 0 : 1;
}

int main(int argc, char** argv) {
  using namespace tern::engine;
  if (argc == 5 && std::string(argv[1]) == "--recover") {
    return recover(argv[2], std::atol(argv[3]), argv[4]);
  }
  std::vector<std::string> pos;
  bool fifo = false;
  long groups = 1;
  int64_t budget = LogJournalOptions().resident_body_budget;
  long window = 640;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--fifo") {
      fifo = true;
    } else if (a == "--groups" && i + 1 < argc) {
      groups = std::max(1L, std::atol(argv[++i]));
    } else if (a == "--window" && i + 1 < argc) {
      window = std::atol(argv[++i]);
    } else if (a == "--budget" && i + 1 < argc) {
      budget = std::atoll(argv[++i]);
    } else {
      pos.push_back(a);
    }
  }
  const long n = pos.size() > 0 ? std::atol(pos[0].c_str()) : 1'000'000;
  const size_t body_bytes = pos.size() > 1 ? std::strtoul(pos[1].c_str(), nullptr, 10) : 256;
  const std::string dir = pos.size() > 2 ? pos[2] : "";
  const std::string queue = fifo ? "mem.fifo" : "mem";
  const std::string url = "http://localhost/000000000000/" + queue;
  long before = 0;
  {
    std::unique_ptr<LogJournal> journal;
    if (!dir.empty()) {
      std::filesystem::remove_all(dir);
      journal = std::make_unique<LogJournal>();
    }
    EngineOptions eo;
    eo.base_url = "http://localhost";
    eo.journal = journal.get();
    Engine engine(eo);
    if (journal) {
      LogJournalOptions jo;
      jo.dir = dir;
      jo.mode = tern::storage::Durability::kAsync;  // the figure is about space, not latency
      jo.compaction_interval_ms = 0;
      jo.resident_body_budget = budget;
      auto st = journal->open(tern::storage::default_env(), jo, engine, nullptr);
      if (!st.ok()) {
        std::fprintf(stderr, "%s\n", st.to_string().c_str());
        return 1;
      }
    }
    CreateQueueRequest cq{queue, {}, {}};
    if (fifo) cq.attributes["FifoQueue"] = "true";
    if (!engine.create_queue(cq)) return 1;
    malloc_trim(0);
    before = rss_kb();
    const size_t heap_before = heap_in_use();
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = std::string(body_bytes, 'x');
    for (long i = 0; i < n; ++i) {
      if (fifo) {
        r.message_group_id = "group-" + std::to_string(i % groups);
        r.message_deduplication_id = "dedup-" + std::to_string(i);
      }
      if (!engine.send_message(r)) return 1;
      if (journal && window > 0 && (i + 1) % window == 0) {
        std::promise<bool> p;
        journal->on_durable(journal->take_ticket(), [&](bool ok) { p.set_value(ok); });
        if (!p.get_future().get()) return 1;
      }
    }
    if (journal) {
      std::promise<bool> p;
      journal->on_durable(journal->take_ticket(), [&](bool ok) { p.set_value(ok); });
      p.get_future().get();
      journal->log()->sync();
      // Let the callbacks drop the bodies beyond the resident budget.
    }
    malloc_trim(0);  // return what the dropped bodies freed, so RSS shows what is held
    long after = rss_kb();
    std::printf("messages=%ld body=%zuB queue=%s%s mode=%s window=%ld rss_growth=%.1f MiB "
                "per_message=%.1f B\n",
                n, body_bytes, fifo ? "fifo" : "standard",
                fifo ? (" groups=" + std::to_string(groups)).c_str() : "",
                journal ? "log" : "memory", journal ? window : 0, (after - before) / 1024.0,
                (after - before) * 1024.0 / static_cast<double>(n));
    std::printf("heap in use (malloc'd, not freed) growth: %.1f B/message\n",
                static_cast<double>(heap_in_use() - heap_before) / static_cast<double>(n));
    print_index(engine, n);
    if (journal) {
      uint64_t disk = 0;
      for (auto& e : std::filesystem::directory_iterator(dir)) disk += e.file_size();
      std::printf("disk=%.1f MiB per_message=%.1f B\n", disk / 1048576.0,
                  static_cast<double>(disk) / static_cast<double>(n));
      (void)journal->close();
    }
    std::fflush(stdout);
  }
  if (!dir.empty()) {
    std::string cmd = std::string("\"") + argv[0] + "\" --recover \"" + dir + "\" " +
                      std::to_string(n) + " " + queue;
    int rc = std::system(cmd.c_str());
    std::filesystem::remove_all(dir);
    if (rc != 0) return 1;
  }
  return 0;
}
