#include "client/error.h"

namespace tern::client {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kService: return "service";
    case ErrorKind::kTransport: return "transport";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kChecksum: return "checksum";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kConfig: return "config";
    case ErrorKind::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::string ClientError::to_string() const {
  std::string s = !shape.empty() ? shape : code;
  if (s.empty()) s = std::string(client::to_string(kind));
  if (http_status != 0 || !request_id.empty()) {
    s += " (";
    if (http_status != 0) s += "HTTP " + std::to_string(http_status);
    if (!request_id.empty()) s += (http_status != 0 ? ", request " : "request ") + request_id;
    s += ")";
  }
  if (!message.empty()) s += ": " + message;
  return s;
}

}  // namespace tern::client
