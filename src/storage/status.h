#pragma once
// Status: the outcome of a storage operation, a code and a human-readable message. Storage never
// throws across its boundary; every fallible call returns a Status or a Result<T>.
//
// Thread-safety: a plain value type; distinct objects may be used from distinct threads.

#include <string>
#include <string_view>
#include <utility>

#include "common/expected.h"

namespace tern::storage {

class Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kIoError,          // the OS refused a read or write (errno text in the message)
    kCorruption,       // bytes on disk fail a checksum or a structural check
    kNotFound,         // a file, segment or record that does not exist
    kInvalidArgument,  // a caller error (REQUIRES violated), never a disk problem
    kReadOnly,         // an earlier write or fdatasync failed; the log refuses writes for good
  };

  Status() = default;  // OK

  static Status io_error(std::string_view msg) { return Status(Code::kIoError, msg); }
  // "what" plus strerror(err), e.g. io_error_from_errno("fdatasync /d/1.log", EIO).
  static Status io_error_from_errno(std::string_view what, int err);
  static Status corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status not_found(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status invalid_argument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status read_only(std::string_view msg) { return Status(Code::kReadOnly, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool is_io_error() const { return code_ == Code::kIoError; }
  bool is_corruption() const { return code_ == Code::kCorruption; }
  bool is_not_found() const { return code_ == Code::kNotFound; }
  bool is_invalid_argument() const { return code_ == Code::kInvalidArgument; }
  bool is_read_only() const { return code_ == Code::kReadOnly; }

  // "OK" or "<code name>: <message>".
  std::string to_string() const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view code_name(Status::Code code);

template <class T>
using Result = tern::Expected<T, Status>;

// Wraps a non-OK status so that it converts to any Result<T>.
// REQUIRES: !s.ok().
inline tern::Unexpected<Status> error(Status s) { return {std::move(s)}; }

}  // namespace tern::storage
