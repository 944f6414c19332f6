#include "sigv4/credentials_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "sigv4/detail.h"

namespace tern::sigv4 {
namespace {

Unexpected<IniError> error_at(int line, std::string reason) {
  return unexpected(IniError{line, std::move(reason)});
}

size_t indent_of(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return n;
}

bool is_queue_glob_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '*';
}

// Items of a list value: separated by ',' or line breaks, trimmed, empty items dropped.
std::vector<std::string_view> list_items(std::string_view value) {
  std::vector<std::string_view> out;
  for (std::string_view line : detail::split(value, '\n')) {
    for (std::string_view item : detail::split(line, ',')) {
      item = detail::trim(item);
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

std::string quoted_section(const IniSection& s) { return "[" + s.name + "]"; }

}  // namespace

const IniEntry* IniSection::find(std::string_view key) const {
  for (const IniEntry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string IniError::to_string() const {
  if (line <= 0) return reason;
  return "line " + std::to_string(line) + ": " + reason;
}

Expected<std::vector<IniSection>, IniError> parse_ini(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<IniSection> sections;
  std::map<std::string, int, std::less<>> section_lines;
  IniEntry* open_entry = nullptr;  // the entry continuation lines append to
  size_t open_indent = 0;
  int lineno = 0;
  for (std::string_view line : detail::split(text, '\n')) {
    ++lineno;
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::string_view content = detail::trim(line);
    if (content.empty()) {
      open_entry = nullptr;
      continue;
    }
    if (content[0] == '#' || content[0] == ';') continue;
    size_t indent = indent_of(line);
    if (open_entry && indent > open_indent) {
      open_entry->value += '\n';
      open_entry->value += content;
      continue;
    }
    open_entry = nullptr;
    if (content[0] == '[') {
      size_t close = content.find(']');
      if (close == std::string_view::npos) return error_at(lineno, "section header without ']'");
      std::string_view rest = detail::trim(content.substr(close + 1));
      if (!rest.empty() && rest[0] != '#' && rest[0] != ';') {
        return error_at(lineno,
                        "unexpected text after section header: '" + std::string(rest) + "'");
      }
      std::string name(detail::trim(content.substr(1, close - 1)));
      if (name.empty()) return error_at(lineno, "empty section name '[]'");
      auto [it, fresh] = section_lines.emplace(name, lineno);
      if (!fresh) {
        return error_at(lineno, "duplicate section [" + name + "] (first at line " +
                                    std::to_string(it->second) + ")");
      }
      sections.push_back(IniSection{std::move(name), lineno, {}});
      continue;
    }
    size_t delim = content.find_first_of("=:");
    if (delim == std::string_view::npos) {
      return error_at(lineno, "expected 'key = value', got '" + std::string(content) + "'");
    }
    std::string key = detail::to_lower(detail::trim(content.substr(0, delim)));
    if (key.empty())
      return error_at(lineno, "missing key before '" + std::string(1, content[delim]) + "'");
    if (sections.empty()) {
      return error_at(lineno,
                      "key '" + key + "' outside of a section (add a [name] line above it)");
    }
    IniSection& section = sections.back();
    if (const IniEntry* previous = section.find(key)) {
      return error_at(lineno, "duplicate key '" + key + "' in section " + quoted_section(section) +
                                  " (first at line " + std::to_string(previous->line) + ")");
    }
    section.entries.push_back(
        IniEntry{std::move(key), std::string(detail::trim(content.substr(delim + 1))), lineno});
    open_entry = &section.entries.back();
    open_indent = indent;
  }
  return sections;
}

Expected<CredentialStore, IniError> parse_credentials(std::string_view text) {
  auto parsed = parse_ini(text);
  if (!parsed) return unexpected(parsed.error());
  static constexpr std::string_view kKnownKeys[] = {"aws_access_key_id", "aws_secret_access_key",
                                                    "aws_session_token", "queues", "actions"};
  CredentialStore store;
  std::map<std::string, std::string, std::less<>> owner;  // access key id -> section name
  for (const IniSection& section : *parsed) {
    for (const IniEntry& e : section.entries) {
      bool known = false;
      for (std::string_view k : kKnownKeys) known = known || e.key == k;
      if (!known) {
        return error_at(e.line, "unknown key '" + e.key + "' in section " +
                                    quoted_section(section) +
                                    " (expected aws_access_key_id, aws_secret_access_key, "
                                    "aws_session_token, queues or actions)");
      }
    }
    KeyEntry entry;
    const IniEntry* id = section.find("aws_access_key_id");
    const IniEntry* secret = section.find("aws_secret_access_key");
    if (!id || id->value.empty()) {
      return error_at(section.line,
                      "section " + quoted_section(section) + " has no aws_access_key_id");
    }
    if (!secret || secret->value.empty()) {
      return error_at(section.line,
                      "section " + quoted_section(section) + " has no aws_secret_access_key");
    }
    for (char c : id->value) {
      if (c == '/' || detail::is_space(c)) {
        return error_at(id->line, "aws_access_key_id must not contain '/' or whitespace");
      }
    }
    for (char c : secret->value) {
      if (detail::is_space(c)) {
        return error_at(secret->line, "aws_secret_access_key must not contain whitespace");
      }
    }
    entry.secret_access_key = secret->value;
    if (const IniEntry* token = section.find("aws_session_token")) {
      entry.session_token = token->value;
    }
    if (const IniEntry* queues = section.find("queues")) {
      for (std::string_view glob : list_items(queues->value)) {
        for (char c : glob) {
          if (!is_queue_glob_char(c)) {
            return error_at(queues->line,
                            "queue glob '" + std::string(glob) +
                                "' may only hold letters, digits, '-', '_', '.' and '*'");
          }
        }
        entry.queue_globs.emplace_back(glob);
      }
    }
    if (const IniEntry* actions = section.find("actions")) {
      bool all = false;
      for (std::string_view action : list_items(actions->value)) {
        if (action.starts_with("sqs:")) action.remove_prefix(4);
        if (action == "*") {
          all = true;
          continue;
        }
        if (!is_sqs_action(action)) {
          return error_at(actions->line, "unknown action '" + std::string(action) +
                                             "' (expected SQS action names such as SendMessage, "
                                             "or *)");
        }
        entry.actions.emplace_back(action);
      }
      if (all) entry.actions.clear();
    }
    auto [it, fresh] = owner.emplace(id->value, section.name);
    if (!fresh) {
      return error_at(id->line, "access key id '" + id->value + "' is already used by section [" +
                                    it->second + "]");
    }
    store.add(id->value, std::move(entry));
  }
  return store;
}

Expected<CredentialStore, std::string> load_credentials_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return unexpected(path + ": read error: " + std::strerror(errno));
  auto store = parse_credentials(buf.str());
  if (!store) return unexpected(path + ": " + store.error().to_string());
  return std::move(*store);
}

}  // namespace tern::sigv4
