#include "sigv4/credential_store.h"

#include "common/sqs_actions.h"

#include <algorithm>
#include <array>

namespace tern::sigv4 {
using tern::kSqsActions;

bool glob_match(std::string_view glob, std::string_view text) {
  // Iterative matcher with one backtrack point (the last '*'): linear for the usual globs and
  // never worse than O(|glob| * |text|).
  size_t g = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_t = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool is_sqs_action(std::string_view name) {
  return std::find(kSqsActions.begin(), kSqsActions.end(), name) != kSqsActions.end();
}

bool KeyEntry::allows(std::string_view action, std::string_view queue_name) const {
  if (!actions.empty()) {
    std::string_view single = action;
    if (single.ends_with("Batch")) single.remove_suffix(5);
    bool ok = std::any_of(actions.begin(), actions.end(),
                          [&](const std::string& a) { return a == action || a == single; });
    if (!ok) return false;
  }
  if (!queue_globs.empty() && !queue_name.empty()) {
    return std::any_of(queue_globs.begin(), queue_globs.end(),
                       [&](const std::string& g) { return glob_match(g, queue_name); });
  }
  return true;
}

bool CredentialStore::add(std::string access_key_id, KeyEntry entry) {
  return keys_.emplace(std::move(access_key_id), std::move(entry)).second;
}

std::optional<KeyEntry> CredentialStore::lookup(std::string_view access_key_id) const {
  const KeyEntry* e = find(access_key_id);
  if (!e) return std::nullopt;
  return *e;
}

const KeyEntry* CredentialStore::find(std::string_view access_key_id) const {
  auto it = keys_.find(access_key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace tern::sigv4
