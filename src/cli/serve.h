#pragma once
// `tern serve`: runs the broker until SIGINT/SIGTERM. Its settings come from flags, TERN_*
// environment variables and a TOML config file (serve_config.h), and are logged through spdlog
// (logging.h).

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "cli/serve_config.h"

namespace tern::cli {

// What the command line said: the values bound to the flags, and which flags were given.
struct ServeCommand {
  ServeOptions flags;
  std::string config_file;                      // --config
  bool print_config = false;                    // --print-config
  std::map<std::string, CLI::Option*> options;  // by setting key (serve_setting_keys())
};

void add_serve_command(CLI::App& app, ServeCommand& command);
// Resolves the configuration (flags > environment > file > defaults), then prints it
// (--print-config) or runs the broker. Exit status: 0 after a clean stop or --print-config,
// 2 for a bad configuration, 1 when the server cannot start (address in use, unreadable log).
int run_serve(const ServeCommand& command);
// Runs the broker with a resolved configuration.
int run_server(const ServeOptions& options);

}  // namespace tern::cli
