#pragma once
// The configuration of `tern serve`. Every flag is also a key of the TOML config file (the flag's
// name without the dashes: `data-dir = "/var/lib/tern"`) and an environment variable (TERN_ and
// the name in capitals with underscores: TERN_DATA_DIR). Precedence, highest first:
//
//   command-line flag  >  environment variable  >  config file  >  built-in default
//
// The file is named by `--config FILE` or, failing that, TERN_CONFIG. Besides the flags it can
// declare queues (`[[queues]]` tables), which are created at start when missing (ElasticMQ's
// habit; an existing queue is left as it is, as ElasticMQ does with the queues it restored).
// Every value is checked when it is read: a bad one is an error naming where it came from
// (`tern.toml:7:8: port: …`, `TERN_PORT: …`, `--port: …`). The format is in README.md
// ("Configuration file") and examples/tern.toml.
//
// Thread-safety: plain functions over values.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"

namespace tern::cli {

struct DeclaredQueue {
  std::string name;
  bool fifo = false;  // default: the name ends in .fifo
  // SQS attribute names to values (FifoQueue and RedrivePolicy have keys of their own).
  std::map<std::string, std::string> attributes;
  // redrive-policy: the dead-letter queue, by name (another declared queue), and the receives
  // after which a message moves there.
  std::optional<std::string> dead_letter_queue;
  int64_t max_receive_count = 0;
  std::map<std::string, std::string> tags;
  std::string origin;  // "file:line:column" of its [[queues]] table, for messages
};

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 9324;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int threads = 0;                     // 0: one per core
  std::string public_url;              // scheme://host:port clients use; default from host and port
  std::string credentials_file;        // SigV4 keys; empty: accept any signature (loopback only)
  bool allow_unauthenticated = false;  // permit a non-loopback bind without credentials
  std::string data_dir = "tern-data";
  std::string durability = "sync";  // sync | async | memory
  std::string log_level = "info";   // trace | debug | info | warn | error | off
  std::string log_format = "text";  // text | json
  bool request_log = false;         // one log line per request
  // In creation order: every dead-letter queue before the queues that name it.
  std::vector<DeclaredQueue> queues;
};

// The keys of the settings (= flag names without "--"), in the order --print-config writes them.
std::vector<std::string_view> serve_setting_keys();
// "data-dir" -> "TERN_DATA_DIR".
std::string env_name(std::string_view key);

// Applies the TOML document `text`, read from `file` (a name for messages), over `options`.
Expected<void, std::string> apply_config_text(std::string_view text, std::string_view file,
                                              ServeOptions& options);
// Reads `path` and applies it. An unreadable file is an error naming it.
Expected<void, std::string> apply_config_file(const std::string& path, ServeOptions& options);
// Applies the TERN_* variables of `env` that name settings (others, such as TERN_BIN, are not
// ours and are ignored).
Expected<void, std::string> apply_env(const std::map<std::string, std::string>& env,
                                      ServeOptions& options);
// Checks a setting's value as the flag --<key> gave it (CLI11 checks types and some ranges;
// this adds the rest, the same checks as for the file and the environment).
Expected<void, std::string> check_flag(std::string_view key, const ServeOptions& options);

struct ConfigInputs {
  std::string config_file;                 // --config; empty: TERN_CONFIG, else no file
  std::map<std::string, std::string> env;  // the process's TERN_* variables
  ServeOptions flags;                      // values bound to the flags
  std::set<std::string> given;             // keys of the flags given on the command line
};
// Defaults, then the file, then the environment, then the flags given. The declared queues are
// put in creation order and checked (names, attributes, redrive targets) against a scratch
// in-memory engine, so a bad declaration stops the server before it touches its data.
Expected<ServeOptions, std::string> resolve_serve_options(const ConfigInputs& inputs);

// The effective configuration as a TOML document that apply_config_text reads back to the same
// options.
std::string to_toml(const ServeOptions& options);

// The process environment's TERN_* variables.
std::map<std::string, std::string> tern_environment();

}  // namespace tern::cli
