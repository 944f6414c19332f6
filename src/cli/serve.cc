#include "cli/serve.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include "cli/declared_queues.h"
#include "cli/logging.h"
#include "engine/engine.h"
#include "engine/log_journal.h"
#include "server/dispatcher.h"
#include "server/http_server.h"
#include "sigv4/credentials_file.h"

namespace tern::cli {
namespace asio = boost::asio;

void add_serve_command(CLI::App& app, ServeCommand& c) {
  ServeOptions& o = c.flags;
  auto* serve = app.add_subcommand(
      "serve",
      "Run the SQS-compatible broker. Every option can also be set in the config file (the "
      "option's name without dashes as the key) or the environment (TERN_ and the name in "
      "capitals: TERN_DATA_DIR); a flag beats the environment, which beats the file.");
  auto& opts = c.options;
  serve->add_option("--config", c.config_file,
                    "TOML config file: the options below and [[queues]] to create at start "
                    "(default: $TERN_CONFIG, else none)");
  serve->add_flag("--print-config", c.print_config,
                  "Print the effective configuration as TOML and exit");
  opts["host"] = serve->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  opts["port"] = serve->add_option("--port", o.port, "TCP port (0 picks a free one)")
                     ->check(CLI::Range(0, 65535))
                     ->capture_default_str();
  opts["region"] =
      serve->add_option("--region", o.region, "Region in queue ARNs")->capture_default_str();
  opts["account-id"] =
      serve->add_option("--account-id", o.account_id, "Account id in queue URLs and ARNs")
          ->check([](const std::string& v) {
            if (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos) {
              return std::string("must be 12 digits");
            }
            return std::string();
          })
          ->capture_default_str();
  opts["threads"] = serve->add_option("--threads", o.threads, "I/O threads (0: one per core)")
                        ->check(CLI::Range(0, 256));
  opts["public-url"] = serve->add_option(
      "--public-url", o.public_url,
      "Base URL clients use to reach this server, for queue URLs (default http://<host>:<port>)");
  opts["credentials"] =
      serve
          ->add_option("--credentials", o.credentials_file,
                       "INI file of SigV4 keys (~/.aws/credentials format, optional queues= and "
                       "actions= per key); when given, every request must be signed by one of "
                       "them")
          ->check(CLI::ExistingFile);
  opts["allow-unauthenticated"] =
      serve->add_flag("--allow-unauthenticated", o.allow_unauthenticated,
                      "Listen on a non-loopback address without --credentials");
  opts["data-dir"] = serve->add_option("--data-dir", o.data_dir, "Directory of the durable log")
                         ->capture_default_str();
  opts["durability"] = serve
                           ->add_option("--durability", o.durability,
                                        "sync: answer after fdatasync (group commit); async: "
                                        "sync every 5 ms; memory: no disk")
                           ->check(CLI::IsMember({"sync", "async", "memory"}))
                           ->capture_default_str();
  opts["log-level"] =
      serve->add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
          ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
          ->capture_default_str();
  opts["log-format"] =
      serve->add_option("--log-format", o.log_format, "text, or json (one JSON object per line)")
          ->check(CLI::IsMember({"text", "json"}))
          ->capture_default_str();
  opts["request-log"] = serve->add_flag(
      "--request-log", o.request_log,
      "Log one line per request: method, path, action, status, duration, bytes in and out");
}

namespace {
bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}
}  // namespace

int run_serve(const ServeCommand& c) {
  configure_logging("info", "text", false);  // until the configuration says otherwise
  ConfigInputs in;
  in.config_file = c.config_file;
  in.env = tern_environment();
  in.flags = c.flags;
  for (const auto& [key, opt] : c.options) {
    if (opt->count() > 0) in.given.insert(key);
  }
  auto resolved = resolve_serve_options(in);
  if (!resolved) {
    spdlog::error("tern serve: {}", resolved.error());
    return 2;
  }
  if (c.print_config) {
    std::fputs(to_toml(*resolved).c_str(), stdout);
    std::fflush(stdout);
    return 0;
  }
  configure_logging(resolved->log_level, resolved->log_format, resolved->request_log);
  return run_server(*resolved);
}

int run_server(const ServeOptions& o) {
  std::shared_ptr<const sigv4::CredentialStore> credentials;
  if (!o.credentials_file.empty()) {
    auto loaded = sigv4::load_credentials_file(o.credentials_file);
    if (!loaded) {
      spdlog::error("credentials: {}", loaded.error());
      return 2;
    }
    credentials = std::make_shared<const sigv4::CredentialStore>(std::move(*loaded));
  } else if (!is_loopback(o.host) && !o.allow_unauthenticated) {
    spdlog::error(
        "refusing to listen on {} without --credentials: anyone who can reach it could read and "
        "delete messages. Give --credentials FILE, or --allow-unauthenticated if that is really "
        "what you want.",
        o.host);
    return 2;
  }
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  // One io_context per thread: a connection lives on one thread, so its coroutine needs no
  // strand. Context 0 also runs the acceptor, signals and timers.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::io_context*> workers;
  for (int i = 0; i < threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>());
    workers.push_back(contexts.back().get());
  }
  asio::io_context& ioc = *contexts[0];
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto* c : workers) guards.push_back(asio::make_work_guard(*c));
  engine::EngineOptions eo;
  eo.region = o.region;
  eo.account_id = o.account_id;
  std::unique_ptr<engine::LogJournal> journal;
  if (o.durability != "memory") journal = std::make_unique<engine::LogJournal>();
  eo.journal = journal.get();
  engine::Engine engine(eo);  // base_url is set once the port is known (port 0)
  server::DispatcherOptions dopts;
  dopts.credentials = credentials;
  server::Dispatcher dispatcher(engine, dopts);
  server::HttpServerOptions so;
  so.host = o.host;
  so.port = static_cast<uint16_t>(o.port);
  so.journal = journal.get();
  if (o.request_log) so.request_log = &log_request;
  server::HttpServer server(ioc, workers, dispatcher, so);
  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}:{}: {}", o.host, o.port, e.what());
    return 1;
  }
  std::string url = o.public_url;
  if (url.empty()) {
    std::string host = o.host;
    if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    url = "http://" + host + ":" + std::to_string(server.port());
  }
  engine.set_base_url(url);  // before recovery creates queues: their URLs use it
  if (journal) {
    engine::LogJournalOptions jo;
    jo.dir = o.data_dir;
    jo.mode = o.durability == "async" ? storage::Durability::kAsync : storage::Durability::kSync;
    storage::RecoveryReport report;
    auto st = journal->open(storage::default_env(), jo, engine, &report);
    if (!st.ok()) {
      spdlog::error("cannot open the log in {}: {}", o.data_dir, st.to_string());
      return 1;
    }
    spdlog::info("recovered {} records from {} segments in {}", report.records, report.segments,
                 o.data_dir);
    if (report.tail_truncated) spdlog::warn("{}", report.to_string());
  }
  if (!o.queues.empty()) {
    auto declared = create_declared_queues(engine, o.queues);
    if (!declared) {
      spdlog::error("declared queues: {}", declared.error());
      if (journal) (void)journal->close();
      return 2;
    }
    for (const auto& name : declared->created) spdlog::info("created declared queue {}", name);
    for (const auto& name : declared->existing) {
      spdlog::info("declared queue {} exists; left as it is", name);
    }
    for (const auto& w : declared->warnings) spdlog::warn("{}", w);
  }

  // Time-driven engine work (message move tasks).
  asio::steady_timer ticker(ioc);
  std::function<void()> tick = [&] {
    engine.tick();
    ticker.expires_after(std::chrono::milliseconds(50));
    ticker.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  tick();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  std::function<void()> wait_drained;
  auto deadline = std::chrono::steady_clock::now();
  wait_drained = [&] {
    if (server.in_flight() == 0 || std::chrono::steady_clock::now() >= deadline) {
      for (auto* c : workers) c->stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](boost::system::error_code) { wait_drained(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}, draining", sig);
    server.stop();
    ticker.cancel();
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    wait_drained();
  });

  spdlog::info(
      "listening on {}:{}, queue URLs {}/{}/<name>, {} threads, {}, durability {}{}{}; "
      "metrics at {}/metrics",
      o.host, server.port(), url, o.account_id, threads,
      credentials ? "SigV4 required" : "any signature accepted", o.durability,
      journal ? " in " : "", journal ? o.data_dir : "", url);
  spdlog::info("dashboard at {}/ui{}", url,
               credentials ? " (log in with an access key id and its secret)" : "");
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([c = workers[i]] { c->run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  if (journal) {
    auto st = journal->close();
    if (!st.ok()) spdlog::error("closing the log: {}", st.to_string());
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace tern::cli
