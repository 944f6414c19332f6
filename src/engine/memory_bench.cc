// engine_memory_bench: RSS and disk per queued message (issue 4). Sends N messages of B bytes to
// one queue through the engine (no HTTP), in memory or over the durable log, and prints the
// resident memory growth per message; with a data dir, also the disk use per message and the
// time to recover the backlog on reopen.
// Usage: engine_memory_bench [messages=1000000] [body_bytes=256] [data_dir (empty: memory)]
// The recovery figures come from a child process (a fresh heap): the bench re-executes itself
// as `engine_memory_bench --recover DIR N`.
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "engine/engine.h"
#include "engine/log_journal.h"

namespace {
long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}
}  // namespace

int recover(const std::string& dir, long n) {
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
  auto t0 = std::chrono::steady_clock::now();
  auto st = journal.open(tern::storage::default_env(), jo, engine, nullptr);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  malloc_trim(0);
  auto attrs = engine.get_queue_attributes(
      {"http://localhost/000000000000/mem", {"ApproximateNumberOfMessages"}});
  std::printf("recovery: %s in %.2f s, %s messages, rss growth %.1f MiB (%.1f B/message)\n",
              st.ok() ? "ok" : st.to_string().c_str(), secs,
              attrs ? attrs->attributes[0].second.c_str() : "?", (rss_kb() - rss0) / 1024.0,
              (rss_kb() - rss0) * 1024.0 / static_cast<double>(n));
  (void)journal.close();
  return st.ok() ? 0 : 1;
}

int main(int argc, char** argv) {
  using namespace tern::engine;
  if (argc == 4 && std::string(argv[1]) == "--recover") return recover(argv[2], std::atol(argv[3]));
  const long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const size_t body_bytes = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 256;
  const std::string dir = argc > 3 ? argv[3] : "";
  const std::string url = "http://localhost/000000000000/mem";
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
      auto st = journal->open(tern::storage::default_env(), jo, engine, nullptr);
      if (!st.ok()) {
        std::fprintf(stderr, "%s\n", st.to_string().c_str());
        return 1;
      }
    }
    (void)engine.create_queue({"mem", {}, {}});
    before = rss_kb();
    SendMessageRequest r;
    r.queue_url = url;
    r.message_body = std::string(body_bytes, 'x');
    for (long i = 0; i < n; ++i) {
      if (!engine.send_message(r)) return 1;
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
    std::printf("messages=%ld body=%zuB mode=%s rss_growth=%.1f MiB per_message=%.1f B\n", n,
                body_bytes, journal ? "log" : "memory", (after - before) / 1024.0,
                (after - before) * 1024.0 / static_cast<double>(n));
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
    std::string cmd = std::string("\"") + argv[0] + "\" --recover \"" + dir + "\" " + std::to_string(n);
    int rc = std::system(cmd.c_str());
    std::filesystem::remove_all(dir);
    if (rc != 0) return 1;
  }
  return 0;
}
