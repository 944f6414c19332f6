#pragma once
// ClientError: everything that can go wrong with an SQS call, as a value. The client never throws
// for bad input, network trouble or service errors; every call returns Result<T>.
//
// Service errors carry the AWS code as the Query protocol names it (from the
// `x-amzn-query-error` header, e.g. "AWS.SimpleQueueService.NonExistentQueue"), falling back to
// the JSON `__type` shape name when the header is absent, plus the shape name itself, so that
// `is("QueueDoesNotExist")` and `is("AWS.SimpleQueueService.NonExistentQueue")` both work.
// Thread-safety: plain value types.

#include <string>
#include <string_view>

#include "common/expected.h"

namespace tern::client {

enum class ErrorKind {
  kService,    // the server answered with an error response
  kTransport,  // DNS, connect, TLS, reset, EOF before a full response
  kTimeout,    // connect or read deadline passed
  kChecksum,   // an MD5 in the reply does not match what was sent or received
  kProtocol,   // the reply is not what the JSON 1.0 protocol promises
  kConfig,     // bad endpoint, no credentials, unreadable profile files
  kCancelled,  // the caller cancelled the operation
};

std::string_view to_string(ErrorKind kind);

struct ClientError {
  ErrorKind kind = ErrorKind::kService;
  std::string code;     // Query-style code; for non-service kinds a fixed name (see client.cc)
  std::string shape;    // `__type` after '#' and before ':', empty unless kService
  std::string message;
  int http_status = 0;  // 0 when no response arrived
  std::string request_id;
  bool retryable = false;  // what the retry policy decided for this error
  bool sender_fault = true;

  // True when `name` equals the code or the shape name.
  bool is(std::string_view name) const { return code == name || shape == name; }
  // "QueueDoesNotExist (HTTP 400, request 1234): The specified queue does not exist."
  std::string to_string() const;
};

template <class T>
using Result = tern::Expected<T, ClientError>;

inline tern::Unexpected<ClientError> client_fail(ErrorKind kind, std::string code,
                                                 std::string message) {
  ClientError e;
  e.kind = kind;
  e.code = std::move(code);
  e.message = std::move(message);
  e.sender_fault = kind != ErrorKind::kService;
  return {std::move(e)};
}

}  // namespace tern::client
