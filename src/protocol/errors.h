#pragma once
// The one table that maps each engine::ErrorCode to its wire identity (spec §1.7): the query
// code (also sent in `x-amzn-query-error` and used as a batch entry's Code), the JSON shape name
// (`__type`), the HTTP status and whether the fault is the sender's. Plus the renderers for error
// responses in both protocols. Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "engine/api.h"
#include "protocol/wire.h"

namespace tern::protocol {

struct ErrorInfo {
  engine::ErrorCode code;
  std::string_view query_code;       // e.g. "AWS.SimpleQueueService.NonExistentQueue"
  std::string_view shape;            // `__type`, e.g. "com.amazonaws.sqs#QueueDoesNotExist"
  int http_status;                   // the Query-era status, used for both protocols
  bool sender_fault;                 // XML <Type>Sender</Type> vs Receiver
  std::string_view default_message;  // used when the error carries no message
};

// Never fails: an out-of-range code maps to InternalFailure's row.
const ErrorInfo& error_info(engine::ErrorCode code);
std::string_view query_code(engine::ErrorCode code);

// The message the client sees in `protocol`. QueueDoesNotExist has fixed, protocol-specific
// texts on AWS; other errors use their own message, or the table's default when empty.
std::string error_message(Protocol protocol, const engine::Error& error);

// Full error responses. JSON: `{"__type":…,"message":…}` with `x-amzn-query-error` and
// `X-Amzn-ErrorType`; query: `<ErrorResponse>` (or AWS's bare `<UnknownOperationException/>`).
// Both carry `x-amzn-RequestId`. `http_status_override` (non-zero) replaces the table's status.
WireResponse render_error(Protocol protocol, const engine::Error& error,
                          std::string_view request_id, int http_status_override = 0);

}  // namespace tern::protocol
