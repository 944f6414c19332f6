#pragma once
// `tern bench`: an asynchronous load generator speaking the SQS API (JSON 1.0 or query) to any
// endpoint. Each connection is one C++20 coroutine on a keep-alive socket that writes a
// pre-serialized request (fixed-width slots patched in place: timestamp, deduplication id,
// group) and reads the reply with a minimal HTTP/1.1 parser; latencies go to per-thread
// log-linear histograms that are merged at the end. See docs/BENCHMARKS.md.

#include "cli/bench_options.h"

namespace tern::cli {

// Runs the scenario and prints the report on stdout (text or --json). Returns the process exit
// code: 0 when the run completed (even with request errors, which are reported), 2 for bad
// options, 1 when the endpoint could not be used at all.
int run_bench(const BenchOptions& options);

}  // namespace tern::cli
