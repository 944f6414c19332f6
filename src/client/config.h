#pragma once
// Client configuration and where it comes from. Each setting is resolved on its own, first match
// wins (docs/CLIENT.md has the full table):
//
//   1. explicit ClientOptions members (the `--endpoint` flag, code);
//   2. the process environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
//      AWS_REGION, then AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL,
//      AWS_PROFILE;
//   3. `.env` in the working directory, read for the same names; it never overrides a variable
//      that is set in the real environment (dotenv semantics);
//   4. the shared profile files: `~/.aws/credentials` (`[name]`) then `~/.aws/config`
//      (`[profile name]`, `[default]`) for keys, `region` and `endpoint_url` of the selected
//      profile (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE move them);
//   5. defaults: region us-east-1, endpoint https://sqs.<region>.amazonaws.com.
//
// Credentials are taken as one set (key, secret, token) from the first source that has an access
// key id. With none anywhere, a loopback endpoint gets placeholder credentials (a local broker
// without --credentials accepts any signature); anything else is a kConfig error.
//
// Thread-safety: pure functions apart from ConfigSources::system(), which reads the process
// environment and the working directory at the time of the call.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "client/error.h"
#include "sigv4/signer.h"

namespace tern::client {

// The AWS SDKs' "standard" retry mode (docs/CLIENT.md, "Retries").
struct RetryOptions {
  int max_attempts = 3;  // first try included; 1 disables retries
  std::chrono::milliseconds base_delay{100};           // transient errors (5xx, network)
  std::chrono::milliseconds throttle_base_delay{1000};  // throttling codes
  std::chrono::milliseconds max_backoff{20000};
  // Retry quota (token bucket) of standard mode: a retry costs 5 tokens (10 after a timeout), a
  // success that needed no retry refunds 1. An empty bucket stops retrying (not the first try).
  int quota_capacity = 500;
};

struct ClientOptions {
  std::optional<std::string> endpoint;  // "http://127.0.0.1:9324" or "https://host[:port]"
  std::optional<std::string> region;
  std::optional<std::string> profile;
  std::optional<std::string> access_key_id;  // with secret_access_key; both or neither
  std::optional<std::string> secret_access_key;
  std::optional<std::string> session_token;

  RetryOptions retry;
  std::chrono::milliseconds connect_timeout{5000};
  // Whole-exchange deadline for a request (write + read). ReceiveMessage uses
  // max(request_timeout, WaitTimeSeconds + long_poll_margin).
  std::chrono::milliseconds request_timeout{20000};
  std::chrono::milliseconds long_poll_margin{10000};
  size_t max_idle_connections = 64;  // per endpoint; extra connections are closed after use
  bool verify_md5 = true;
  std::string ca_file;  // an extra PEM bundle to trust besides the system store (tests, proxies)
};

// Where configuration is read from; tests substitute every part.
struct ConfigSources {
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::string working_directory;  // for .env; empty: no .env
  std::string home_directory;     // for ~/.aws; empty: no profile files
  static ConfigSources system();
};

struct Endpoint {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;
  std::string path = "/";  // requests are POSTed here

  std::string host_header() const;  // host[:port], port omitted when it is the default
  std::string key() const;          // pool key: scheme://host:port
  bool is_loopback() const;
};

// Parses http(s)://host[:port][/path]; anything else is an error message.
tern::Expected<Endpoint, std::string> parse_endpoint(std::string_view url);

struct ResolvedConfig {
  Endpoint endpoint;
  std::string endpoint_url;
  std::string region;
  sigv4::Credentials credentials;
  std::string profile;
  // Where each setting came from, for `tern ... --verbose` and tests: "option", "env", ".env",
  // "credentials-file", "config-file", "default", "placeholder".
  std::string credentials_source, region_source, endpoint_source;
};

Result<ResolvedConfig> resolve_config(const ClientOptions& options,
                                      const ConfigSources& sources = ConfigSources::system());

// `.env` text: KEY=VALUE lines; blank lines and lines starting with '#' ignored; optional
// `export ` prefix; values may be 'single-quoted' (literal), "double-quoted" (backslash escapes
// n, t, r, quote and backslash) or bare (trimmed; a " #" starts a comment). Malformed lines are skipped.
std::map<std::string, std::string> parse_dotenv(std::string_view text);

}  // namespace tern::client
