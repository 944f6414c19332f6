#include "cli/client_cmds.h"

#include <cstdio>
#include <functional>
#include <iostream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "client/sqs_client.h"
#include "common/crypto.h"

namespace tern::cli {
namespace json = boost::json;
namespace api = tern::engine;
using client::BlockingSqsClient;
using client::ClientError;

namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;

int report(const ClientError& e) {
  std::fprintf(stderr, "tern: %s\n", e.to_string().c_str());
  return e.kind == client::ErrorKind::kConfig ? kUsage : kFailed;
}

void print_json(const json::value& v) { std::cout << json::serialize(v) << "\n"; }

// "name=Type:value" -> a message attribute; Binary values are given in base64.
bool parse_message_attr(const std::string& text, api::MessageAttributes& out, std::string& why) {
  auto eq = text.find('=');
  auto colon = text.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos) {
    why = "expected name=Type:value, got '" + text + "'";
    return false;
  }
  api::MessageAttributeValue v;
  v.data_type = text.substr(eq + 1, colon - eq - 1);
  std::string value = text.substr(colon + 1);
  if (v.data_type.rfind("Binary", 0) == 0) {
    auto bytes = base64_decode(value);
    if (!bytes) {
      why = "Binary attribute value must be base64: '" + text + "'";
      return false;
    }
    v.binary_value = std::move(*bytes);
  } else {
    v.string_value = std::move(value);
  }
  out[text.substr(0, eq)] = std::move(v);
  return true;
}

bool parse_queue_attr(const std::string& text, api::AttributeMap& out, std::string& why) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    why = "expected Name=Value, got '" + text + "'";
    return false;
  }
  out[text.substr(0, eq)] = text.substr(eq + 1);
  return true;
}

std::unique_ptr<BlockingSqsClient> connect(const ClientCommands& s, int& code) {
  client::ClientOptions o;
  if (!s.endpoint.empty()) o.endpoint = s.endpoint;
  if (!s.region.empty()) o.region = s.region;
  if (!s.profile.empty()) o.profile = s.profile;
  auto c = BlockingSqsClient::create(o);
  if (!c) {
    code = report(c.error());
    return nullptr;
  }
  return std::move(c.value());
}

// Runs `body` with a connected client; its return value is the exit status.
void run(ClientCommands& s, const std::function<int(BlockingSqsClient&)>& body) {
  s.ran = true;
  int code = 0;
  auto c = connect(s, code);
  s.exit_code = c ? body(*c) : code;
}

void add_common(CLI::App* cmd, ClientCommands& s) {
  cmd->add_option("--endpoint", s.endpoint, "SQS endpoint URL (default: from env/.env/profile)");
  cmd->add_option("--region", s.region, "AWS region");
  cmd->add_option("--profile", s.profile, "Profile of ~/.aws/credentials and ~/.aws/config");
  cmd->add_flag("--json", s.json, "Print JSON for scripts");
}

// ---- queue ----------------------------------------------------------------------------------

int queue_create(ClientCommands& s, BlockingSqsClient& c) {
  api::CreateQueueRequest r;
  r.queue_name = s.name;
  std::string why;
  for (const auto& a : s.attrs) {
    if (!parse_queue_attr(a, r.attributes, why)) {
      std::fprintf(stderr, "tern: %s\n", why.c_str());
      return kUsage;
    }
  }
  if (s.fifo) r.attributes["FifoQueue"] = "true";
  auto res = c.create_queue(r);
  if (!res) return report(res.error());
  if (s.json) {
    print_json(json::object{{"QueueUrl", res->queue_url}});
  } else {
    std::cout << res->queue_url << "\n";
  }
  return 0;
}

int queue_list(ClientCommands& s, BlockingSqsClient& c) {
  api::ListQueuesRequest r;
  if (!s.prefix.empty()) r.queue_name_prefix = s.prefix;
  r.max_results = 1000;
  json::array urls;
  for (;;) {
    auto res = c.list_queues(r);
    if (!res) return report(res.error());
    for (const auto& u : res->queue_urls) {
      if (s.json) {
        urls.emplace_back(u);
      } else {
        std::cout << u << "\n";
      }
    }
    if (!res->next_token) break;
    r.next_token = res->next_token;
  }
  if (s.json) print_json(json::object{{"QueueUrls", std::move(urls)}});
  return 0;
}

int queue_url(ClientCommands& s, BlockingSqsClient& c) {
  auto res = c.get_queue_url({s.name, std::nullopt});
  if (!res) return report(res.error());
  if (s.json) {
    print_json(json::object{{"QueueUrl", res->queue_url}});
  } else {
    std::cout << res->queue_url << "\n";
  }
  return 0;
}

int queue_attrs(ClientCommands& s, BlockingSqsClient& c) {
  auto url = c.resolve_queue_url(s.queue);
  if (!url) return report(url.error());
  api::GetQueueAttributesRequest r{*url, s.names.empty() ? std::vector<std::string>{"All"} : s.names};
  auto res = c.get_queue_attributes(r);
  if (!res) return report(res.error());
  if (s.json) {
    json::object o;
    for (const auto& [k, v] : res->attributes) o[k] = v;
    print_json(json::object{{"Attributes", std::move(o)}});
  } else {
    size_t width = 0;
    for (const auto& [k, v] : res->attributes) width = std::max(width, k.size());
    for (const auto& [k, v] : res->attributes) {
      std::cout << k << std::string(width - k.size() + 2, ' ') << v << "\n";
    }
  }
  return 0;
}

template <class Req>
int queue_simple(ClientCommands& s, BlockingSqsClient& c, const char* done) {
  auto url = c.resolve_queue_url(s.queue);
  if (!url) return report(url.error());
  Req r;
  r.queue_url = *url;
  auto res = c.call(r);
  if (!res) return report(res.error());
  if (s.json) {
    print_json(json::object{{"QueueUrl", *url}, {"Result", done}});
  } else {
    std::cout << done << " " << *url << "\n";
  }
  return 0;
}

// ---- send / receive --------------------------------------------------------------------------

int send(ClientCommands& s, BlockingSqsClient& c) {
  api::SendMessageRequest r;
  std::string why;
  for (const auto& a : s.attrs) {
    if (!parse_message_attr(a, r.message_attributes, why)) {
      std::fprintf(stderr, "tern: %s\n", why.c_str());
      return kUsage;
    }
  }
  auto url = c.resolve_queue_url(s.queue);
  if (!url) return report(url.error());
  r.queue_url = *url;
  r.message_body = s.body;
  if (s.delay) r.delay_seconds = *s.delay;
  if (!s.group.empty()) r.message_group_id = s.group;
  if (!s.dedup.empty()) r.message_deduplication_id = s.dedup;
  auto res = c.send_message(r);
  if (!res) return report(res.error());
  if (s.json) {
    json::object o{{"MessageId", res->message_id}, {"MD5OfMessageBody", res->md5_of_message_body}};
    if (res->md5_of_message_attributes) o["MD5OfMessageAttributes"] = *res->md5_of_message_attributes;
    if (res->sequence_number) o["SequenceNumber"] = *res->sequence_number;
    print_json(o);
  } else {
    std::cout << "sent " << res->message_id;
    if (res->sequence_number) std::cout << " (sequence " << *res->sequence_number << ")";
    std::cout << "\n";
  }
  return 0;
}

json::object message_json(const api::Message& m) {
  json::object o{{"MessageId", m.message_id},
                 {"ReceiptHandle", m.receipt_handle},
                 {"MD5OfBody", m.md5_of_body},
                 {"Body", m.body}};
  if (!m.attributes.empty()) {
    json::object a;
    for (const auto& [k, v] : m.attributes) a[k] = v;
    o["Attributes"] = std::move(a);
  }
  if (!m.message_attributes.empty()) {
    json::object a;
    for (const auto& [k, v] : m.message_attributes) {
      json::object av{{"DataType", v.data_type}};
      if (v.string_value) av["StringValue"] = *v.string_value;
      if (v.binary_value) av["BinaryValue"] = base64_encode(*v.binary_value);
      a[k] = std::move(av);
    }
    o["MessageAttributes"] = std::move(a);
  }
  return o;
}

int receive(ClientCommands& s, BlockingSqsClient& c) {
  auto url = c.resolve_queue_url(s.queue);
  if (!url) return report(url.error());
  api::ReceiveMessageRequest r;
  r.queue_url = *url;
  r.max_number_of_messages = s.count;
  r.wait_time_seconds = s.wait;
  if (s.visibility) r.visibility_timeout = *s.visibility;
  r.attribute_names = {"All"};
  r.message_attribute_names = {"All"};
  auto res = c.receive_message(r);
  if (!res) return report(res.error());
  int code = 0;
  if (s.delete_after && !res->messages.empty()) {
    api::DeleteMessageBatchRequest d;
    d.queue_url = *url;
    for (size_t i = 0; i < res->messages.size(); ++i) {
      d.entries.push_back({std::to_string(i), res->messages[i].receipt_handle});
    }
    auto del = c.delete_message_batch(d);
    if (!del) {
      code = report(del.error());
    } else if (!del->failed.empty()) {
      std::fprintf(stderr, "tern: %zu message(s) not deleted: %s\n", del->failed.size(),
                   del->failed[0].error.message.c_str());
      code = kFailed;
    }
  }
  if (s.json) {
    json::array arr;
    for (const auto& m : res->messages) arr.emplace_back(message_json(m));
    print_json(json::object{{"Messages", std::move(arr)}});
    return code;
  }
  if (res->messages.empty()) std::cout << "no messages\n";
  for (const auto& m : res->messages) {
    std::cout << "--- " << m.message_id << "\n";
    for (const auto& [k, v] : m.attributes) {
      if (k == "ApproximateReceiveCount" || k == "MessageGroupId" || k == "SequenceNumber") {
        std::cout << k << ": " << v << "\n";
      }
    }
    for (const auto& [k, v] : m.message_attributes) {
      std::cout << "attr " << k << " (" << v.data_type << "): "
                << (v.string_value ? *v.string_value
                                   : v.binary_value ? base64_encode(*v.binary_value) : "")
                << "\n";
    }
    std::cout << m.body << "\n";
    if (!s.delete_after) std::cout << "receipt: " << m.receipt_handle << "\n";
  }
  return code;
}

}  // namespace

void add_client_commands(CLI::App& app, ClientCommands& s) {
  auto* queue = app.add_subcommand("queue", "Create, list, inspect, purge and delete queues");
  queue->require_subcommand(1);

  auto* create = queue->add_subcommand("create", "Create a queue and print its URL");
  create->add_option("NAME", s.name, "Queue name (.fifo suffix for FIFO)")->required();
  create->add_option("--attr", s.attrs, "Queue attribute Name=Value (repeatable)");
  create->add_flag("--fifo", s.fifo, "Set FifoQueue=true");
  add_common(create, s);
  create->callback([&s] { run(s, [&s](auto& c) { return queue_create(s, c); }); });

  auto* list = queue->add_subcommand("list", "List queue URLs");
  list->add_option("--prefix", s.prefix, "Only names starting with this");
  add_common(list, s);
  list->callback([&s] { run(s, [&s](auto& c) { return queue_list(s, c); }); });

  auto* url = queue->add_subcommand("url", "Print the URL of a queue");
  url->add_option("NAME", s.name, "Queue name")->required();
  add_common(url, s);
  url->callback([&s] { run(s, [&s](auto& c) { return queue_url(s, c); }); });

  auto* attrs = queue->add_subcommand("attrs", "Print queue attributes");
  attrs->add_option("QUEUE", s.queue, "Queue name or URL")->required();
  attrs->add_option("NAMES", s.names, "Attribute names (default All)");
  add_common(attrs, s);
  attrs->callback([&s] { run(s, [&s](auto& c) { return queue_attrs(s, c); }); });

  auto* purge = queue->add_subcommand("purge", "Delete every message of a queue");
  purge->add_option("QUEUE", s.queue, "Queue name or URL")->required();
  add_common(purge, s);
  purge->callback([&s] {
    run(s, [&s](auto& c) { return queue_simple<api::PurgeQueueRequest>(s, c, "purged"); });
  });

  auto* del = queue->add_subcommand("delete", "Delete a queue");
  del->add_option("QUEUE", s.queue, "Queue name or URL")->required();
  add_common(del, s);
  del->callback([&s] {
    run(s, [&s](auto& c) { return queue_simple<api::DeleteQueueRequest>(s, c, "deleted"); });
  });

  auto* snd = app.add_subcommand("send", "Send one message");
  snd->add_option("QUEUE", s.queue, "Queue name or URL")->required();
  snd->add_option("BODY", s.body, "Message body")->required();
  snd->add_option("--attr", s.attrs, "Message attribute name=Type:value (Binary: base64)");
  snd->add_option("--delay", s.delay, "DelaySeconds (0-900)");
  snd->add_option("--group", s.group, "MessageGroupId (FIFO)");
  snd->add_option("--dedup", s.dedup, "MessageDeduplicationId (FIFO)");
  add_common(snd, s);
  snd->callback([&s] { run(s, [&s](auto& c) { return send(s, c); }); });

  auto* rcv = app.add_subcommand("receive", "Receive messages (and optionally delete them)");
  rcv->add_option("QUEUE", s.queue, "Queue name or URL")->required();
  rcv->add_option("--count", s.count, "MaxNumberOfMessages (1-10)")->capture_default_str();
  rcv->add_option("--wait", s.wait, "WaitTimeSeconds (0-20)")->capture_default_str();
  rcv->add_option("--visibility", s.visibility, "VisibilityTimeout for these messages");
  rcv->add_flag("--delete", s.delete_after, "Delete the messages after printing them");
  add_common(rcv, s);
  rcv->callback([&s] { run(s, [&s](auto& c) { return receive(s, c); }); });
}

}  // namespace tern::cli
