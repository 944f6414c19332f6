#include "storage/status.h"

#include <cstring>

namespace tern::storage {

Status Status::io_error_from_errno(std::string_view what, int err) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  return Status(Code::kIoError, msg);
}

std::string_view code_name(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kIoError:
      return "IO error";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kNotFound:
      return "Not found";
    case Status::Code::kInvalidArgument:
      return "Invalid argument";
    case Status::Code::kReadOnly:
      return "Read-only";
  }
  return "Unknown";
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  std::string s(code_name(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace tern::storage
