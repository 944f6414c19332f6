// tern: the command line. `tern serve` runs the broker.

#include <CLI/CLI.hpp>

#include "cli/client_cmds.h"
#include "cli/bench.h"
#include "cli/serve.h"

int main(int argc, char** argv) {
  CLI::App app{"tern: an SQS-compatible message queue"};
  app.require_subcommand(1);
  tern::cli::ServeCommand serve;
  tern::cli::add_serve_command(app, serve);
  tern::cli::BenchOptions bench;
  tern::cli::add_bench_command(app, bench);
  tern::cli::ClientCommands client;  // queue, send, receive: they run during parsing
  tern::cli::add_client_commands(app, client);
  CLI11_PARSE(app, argc, argv);
  if (client.ran) return client.exit_code;
  if (app.got_subcommand("serve")) return tern::cli::run_serve(serve);
  if (app.got_subcommand("bench")) return tern::cli::run_bench(bench);
  return 0;
}
