#include "cli/bench_options.h"

#include <algorithm>
#include <cctype>

namespace tern::cli {

void add_bench_command(CLI::App& app, BenchOptions& o) {
  auto* b = app.add_subcommand(
      "bench",
      "Load generator speaking the SQS API (JSON 1.0 or query) to any endpoint.\n"
      "Scenarios: send, receive-delete, e2e, fanin (see docs/BENCHMARKS.md)");
  b->add_option("scenario", o.scenario, "send | receive-delete | e2e | fanin")
      ->required()
      ->check(CLI::IsMember({"send", "receive-delete", "e2e", "fanin"}));
  b->add_option("--endpoint", o.endpoint, "http://HOST:PORT of the server")->capture_default_str();
  b->add_option("--protocol", o.protocol, "json (AWS JSON 1.0) or query")
      ->check(CLI::IsMember({"json", "query"}))
      ->capture_default_str();
  b->add_option("--queue", o.queue, "Queue name, created if missing (default bench-SCENARIO-PID)");
  b->add_option("--queue-url", o.queue_url,
                "Use this QueueUrl and do not call CreateQueue (e.g. for a fixed-reply server)");
  b->add_option("--queue-type", o.queue_type, "standard or fifo")
      ->check(CLI::IsMember({"standard", "fifo"}))
      ->capture_default_str();
  b->add_option("--groups", o.groups, "FIFO: message groups, used round-robin")
      ->capture_default_str();
  b->add_option("--connections", o.connections, "Keep-alive connections")->capture_default_str();
  b->add_option("--producers", o.producers,
                "e2e/fanin: sending connections (default e2e: half of --connections; fanin: 1)");
  b->add_option("--consumers", o.consumers,
                "e2e/fanin: receiving connections (default e2e: the other half; fanin: 1000)");
  b->add_option("--threads", o.threads, "Load-generator I/O threads")->capture_default_str();
  b->add_option("--batch", o.batch, "Messages per request (1..10)")->capture_default_str();
  b->add_option("--body-size", o.body_size, "Message body bytes")->capture_default_str();
  b->add_option("--duration", o.duration, "Seconds to run (default 10 unless --count)");
  b->add_option("--count", o.count,
                "Messages to send, then stop (receive-delete: prefill, default 100000)");
  b->add_option("--rate", o.rate, "Messages/s over all producers (0: as fast as possible)")
      ->capture_default_str();
  b->add_option("--wait-seconds", o.wait_seconds, "WaitTimeSeconds of the long polls")
      ->capture_default_str();
  b->add_option("--server-pid", o.server_pid, "Report this process's RSS (fanin)");
  b->add_flag("--sign", o.sign, "SigV4-sign every request (default: unsigned)");
  b->add_option("--access-key", o.access_key, "Access key id for --sign")->capture_default_str();
  b->add_option("--secret-key", o.secret_key, "Secret key for --sign")->capture_default_str();
  b->add_option("--region", o.region, "Region for --sign")->capture_default_str();
  b->add_flag("--json", o.json, "Print the result as one JSON object");
  b->add_flag("--quiet", o.quiet, "No progress line on stderr");
  b->add_option("--cdf", o.cdf_file, "Write the latency CDF (microseconds, fraction) to FILE");
}

int effective_producers(const BenchOptions& o) {
  if (o.producers > 0) return o.producers;
  if (o.scenario == "fanin") return 1;
  if (o.scenario == "e2e") return std::max(1, o.connections / 2);
  return o.connections;
}

int effective_consumers(const BenchOptions& o) {
  if (o.consumers > 0) return o.consumers;
  if (o.scenario == "fanin") return 1000;
  if (o.scenario == "e2e") return std::max(1, o.connections - effective_producers(o));
  return o.connections;
}

double effective_duration(const BenchOptions& o) {
  if (o.duration > 0) return o.duration;
  if (o.count > 0 || o.scenario == "receive-delete") return 0;
  return 10;
}

int64_t effective_count(const BenchOptions& o) {
  if (o.count > 0) return o.count;
  if (o.scenario == "receive-delete") return 100000;
  return 0;
}

std::string validate_bench_options(const BenchOptions& o) {
  const bool known = o.scenario == "send" || o.scenario == "receive-delete" ||
                     o.scenario == "e2e" || o.scenario == "fanin";
  if (!known) return "scenario must be send, receive-delete, e2e or fanin";
  if (o.protocol != "json" && o.protocol != "query") return "--protocol must be json or query";
  if (o.endpoint.rfind("http://", 0) != 0) return "--endpoint must start with http://";
  if (o.endpoint.size() <= 7) return "--endpoint needs a host";
  if (o.connections < 1 || o.connections > 100000) return "--connections must be in 1..100000";
  if (o.producers < 0 || o.consumers < 0) return "--producers/--consumers must be >= 0";
  if (o.producers > 100000 || o.consumers > 100000) {
    return "--producers/--consumers must be <= 100000";
  }
  if (o.threads < 1 || o.threads > 64) return "--threads must be in 1..64";
  if (o.batch < 1 || o.batch > 10) return "--batch must be in 1..10 (the SQS batch limit)";
  if (o.body_size < 32) return "--body-size must be at least 32 (the body carries a timestamp)";
  if (o.body_size > 262144) return "--body-size must be at most 262144 (the SQS limit)";
  if (static_cast<int64_t>(o.body_size) * o.batch > 262144) {
    return "--body-size times --batch must be at most 262144 (the SQS batch payload limit)";
  }
  if (o.duration < 0) return "--duration must be positive";
  if (o.count < 0) return "--count must be positive";
  if (o.duration > 0 && o.count > 0) return "give --duration or --count, not both";
  if (o.scenario == "receive-delete" && o.duration > 0) {
    return "receive-delete is bounded by --count (the prefill), not --duration";
  }
  if (o.rate < 0) return "--rate must be >= 0";
  if (o.scenario == "fanin" && o.rate <= 0) return "fanin needs --rate (the trickle of sends)";
  if (o.scenario == "receive-delete" && o.rate > 0) return "--rate applies to send, e2e, fanin";
  if (o.wait_seconds < 0 || o.wait_seconds > 20) return "--wait-seconds must be in 0..20";
  if (o.queue_type != "standard" && o.queue_type != "fifo") {
    return "--queue-type must be standard or fifo";
  }
  const bool fifo = o.queue_type == "fifo";
  if (fifo && (o.groups < 1 || o.groups > 1000000)) return "--groups must be in 1..1000000";
  if (!o.queue.empty()) {
    const bool fifo_name = o.queue.size() > 5 && o.queue.ends_with(".fifo");
    if (fifo != fifo_name) return "a FIFO queue's name must end in .fifo (and only a FIFO's)";
    std::string_view base(o.queue);
    if (fifo_name) base.remove_suffix(5);
    if (base.empty() || base.size() > 75) return "--queue must have 1..80 characters";
    for (char c : base) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return "--queue may contain only letters, digits, '-' and '_'";
      }
    }
  }
  if (!o.queue_url.empty() && o.queue_url.rfind("http", 0) != 0) {
    return "--queue-url must be an http URL";
  }
  if (o.server_pid < 0) return "--server-pid must be a process id";
  if (o.scenario == "send" && (o.producers > 0 || o.consumers > 0)) {
    return "send uses --connections, not --producers/--consumers";
  }
  if (o.scenario == "receive-delete" && (o.producers > 0 || o.consumers > 0)) {
    return "receive-delete uses --connections, not --producers/--consumers";
  }
  if (o.sign && (o.access_key.empty() || o.secret_key.empty())) {
    return "--sign needs --access-key and --secret-key";
  }
  return {};
}

}  // namespace tern::cli
