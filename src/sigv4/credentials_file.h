#pragma once
// Credentials files in the ~/.aws/credentials (INI) format, and the INI parser under them.
//
// The server's credentials file lists the keys it accepts:
//
//   # comment            ; comment
//   [alice]
//   aws_access_key_id = AKIDALICE
//   aws_secret_access_key = s3cr3t
//   queues = orders-*, audit        (optional; queue-name globs, '*' = any run; absent = all)
//   actions = SendMessage, ReceiveMessage   (optional; SQS action names; absent = all)
//   aws_session_token = ...          (optional; then requests must carry it)
//
// INI rules (those of Python's configparser, which botocore uses, so that the client can read
// ~/.aws/credentials and ~/.aws/config with `[profile x]` sections through parse_ini()):
// `[section]` headers; `key = value` or `key: value` (key lowercased, both sides trimmed);
// whole-line comments starting with '#' or ';' (no inline comments: '#' inside a value is
// kept); a line indented deeper than the key line above continues that value (joined with
// '\n'; botocore's nested `s3 =` settings); CRLF and a UTF-8 BOM are accepted. Duplicate
// sections, duplicate keys within a section and keys before any section are errors.
//
// Errors carry the 1-based line number and a reason; no input makes these functions throw or
// crash. Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"
#include "sigv4/credential_store.h"

namespace tern::sigv4 {

struct IniEntry {
  std::string key;  // lowercase
  std::string value;
  int line = 0;
};

struct IniSection {
  std::string name;  // as written between the brackets, trimmed ("profile dev")
  int line = 0;
  std::vector<IniEntry> entries;  // file order

  // The entry named `key` (lowercase), or nullptr.
  const IniEntry* find(std::string_view key) const;
};

struct IniError {
  int line = 0;  // 1-based; 0 when the error is not about one line (e.g. unreadable file)
  std::string reason;

  // "line 3: expected 'key = value'" (or just the reason when line is 0).
  std::string to_string() const;
};

Expected<std::vector<IniSection>, IniError> parse_ini(std::string_view text);

// Builds a store from credentials-file text. Every section needs aws_access_key_id and
// aws_secret_access_key; access key ids must be unique; unknown keys, unknown action names and
// queue globs with characters a queue name cannot hold are errors (they are typos, and a typo
// in a permission list should not silently lock a key out or let it in).
Expected<CredentialStore, IniError> parse_credentials(std::string_view text);

// Reads `path` and parses it. The error text names the file: "<path>: line 3: ...".
Expected<CredentialStore, std::string> load_credentials_file(const std::string& path);

}  // namespace tern::sigv4
