#pragma once
// What the three service executables share: logging, signals, the io threads, start-up checks.
// Thread-safety: log() from any thread (one line per call, whole).

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "client/sqs_client.h"
#include "config.h"

namespace shop {

// "2024-05-01T12:00:00.123Z shop-mileage: text" on stderr.
void log(const std::string& service, const std::string& text);
// `text` alone on stdout, flushed (the tutorial's console.log lines, e.g. "newMileage: 4700.00").
void print_line(const std::string& text);
// Several such lines, written and flushed together.
void print_lines(const std::vector<std::string>& lines);

// Prints "<service>: <why>" and exits with status 2.
[[noreturn]] void die(const std::string& service, const std::string& why);

// Blocks SIGINT and SIGTERM in the calling thread; call first in main() so every thread started
// later inherits the mask and wait_for_stop_signal() is the only place they are taken.
void block_stop_signals();
// Waits for SIGINT or SIGTERM; returns its name.
std::string wait_for_stop_signal();

// Creates the directory (and parents); an error message on failure.
tern::Expected<bool, std::string> ensure_directory(const std::string& path);

// An io_context run by `threads` threads until shutdown().
class IoThreads {
 public:
  explicit IoThreads(int threads);
  ~IoThreads();
  boost::asio::io_context& context() { return ioc_; }
  void shutdown();  // lets pending work finish, then joins

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

// The SQS client for a service, or die() with the setting to fix.
std::unique_ptr<tern::client::SqsClient> make_client(const std::string& service,
                                                     boost::asio::io_context& ioc,
                                                     const ShopConfig& config);

}  // namespace shop
