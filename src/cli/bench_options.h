#pragma once
// Options of `tern bench` and their validation (kept apart from the load generator so that the
// rules are unit-tested without sockets).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace tern::cli {

struct BenchOptions {
  std::string scenario;  // send | receive-delete | e2e | fanin
  std::string endpoint = "http://127.0.0.1:9324";
  std::string protocol = "json";  // json | query
  std::string queue;              // default: bench-<scenario>-<pid>[.fifo]
  std::string queue_url;          // skip CreateQueue and use this URL (e.g. against nginx)
  std::string queue_type = "standard";  // standard | fifo
  int groups = 16;                      // FIFO message groups
  int connections = 64;
  int producers = 0;  // 0: derived from --connections (see effective_producers)
  int consumers = 0;
  int threads = 1;    // load-generator I/O threads
  int batch = 1;      // messages per send/receive/delete request (1..10)
  int body_size = 256;
  double duration = 0;  // seconds; 0 with count 0 means the default (10 s)
  int64_t count = 0;    // messages; receive-delete: the prefill (default 100000)
  double rate = 0;      // messages/s over all producers; 0 = as fast as possible
  int wait_seconds = 20;  // WaitTimeSeconds of long polls (e2e, fanin)
  int64_t server_pid = 0;  // fanin: report this process's RSS
  bool sign = false;       // SigV4-sign every request (slower; for servers with --credentials)
  std::string access_key = "test";
  std::string secret_key = "test";
  std::string region = "us-east-1";
  bool json = false;
  bool quiet = false;  // no progress line
  std::string cdf_file;  // write the CDF of the headline latency here (value_us fraction)
};

void add_bench_command(CLI::App& app, BenchOptions& options);

// Empty when the options are consistent; otherwise a message naming the offending option.
std::string validate_bench_options(const BenchOptions& options);

// The effective values after defaults are applied.
int effective_producers(const BenchOptions& o);
int effective_consumers(const BenchOptions& o);
double effective_duration(const BenchOptions& o);  // 0 when the run is bounded by --count
int64_t effective_count(const BenchOptions& o);    // 0 when the run is bounded by time

}  // namespace tern::cli
