#include "cli/serve_config.h"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

// toml++ (Debian's libtomlplusplus-dev), header-only in this one translation unit; we write TOML
// ourselves (to_toml), so its formatters are left out.
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_FORMATTERS 0
#include <toml++/toml.h>

#include "cli/declared_queues.h"
#include "cli/logging.h"

extern char** environ;

namespace tern::cli {
namespace {

using Error = std::string;
using Status = Expected<void, Error>;

// ---- the settings table: one row per flag ----------------------------------------------------

enum class Kind { kString, kInt, kBool };

struct Setting {
  std::string_view key;
  Kind kind;
  std::string ServeOptions::*str = nullptr;
  int ServeOptions::*num = nullptr;
  bool ServeOptions::*flag = nullptr;
  int64_t min = 0, max = 0;  // kInt: the inclusive range
  // kString: empty when `v` is acceptable, else what is wrong with it.
  std::string (*check)(const std::string& v) = nullptr;
};

std::string quoted(std::string_view s) { return json_quote(s); }

template <size_t N>
std::string one_of(const std::string& v, const std::string_view (&allowed)[N]) {
  for (auto a : allowed) {
    if (v == a) return {};
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return quoted(v) + " is not one of " + list;
}

constexpr std::string_view kDurabilities[] = {"sync", "async", "memory"};

std::string check_host(const std::string& v) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(v, ec);
  if (ec) return quoted(v) + " is not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::1)";
  return {};
}
std::string check_region(const std::string& v) {
  if (v.empty() ||
      v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return quoted(v) + " is not a region name (lower-case letters, digits and dashes)";
  }
  return {};
}
std::string check_account(const std::string& v) {
  if (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos) {
    return quoted(v) + " is not 12 digits";
  }
  return {};
}
std::string check_public_url(const std::string& v) {
  if (v.empty() || v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0) return {};
  return quoted(v) + " does not start with http:// or https://";
}
std::string check_credentials(const std::string& v) {
  if (v.empty()) return {};
  if (::access(v.c_str(), R_OK) != 0) return "cannot read " + v + ": " + std::strerror(errno);
  return {};
}
std::string check_data_dir(const std::string& v) {
  return v.empty() ? std::string("must not be empty") : std::string();
}
std::string check_durability(const std::string& v) { return one_of(v, kDurabilities); }
std::string check_log_level(const std::string& v) { return one_of(v, kLogLevels); }
std::string check_log_format(const std::string& v) { return one_of(v, kLogFormats); }

const std::vector<Setting>& settings() {
  using O = ServeOptions;
  static const std::vector<Setting> kSettings = {
      {"host", Kind::kString, &O::host, nullptr, nullptr, 0, 0, &check_host},
      {"port", Kind::kInt, nullptr, &O::port, nullptr, 0, 65535},
      {"region", Kind::kString, &O::region, nullptr, nullptr, 0, 0, &check_region},
      {"account-id", Kind::kString, &O::account_id, nullptr, nullptr, 0, 0, &check_account},
      {"threads", Kind::kInt, nullptr, &O::threads, nullptr, 0, 256},
      {"public-url", Kind::kString, &O::public_url, nullptr, nullptr, 0, 0, &check_public_url},
      {"credentials", Kind::kString, &O::credentials_file, nullptr, nullptr, 0, 0,
       &check_credentials},
      {"allow-unauthenticated", Kind::kBool, nullptr, nullptr, &O::allow_unauthenticated},
      {"data-dir", Kind::kString, &O::data_dir, nullptr, nullptr, 0, 0, &check_data_dir},
      {"durability", Kind::kString, &O::durability, nullptr, nullptr, 0, 0, &check_durability},
      {"log-level", Kind::kString, &O::log_level, nullptr, nullptr, 0, 0, &check_log_level},
      {"log-format", Kind::kString, &O::log_format, nullptr, nullptr, 0, 0, &check_log_format},
      {"request-log", Kind::kBool, nullptr, nullptr, &O::request_log},
  };
  return kSettings;
}

const Setting* find_setting(std::string_view key) {
  for (const auto& s : settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::string kind_name(Kind k) {
  switch (k) {
    case Kind::kString:
      return "a string";
    case Kind::kInt:
      return "an integer";
    case Kind::kBool:
      return "a boolean (true or false)";
  }
  return "?";
}

// Sets an integer setting after its range check; `where` prefixes errors.
Status set_int(const Setting& s, int64_t v, const std::string& where, ServeOptions& o) {
  if (v < s.min || v > s.max) {
    return tern::unexpected(where + std::string(s.key) + ": " + std::to_string(v) +
                            " is out of range (" + std::to_string(s.min) + " to " +
                            std::to_string(s.max) + ")");
  }
  o.*s.num = static_cast<int>(v);
  return {};
}

Status set_string(const Setting& s, std::string v, const std::string& where, ServeOptions& o) {
  if (s.check != nullptr) {
    if (std::string why = s.check(v); !why.empty()) {
      return tern::unexpected(where + std::string(s.key) + ": " + why);
    }
  }
  o.*s.str = std::move(v);
  return {};
}

// ---- TOML ----------------------------------------------------------------------------------

std::string position(std::string_view file, const toml::source_region& r) {
  return std::string(file) + ":" + std::to_string(r.begin.line) + ":" +
         std::to_string(r.begin.column) + ": ";
}

std::string node_kind(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

Status wrong_type(std::string_view file, const toml::node& n, std::string_view key,
                  std::string_view expected) {
  return tern::unexpected(position(file, n.source()) + std::string(key) + ": expected " +
                          std::string(expected) + ", got " + node_kind(n));
}

Status apply_setting(std::string_view file, std::string_view key, const toml::node& n,
                     ServeOptions& o) {
  const Setting* s = find_setting(key);
  const std::string where = position(file, n.source());
  switch (s->kind) {
    case Kind::kString:
      if (!n.is_string()) return wrong_type(file, n, key, kind_name(s->kind));
      return set_string(*s, n.as_string()->get(), where, o);
    case Kind::kInt:
      if (!n.is_integer()) return wrong_type(file, n, key, kind_name(s->kind));
      return set_int(*s, n.as_integer()->get(), where, o);
    case Kind::kBool:
      if (!n.is_boolean()) return wrong_type(file, n, key, kind_name(s->kind));
      o.*s->flag = n.as_boolean()->get();
      return {};
  }
  return {};
}

// A table of strings (tags); `what` names it in messages.
Status read_string_table(std::string_view file, std::string_view what, const toml::node& n,
                         std::map<std::string, std::string>& out) {
  if (!n.is_table()) return wrong_type(file, n, what, "a table");
  for (auto&& [k, v] : *n.as_table()) {
    std::string key = std::string(what) + "." + std::string(k.str());
    if (!v.is_string()) return wrong_type(file, v, key, "a string");
    out[std::string(k.str())] = v.as_string()->get();
  }
  return {};
}

Status read_queue(std::string_view file, const toml::node& node, DeclaredQueue& q) {
  if (!node.is_table()) return wrong_type(file, node, "queues", "tables ([[queues]])");
  const toml::table& t = *node.as_table();
  q.origin = position(file, t.source());
  q.origin.resize(q.origin.size() - 2);  // without the ": "
  const toml::node* name = t.get("name");
  if (name == nullptr) return tern::unexpected(q.origin + ": queues: a queue has no name");
  if (!name->is_string()) return wrong_type(file, *name, "queues.name", "a string");
  q.name = name->as_string()->get();
  q.fifo = q.name.size() >= 5 && q.name.compare(q.name.size() - 5, 5, ".fifo") == 0;
  const std::string prefix = "queues[" + q.name + "].";
  for (auto&& [k, v] : t) {
    const std::string_view key = k.str();
    if (key == "name") continue;
    if (key == "fifo") {
      if (!v.is_boolean()) return wrong_type(file, v, prefix + "fifo", "a boolean");
      q.fifo = v.as_boolean()->get();
    } else if (key == "attributes") {
      if (!v.is_table()) return wrong_type(file, v, prefix + "attributes", "a table");
      for (auto&& [ak, av] : *v.as_table()) {
        const std::string attr(ak.str());
        const std::string what = prefix + "attributes." + attr;
        if (attr == "FifoQueue") {
          return tern::unexpected(position(file, ak.source()) + what +
                                  ": say `fifo = true` (or end the name in .fifo) instead");
        }
        if (attr == "RedrivePolicy") {
          return tern::unexpected(
              position(file, ak.source()) + what +
              ": say `redrive-policy = { dead-letter-queue = \"NAME\", max-receive-count = N }` "
              "instead");
        }
        if (av.is_string()) {
          q.attributes[attr] = av.as_string()->get();
        } else if (av.is_integer()) {
          q.attributes[attr] = std::to_string(av.as_integer()->get());
        } else if (av.is_boolean()) {
          q.attributes[attr] = av.as_boolean()->get() ? "true" : "false";
        } else {
          return wrong_type(file, av, what, "a string, an integer or a boolean");
        }
      }
    } else if (key == "redrive-policy") {
      if (!v.is_table()) return wrong_type(file, v, prefix + "redrive-policy", "a table");
      const toml::table& r = *v.as_table();
      for (auto&& [rk, rv] : r) {
        const std::string what = prefix + "redrive-policy." + std::string(rk.str());
        if (rk.str() == "dead-letter-queue") {
          if (!rv.is_string()) return wrong_type(file, rv, what, "a string (a queue name)");
          q.dead_letter_queue = rv.as_string()->get();
        } else if (rk.str() == "max-receive-count") {
          if (!rv.is_integer()) return wrong_type(file, rv, what, "an integer");
          const int64_t n = rv.as_integer()->get();
          if (n < 1 || n > 1000) {
            return tern::unexpected(position(file, rv.source()) + what + ": " + std::to_string(n) +
                                    " is out of range (1 to 1000)");
          }
          q.max_receive_count = n;
        } else {
          return tern::unexpected(position(file, rk.source()) + prefix +
                                  "redrive-policy: unknown key " + quoted(rk.str()) +
                                  " (expected dead-letter-queue, max-receive-count)");
        }
      }
      if (!q.dead_letter_queue || q.max_receive_count == 0) {
        return tern::unexpected(position(file, r.source()) + prefix +
                                "redrive-policy: needs both dead-letter-queue and "
                                "max-receive-count");
      }
    } else if (key == "tags") {
      if (auto st = read_string_table(file, prefix + "tags", v, q.tags); !st) return st;
    } else {
      return tern::unexpected(position(file, k.source()) + "queues[" + q.name + "]: unknown key " +
                              quoted(key) +
                              " (expected name, fifo, attributes, redrive-policy, tags)");
    }
  }
  return {};
}

std::string known_keys() {
  std::string out;
  for (const auto& s : settings()) out += std::string(out.empty() ? "" : ", ") + std::string(s.key);
  return out + ", [[queues]]";
}

// ---- writing TOML ------------------------------------------------------------------------------

// A TOML basic string: JSON's escapes, plus DEL, which TOML (unlike JSON) does not allow raw.
std::string toml_string(std::string_view s) {
  std::string out;
  for (char c : json_quote(s)) {
    if (c == '\x7f') {
      out += "\\u007f";
    } else {
      out += c;
    }
  }
  return out;
}

std::string toml_key(std::string_view k) {
  const bool bare = !k.empty() && k.find_first_not_of(
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "abcdefghijklmnopqrstuvwxyz"
                                      "0123456789_-") == std::string_view::npos;
  return bare ? std::string(k) : toml_string(k);
}

// An attribute value: as an integer or boolean when that reads back as the same text.
std::string toml_attribute(const std::string& v) {
  if (v == "true" || v == "false") return v;
  if (!v.empty() && v.size() <= 18 && v.find_first_not_of("0123456789") == std::string::npos &&
      (v == "0" || v[0] != '0')) {
    return v;
  }
  return toml_string(v);
}

std::string inline_table(const std::map<std::string, std::string>& m, bool attributes) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ", ";
    first = false;
    out += toml_key(k) + " = " + (attributes ? toml_attribute(v) : toml_string(v));
  }
  return out + (first ? "}" : " }");
}

bool parse_bool(std::string_view v, bool* out) {
  std::string lower(v);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    *out = false;
    return true;
  }
  return false;
}

}  // namespace

std::vector<std::string_view> serve_setting_keys() {
  std::vector<std::string_view> keys;
  for (const auto& s : settings()) keys.push_back(s.key);
  return keys;
}

std::string env_name(std::string_view key) {
  std::string out = "TERN_";
  for (char c : key)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Expected<void, std::string> apply_config_text(std::string_view text, std::string_view file,
                                              ServeOptions& options) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return tern::unexpected(position(file, e.source()) + std::string(e.description()));
  }
  ServeOptions o = options;
  bool had_queues = false;
  for (auto&& [k, v] : root) {
    const std::string_view key = k.str();
    if (key == "queues") {
      if (!v.is_array()) return wrong_type(file, v, "queues", "an array of tables ([[queues]])");
      had_queues = true;
      o.queues.clear();
      for (const auto& element : *v.as_array()) {
        DeclaredQueue q;
        if (auto st = read_queue(file, element, q); !st) return st;
        o.queues.push_back(std::move(q));
      }
      continue;
    }
    if (find_setting(key) == nullptr) {
      return tern::unexpected(position(file, k.source()) + "unknown key " + quoted(key) +
                              " (known: " + known_keys() + ")");
    }
    if (auto st = apply_setting(file, key, v, o); !st) return st;
  }
  if (had_queues) {
    auto ordered = order_declared_queues(std::move(o.queues));
    if (!ordered) return tern::unexpected(std::move(ordered).error());
    o.queues = std::move(*ordered);
  }
  options = std::move(o);
  return {};
}

Expected<void, std::string> apply_config_file(const std::string& path, ServeOptions& options) {
  auto fail = [&] {
    return tern::unexpected("cannot read config file " + path + ": " + std::strerror(errno));
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return fail();
  std::string text;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool error = std::ferror(f) != 0;  // e.g. EISDIR: a directory opens, then fails to read
  const int saved = errno;
  std::fclose(f);
  if (error) {
    errno = saved;
    return fail();
  }
  return apply_config_text(text, path, options);
}

Expected<void, std::string> apply_env(const std::map<std::string, std::string>& env,
                                      ServeOptions& options) {
  for (const auto& s : settings()) {
    const std::string name = env_name(s.key);
    auto it = env.find(name);
    if (it == env.end()) continue;
    const std::string& v = it->second;
    const std::string where = name + "=" + v + ": ";
    switch (s.kind) {
      case Kind::kString:
        if (auto st = set_string(s, v, where, options); !st) return st;
        break;
      case Kind::kInt: {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || end != v.data() + v.size() || v.empty()) {
          return tern::unexpected(where + std::string(s.key) + ": expected an integer");
        }
        if (auto st = set_int(s, n, where, options); !st) return st;
        break;
      }
      case Kind::kBool: {
        bool b = false;
        if (!parse_bool(v, &b)) {
          return tern::unexpected(where + std::string(s.key) +
                                  ": expected true or false (or 1/0, yes/no, on/off)");
        }
        options.*s.flag = b;
        break;
      }
    }
  }
  return {};
}

Expected<void, std::string> check_flag(std::string_view key, const ServeOptions& o) {
  const Setting* s = find_setting(key);
  if (s == nullptr) return tern::unexpected("unknown setting " + std::string(key));
  const std::string where = "--";
  ServeOptions scratch;
  switch (s->kind) {
    case Kind::kString:
      return set_string(*s, o.*s->str, where, scratch);
    case Kind::kInt:
      return set_int(*s, o.*s->num, where, scratch);
    case Kind::kBool:
      return {};
  }
  return {};
}

Expected<ServeOptions, std::string> resolve_serve_options(const ConfigInputs& in) {
  ServeOptions o;
  std::string file = in.config_file;
  if (file.empty()) {
    if (auto it = in.env.find("TERN_CONFIG"); it != in.env.end()) file = it->second;
  }
  if (!file.empty()) {
    if (auto st = apply_config_file(file, o); !st) return tern::unexpected(std::move(st).error());
  }
  if (auto st = apply_env(in.env, o); !st) return tern::unexpected(std::move(st).error());
  for (const auto& s : settings()) {
    if (in.given.count(std::string(s.key)) == 0) continue;
    if (auto st = check_flag(s.key, in.flags); !st) return tern::unexpected(std::move(st).error());
    switch (s.kind) {
      case Kind::kString:
        o.*s.str = in.flags.*s.str;
        break;
      case Kind::kInt:
        o.*s.num = in.flags.*s.num;
        break;
      case Kind::kBool:
        o.*s.flag = in.flags.*s.flag;
        break;
    }
  }
  // After the environment and flags: queue ARNs depend on region and account-id.
  if (auto st = check_declared_queues(o); !st) return tern::unexpected(std::move(st).error());
  return o;
}

std::string to_toml(const ServeOptions& o) {
  std::string out =
      "# tern serve: effective configuration (flags > environment > config file > defaults)\n";
  for (const auto& s : settings()) {
    out += std::string(s.key) + " = ";
    switch (s.kind) {
      case Kind::kString:
        out += toml_string(o.*s.str);
        break;
      case Kind::kInt:
        out += std::to_string(o.*s.num);
        break;
      case Kind::kBool:
        out += o.*s.flag ? "true" : "false";
        break;
    }
    out += '\n';
  }
  for (const auto& q : o.queues) {
    out += "\n[[queues]]\nname = " + toml_string(q.name) + "\n";
    out += std::string("fifo = ") + (q.fifo ? "true" : "false") + "\n";
    if (!q.attributes.empty()) out += "attributes = " + inline_table(q.attributes, true) + "\n";
    if (q.dead_letter_queue) {
      out += "redrive-policy = { dead-letter-queue = " + toml_string(*q.dead_letter_queue) +
             ", max-receive-count = " + std::to_string(q.max_receive_count) + " }\n";
    }
    if (!q.tags.empty()) out += "tags = " + inline_table(q.tags, false) + "\n";
  }
  return out;
}

std::map<std::string, std::string> tern_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("TERN_", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace tern::cli
