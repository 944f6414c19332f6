#pragma once
// CredentialStore: the access keys the server accepts, each with its secret and what it may do
// (queue-name globs and action names; empty lists allow everything).
//
// A store is built once (usually by parse_credentials() from a credentials file) and then only
// read. Thread-safety: const member functions may be called concurrently; to reload, build a new
// store and swap a std::shared_ptr<const CredentialStore>.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::sigv4 {

struct KeyEntry {
  std::string secret_access_key;
  // When non-empty, requests must carry this X-Amz-Security-Token.
  std::string session_token;
  // Queue-name globs ('*' matches any run of characters). Empty: every queue.
  std::vector<std::string> queue_globs;
  // SQS action names (SendMessage, ...). Empty: every action. A batch action is allowed by its
  // single form too (SendMessage allows SendMessageBatch), as in IAM.
  std::vector<std::string> actions;

  // True when this key may run `action` on `queue_name`. An empty `queue_name` (ListQueues and
  // other account-wide actions) skips the queue check.
  bool allows(std::string_view action, std::string_view queue_name) const;
};

class CredentialStore {
 public:
  // Returns false (and changes nothing) when the access key id is already present.
  bool add(std::string access_key_id, KeyEntry entry);

  std::optional<KeyEntry> lookup(std::string_view access_key_id) const;
  // Same, without the copy; the pointer lives as long as the store.
  const KeyEntry* find(std::string_view access_key_id) const;

  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }

 private:
  std::map<std::string, KeyEntry, std::less<>> keys_;
};

// '*' matches any (possibly empty) run of characters; every other character matches itself.
bool glob_match(std::string_view glob, std::string_view text);

// True for the 23 action names of SQS API 2012-11-05.
bool is_sqs_action(std::string_view name);

}  // namespace tern::sigv4
