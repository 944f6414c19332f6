#pragma once
// `tern queue create|list|url|attrs|purge|delete`, `tern send` and `tern receive`: everyday queue
// poking built on the SQS client (src/client), so that nobody needs Python or Node for it. They
// resolve endpoint, region and credentials like the client does (docs/CLIENT.md); `--endpoint`
// overrides. Output is for people by default and JSON with `--json`. QUEUE is a name or a URL.
// Exit status: 0 success, 1 the service or the network failed, 2 bad configuration or usage.
//
// Thread-safety: single-threaded use from main().

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tern::cli {

struct ClientCommands {
  // Common to every command.
  std::string endpoint, region, profile;
  bool json = false;
  // Per command.
  std::string queue, name, body, prefix;
  std::vector<std::string> attrs, names;
  bool fifo = false;
  std::optional<int> delay;
  std::string group, dedup;
  int count = 1, wait = 0;
  std::optional<int> visibility;
  bool delete_after = false;

  bool ran = false;  // a client command was selected and has run
  int exit_code = 0;
};

void add_client_commands(CLI::App& app, ClientCommands& state);

}  // namespace tern::cli
