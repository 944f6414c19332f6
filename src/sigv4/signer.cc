#include "sigv4/signer.h"

#include <algorithm>
#include <cstdio>

#include "common/text.h"
#include "sigv4/detail.h"

namespace tern::sigv4 {
namespace {

using detail::is_space;

// Value of one header line as SigV4 wants it: trimmed, internal whitespace runs (including the
// line breaks of folded headers) collapsed to one space.
void append_normalized_value(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    any = true;
    out += c;
  }
}

bool is_signable_by_default(std::string_view lname) {
  if (lname == "host" || lname == "content-type") return true;
  if (lname.starts_with("x-amz-")) return true;
  return lname.starts_with("x-amzn-") && lname != "x-amzn-trace-id";
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::string authorization_value(std::string_view access_key_id, std::string_view scope,
                                const std::vector<std::string>& signed_headers,
                                std::string_view sig) {
  std::string out(kAlgorithm);
  out += " Credential=";
  out += access_key_id;
  out += '/';
  out += scope;
  out += ", SignedHeaders=";
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out += ';';
    out += signed_headers[i];
  }
  out += ", Signature=";
  out += sig;
  return out;
}

}  // namespace

const std::string* find_header(const HttpRequestView& req, std::string_view name) {
  for (const auto& [k, v] : req.headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

void remove_header(HttpRequestView& req, std::string_view name) {
  std::erase_if(req.headers, [&](const auto& h) { return iequals(h.first, name); });
}

std::string canonical_uri(std::string_view raw_path) {
  // Same shape as botocore's remove_dot_segments: RFC 3986 §5.2.4 plus collapsing empty
  // segments; a trailing '/' survives only if something is left before it.
  std::vector<std::string_view> segments;
  for (std::string_view seg : detail::split(raw_path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(seg);
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += uri_encode(segments[i]);
  }
  if (!segments.empty() && raw_path.ends_with('/')) out += '/';
  return out;
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view piece : detail::split(raw_query, '&')) {
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view raw_key = piece.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);
    auto key = url_decode(raw_key, /*plus_is_space=*/true);
    auto value = url_decode(raw_value, /*plus_is_space=*/true);
    std::string k = key ? std::move(*key) : std::string(raw_key);
    if (k == "X-Amz-Signature") continue;
    pairs.emplace_back(uri_encode(k), uri_encode(value ? *value : raw_value));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out += '&';
    out += pairs[i].first;
    out += '=';
    out += pairs[i].second;
  }
  return out;
}

std::string canonical_request(const HttpRequestView& req,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash) {
  std::string out;
  out.reserve(256 + req.query.size());
  out += req.method;
  out += '\n';
  out += canonical_uri(req.path);
  out += '\n';
  out += canonical_query(req.query);
  out += '\n';
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [k, v] : req.headers) {
      if (!iequals(k, name)) continue;
      if (!first) out += ',';
      first = false;
      append_normalized_value(out, v);
    }
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out += ';';
    out += signed_headers[i];
  }
  out += '\n';
  out += payload_hash;
  return out;
}

std::string credential_scope(std::string_view date8, std::string_view region,
                             std::string_view service) {
  std::string out;
  out.reserve(date8.size() + region.size() + service.size() + 16);
  out.append(date8).append("/").append(region).append("/").append(service).append("/");
  out += kTerminator;
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += sha256_hex(canonical_request);
  return out;
}

Sha256Digest signing_key(std::string_view secret, std::string_view date8, std::string_view region,
                         std::string_view service) {
  auto as_view = [](const Sha256Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  std::string k_secret = "AWS4";
  k_secret += secret;
  Sha256Digest k_date = hmac_sha256(k_secret, date8);
  Sha256Digest k_region = hmac_sha256(as_view(k_date), region);
  Sha256Digest k_service = hmac_sha256(as_view(k_region), service);
  return hmac_sha256(as_view(k_service), kTerminator);
}

std::string signature(const Sha256Digest& key, std::string_view string_to_sign) {
  std::string_view k(reinterpret_cast<const char*>(key.data()), key.size());
  return hex_encode(hmac_sha256(k, string_to_sign));
}

std::string payload_hash(const HttpRequestView& req) {
  if (const std::string* declared = find_header(req, "x-amz-content-sha256")) {
    return std::string(detail::trim(*declared));
  }
  return sha256_hex(req.body);
}

void sign(HttpRequestView& req, const Credentials& creds, std::string_view region,
          std::string_view service, std::string_view amz_date) {
  remove_header(req, "x-amz-date");
  remove_header(req, "authorization");
  req.headers.emplace_back("X-Amz-Date", std::string(amz_date));
  if (!creds.session_token.empty()) {
    remove_header(req, "x-amz-security-token");
    req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  std::vector<std::string> names;
  for (const auto& h : req.headers) {
    std::string lname = detail::to_lower(h.first);
    if (is_signable_by_default(lname)) names.push_back(std::move(lname));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::string date8(amz_date.substr(0, 8));
  std::string scope = credential_scope(date8, region, service);
  std::string creq = canonical_request(req, names, payload_hash(req));
  std::string sig = signature(signing_key(creds.secret_access_key, date8, region, service),
                              string_to_sign(amz_date, scope, creq));
  req.headers.emplace_back("Authorization",
                           authorization_value(creds.access_key_id, scope, names, sig));
}

void presign(HttpRequestView& req, const Credentials& creds, std::string_view region,
             std::string_view service, std::string_view amz_date, int64_t expires_seconds) {
  std::string date8(amz_date.substr(0, 8));
  std::string scope = credential_scope(date8, region, service);
  std::vector<std::pair<std::string, std::string>> params = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", creds.access_key_id + "/" + scope},
      {"X-Amz-Date", std::string(amz_date)},
      {"X-Amz-Expires", std::to_string(expires_seconds)},
      {"X-Amz-SignedHeaders", "host"},
  };
  if (!creds.session_token.empty())
    params.emplace_back("X-Amz-Security-Token", creds.session_token);
  for (const auto& [k, v] : params) {
    if (!req.query.empty()) req.query += '&';
    req.query += uri_encode(k);
    req.query += '=';
    req.query += uri_encode(v);
  }
  std::string creq = canonical_request(req, {"host"}, sha256_hex(req.body));
  std::string sig = signature(signing_key(creds.secret_access_key, date8, region, service),
                              string_to_sign(amz_date, scope, creq));
  req.query += "&X-Amz-Signature=";
  req.query += sig;
}

std::string format_amz_date(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  auto secs = floor<seconds>(tp);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string format_amz_date_ms(int64_t unix_ms) {
  using namespace std::chrono;
  return format_amz_date(
      system_clock::time_point(duration_cast<system_clock::duration>(milliseconds(unix_ms))));
}

std::optional<int64_t> parse_amz_date(std::string_view t) {
  using namespace std::chrono;
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return std::nullopt;
  if (!all_digits(t.substr(0, 8)) || !all_digits(t.substr(9, 6))) return std::nullopt;
  year_month_day ymd{year(to_int(t.substr(0, 4))),
                     month(static_cast<unsigned>(to_int(t.substr(4, 2)))),
                     day(static_cast<unsigned>(to_int(t.substr(6, 2))))};
  int hh = to_int(t.substr(9, 2)), mm = to_int(t.substr(11, 2)), ss = to_int(t.substr(13, 2));
  if (!ymd.ok() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  auto tp = sys_days(ymd) + hours(hh) + minutes(mm) + seconds(ss);
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

std::optional<std::string> http_date_to_amz_date(std::string_view t) {
  // IMF-fixdate: "Sun, 30 Aug 2015 12:36:00 GMT" (RFC 9110 §5.6.7), the only form HTTP/1.1
  // senders may generate.
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  t = detail::trim(t);
  if (t.size() != 29 || t.substr(3, 2) != ", " || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' ||
      t[19] != ':' || t[22] != ':' || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (t.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0) return std::nullopt;
  std::string out;
  out.append(t.substr(12, 4));
  char mm[3];
  std::snprintf(mm, sizeof mm, "%02d", month);
  out.append(mm);
  out.append(t.substr(5, 2));
  out += 'T';
  out.append(t.substr(17, 2)).append(t.substr(20, 2)).append(t.substr(23, 2));
  out += 'Z';
  if (!parse_amz_date(out)) return std::nullopt;
  return out;
}

}  // namespace tern::sigv4
