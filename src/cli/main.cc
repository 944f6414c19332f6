// tern: the command line. `tern serve` runs the broker.

#include <CLI/CLI.hpp>

#include "cli/serve.h"

int main(int argc, char** argv) {
  CLI::App app{"tern: an SQS-compatible message queue"};
  app.require_subcommand(1);
  tern::cli::ServeOptions serve;
  tern::cli::add_serve_command(app, serve);
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("serve")) return tern::cli::run_serve(serve);
  return 0;
}
