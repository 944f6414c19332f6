#include "service.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "sqlite.h"

namespace shop {
namespace {
std::mutex g_out_mu;
}  // namespace

void log(const std::string& service, const std::string& text) {
  std::lock_guard lock(g_out_mu);
  std::fprintf(stderr, "%s %s: %s\n", iso8601(now_ms()).c_str(), service.c_str(), text.c_str());
  std::fflush(stderr);
}

void print_line(const std::string& text) {
  std::lock_guard lock(g_out_mu);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void print_lines(const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  std::string out;
  for (const auto& l : lines) {
    out += l;
    out += '\n';
  }
  std::lock_guard lock(g_out_mu);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

void die(const std::string& service, const std::string& why) {
  {
    std::lock_guard lock(g_out_mu);
    std::fprintf(stderr, "%s: %s\n", service.c_str(), why.c_str());
    std::fflush(stderr);
  }
  std::exit(2);
}

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A closed stdout pipe must not kill a service that is only logging.
  signal(SIGPIPE, SIG_IGN);
}

std::string wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

tern::Expected<bool, std::string> ensure_directory(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return tern::unexpected("cannot create " + path + ": " + ec.message());
  return true;
}

IoThreads::IoThreads(int threads)
    : work_(std::make_unique<
            boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          ioc_.get_executor())) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

IoThreads::~IoThreads() { shutdown(); }

void IoThreads::shutdown() {
  work_.reset();
  // Whatever is still parked (an idle keep-alive connection, a timer) must not hold us forever.
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::unique_ptr<tern::client::SqsClient> make_client(const std::string& service,
                                                     boost::asio::io_context& ioc,
                                                     const ShopConfig& config) {
  auto options = client_options(config);
  options.request_timeout = std::chrono::seconds(10);
  auto client = tern::client::SqsClient::create(ioc.get_executor(), options);
  if (!client) {
    die(service, "cannot configure the SQS client (set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY, or AWS_ENDPOINT_URL_SQS): " +
                     client.error().to_string());
  }
  const auto& resolved = (*client)->config();
  log(service, "SQS endpoint " + resolved.endpoint_url + " (" + config.endpoint_source +
                   "), region " + resolved.region + ", credentials from " +
                   resolved.credentials_source);
  return std::move(*client);
}

}  // namespace shop
