#pragma once
// `tern serve`: runs the broker until SIGINT/SIGTERM.

#include <string>

#include <CLI/CLI.hpp>

namespace tern::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 9324;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int threads = 0;  // 0: one per core
  std::string public_url;  // scheme://host:port clients use; default from host and port
  std::string credentials_file;     // SigV4 keys; empty: accept any signature (loopback only)
  bool allow_unauthenticated = false;  // permit a non-loopback bind without credentials
  std::string data_dir = "tern-data";
  std::string durability = "sync";  // sync | async | memory
};

void add_serve_command(CLI::App& app, ServeOptions& options);
int run_serve(const ServeOptions& options);

}  // namespace tern::cli
