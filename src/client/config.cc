#include "client/config.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/text.h"
#include "sigv4/credentials_file.h"

namespace tern::client {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// One profile's settings from the shared files.
struct Profile {
  std::map<std::string, std::string> credentials;  // from ~/.aws/credentials
  std::map<std::string, std::string> config;       // from ~/.aws/config
};

void load_section(const std::optional<std::string>& text, std::string_view want,
                  std::map<std::string, std::string>& out) {
  if (!text) return;
  auto sections = sigv4::parse_ini(*text);
  if (!sections) return;  // a broken file is ignored, as the SDKs ignore unreadable profiles
  for (const auto& s : *sections) {
    if (s.name != want) continue;
    for (const auto& e : s.entries) out.emplace(e.key, e.value);
  }
}

}  // namespace

ConfigSources ConfigSources::system() {
  ConfigSources s;
  s.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  char buf[4096];
  if (::getcwd(buf, sizeof buf) != nullptr) s.working_directory = buf;
  if (const char* home = std::getenv("HOME")) s.home_directory = home;
  return s;
}

std::string Endpoint::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if ((tls && port != 443) || (!tls && port != 80)) h += ":" + std::to_string(port);
  return h;
}

std::string Endpoint::key() const {
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

bool Endpoint::is_loopback() const {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

tern::Expected<Endpoint, std::string> parse_endpoint(std::string_view url) {
  Endpoint e;
  std::string_view rest;
  if (starts_with_icase(url, "https://")) {
    e.tls = true;
    rest = url.substr(8);
  } else if (starts_with_icase(url, "http://")) {
    rest = url.substr(7);
  } else {
    return tern::unexpected("endpoint must start with http:// or https://: " + std::string(url));
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) e.path = std::string(rest.substr(slash));
  if (auto q = e.path.find_first_of("?#"); q != std::string::npos) e.path.resize(q);
  if (e.path.empty()) e.path = "/";
  if (authority.find('@') != std::string_view::npos) {
    return tern::unexpected("endpoint must not carry user info: " + std::string(url));
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return tern::unexpected("bad IPv6 endpoint: " + std::string(url));
    e.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return tern::unexpected("bad endpoint: " + std::string(url));
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (e.host.empty()) return tern::unexpected("endpoint has no host: " + std::string(url));
  if (port_text.empty()) {
    e.port = e.tls ? 443 : 80;
  } else {
    auto p = parse_int64(port_text);
    if (!p || *p <= 0 || *p > 65535) return tern::unexpected("bad endpoint port: " + std::string(url));
    e.port = static_cast<uint16_t>(*p);
  }
  return e;
}

std::map<std::string, std::string> parse_dotenv(std::string_view text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, eq)));
    if (key.empty() || key.find_first_of(" \t") != std::string::npos) continue;
    std::string_view raw = trim(line.substr(eq + 1));
    std::string value;
    if (!raw.empty() && (raw.front() == '\'' || raw.front() == '"')) {
      char quote = raw.front();
      auto close = raw.find(quote, 1);
      // Find the closing quote that is not escaped (double quotes only).
      if (quote == '"') {
        close = std::string_view::npos;
        for (size_t i = 1; i < raw.size(); ++i) {
          if (raw[i] == '\\') { ++i; continue; }
          if (raw[i] == '"') { close = i; break; }
        }
      }
      if (close == std::string_view::npos) continue;  // unterminated: skip the line
      std::string_view inner = raw.substr(1, close - 1);
      if (quote == '\'') {
        value = std::string(inner);
      } else {
        for (size_t i = 0; i < inner.size(); ++i) {
          char c = inner[i];
          if (c == '\\' && i + 1 < inner.size()) {
            char n = inner[++i];
            value += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
          } else {
            value += c;
          }
        }
      }
    } else {
      if (auto hash = raw.find(" #"); hash != std::string_view::npos) raw = trim(raw.substr(0, hash));
      value = std::string(raw);
    }
    out[key] = value;
  }
  return out;
}

Result<ResolvedConfig> resolve_config(const ClientOptions& options, const ConfigSources& sources) {
  ResolvedConfig rc;
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (!sources.getenv) return std::nullopt;
    auto v = sources.getenv(name);
    if (v && v->empty()) return std::nullopt;  // an empty variable counts as unset
    return v;
  };
  std::map<std::string, std::string> dotenv;
  if (!sources.working_directory.empty()) {
    if (auto text = read_file(sources.working_directory + "/.env")) dotenv = parse_dotenv(*text);
  }
  // Environment first, then .env for names the environment does not set.
  auto lookup = [&](const std::string& name, std::string* source) -> std::optional<std::string> {
    if (auto v = env(name)) {
      if (source) *source = "env";
      return v;
    }
    if (auto it = dotenv.find(name); it != dotenv.end() && !it->second.empty()) {
      if (source) *source = ".env";
      return it->second;
    }
    return std::nullopt;
  };

  rc.profile = options.profile.value_or(lookup("AWS_PROFILE", nullptr).value_or("default"));

  // Profile files.
  Profile profile;
  if (!sources.home_directory.empty() || lookup("AWS_SHARED_CREDENTIALS_FILE", nullptr) ||
      lookup("AWS_CONFIG_FILE", nullptr)) {
    std::string creds_path = lookup("AWS_SHARED_CREDENTIALS_FILE", nullptr)
                                 .value_or(sources.home_directory + "/.aws/credentials");
    std::string config_path =
        lookup("AWS_CONFIG_FILE", nullptr).value_or(sources.home_directory + "/.aws/config");
    load_section(read_file(creds_path), rc.profile, profile.credentials);
    std::string config_section = rc.profile == "default" ? "default" : "profile " + rc.profile;
    load_section(read_file(config_path), config_section, profile.config);
  }
  auto from_profile = [&](const std::string& key, std::string* source) -> std::optional<std::string> {
    if (auto it = profile.credentials.find(key); it != profile.credentials.end()) {
      if (source) *source = "credentials-file";
      return it->second;
    }
    if (auto it = profile.config.find(key); it != profile.config.end()) {
      if (source) *source = "config-file";
      return it->second;
    }
    return std::nullopt;
  };

  // Credentials, as one set.
  if (options.access_key_id || options.secret_access_key) {
    if (!options.access_key_id || !options.secret_access_key) {
      return client_fail(ErrorKind::kConfig, "InvalidConfiguration",
                         "access_key_id and secret_access_key must be given together");
    }
    rc.credentials = {*options.access_key_id, *options.secret_access_key,
                      options.session_token.value_or("")};
    rc.credentials_source = "option";
  } else {
    std::string src;
    if (auto id = lookup("AWS_ACCESS_KEY_ID", &src)) {
      // Secret and token from the same layer as the key id, so that a stale .env token cannot
      // be paired with a fresh environment key.
      auto same_layer = [&](const std::string& name) -> std::string {
        if (src == "env") return env(name).value_or("");
        auto it = dotenv.find(name);
        return it == dotenv.end() ? "" : it->second;
      };
      rc.credentials = {*id, same_layer("AWS_SECRET_ACCESS_KEY"), same_layer("AWS_SESSION_TOKEN")};
      rc.credentials_source = src;
    } else if (auto pid = from_profile("aws_access_key_id", &src)) {
      const auto& m = src == "credentials-file" ? profile.credentials : profile.config;
      auto get = [&](const char* k) {
        auto it = m.find(k);
        return it == m.end() ? std::string() : it->second;
      };
      rc.credentials = {*pid, get("aws_secret_access_key"), get("aws_session_token")};
      rc.credentials_source = src;
    }
    if (!rc.credentials_source.empty() && rc.credentials.secret_access_key.empty()) {
      return client_fail(ErrorKind::kConfig, "InvalidConfiguration",
                         "access key id found in " + rc.credentials_source +
                             " but no secret access key next to it");
    }
  }

  // Region.
  if (options.region) {
    rc.region = *options.region;
    rc.region_source = "option";
  } else if (auto r = env("AWS_REGION")) {
    rc.region = *r, rc.region_source = "env";
  } else if (auto r2 = env("AWS_DEFAULT_REGION")) {
    rc.region = *r2, rc.region_source = "env";
  } else if (auto r3 = lookup("AWS_REGION", &rc.region_source)) {
    rc.region = *r3;
  } else if (auto r4 = lookup("AWS_DEFAULT_REGION", &rc.region_source)) {
    rc.region = *r4;
  } else if (auto r5 = from_profile("region", &rc.region_source)) {
    rc.region = *r5;
  } else {
    rc.region = "us-east-1";
    rc.region_source = "default";
  }

  // Endpoint.
  if (options.endpoint) {
    rc.endpoint_url = *options.endpoint;
    rc.endpoint_source = "option";
  } else if (auto e = env("AWS_ENDPOINT_URL_SQS")) {
    rc.endpoint_url = *e, rc.endpoint_source = "env";
  } else if (auto e2 = env("AWS_ENDPOINT_URL")) {
    rc.endpoint_url = *e2, rc.endpoint_source = "env";
  } else if (auto e3 = lookup("AWS_ENDPOINT_URL_SQS", &rc.endpoint_source)) {
    rc.endpoint_url = *e3;
  } else if (auto e4 = lookup("AWS_ENDPOINT_URL", &rc.endpoint_source)) {
    rc.endpoint_url = *e4;
  } else if (auto e5 = from_profile("endpoint_url", &rc.endpoint_source)) {
    rc.endpoint_url = *e5;
  } else {
    rc.endpoint_url = "https://sqs." + rc.region + ".amazonaws.com";
    rc.endpoint_source = "default";
  }
  auto ep = parse_endpoint(rc.endpoint_url);
  if (!ep) return client_fail(ErrorKind::kConfig, "InvalidConfiguration", ep.error());
  rc.endpoint = *ep;

  if (rc.credentials_source.empty()) {
    if (!rc.endpoint.is_loopback()) {
      return client_fail(ErrorKind::kConfig, "NoCredentials",
                         "no AWS credentials found (options, environment, .env, ~/.aws/credentials "
                         "profile '" + rc.profile + "')");
    }
    rc.credentials = {"tern-local", "tern-local", ""};
    rc.credentials_source = "placeholder";
  }
  return rc;
}

}  // namespace tern::client
