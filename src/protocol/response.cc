#include "protocol/response.h"

#include <string>

#include <boost/json/serialize.hpp>

namespace tern::protocol {
namespace internal {

WireResponse json_success(const boost::json::object& body, std::string_view request_id) {
  WireResponse r;
  r.status = 200;
  r.content_type = kJsonContentType;
  r.body = boost::json::serialize(body);
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return r;
}

void xml_begin(XmlWriter& w, std::string_view action, bool has_result) {
  w.declaration();
  w.open(std::string(action) + "Response", "xmlns", kQueryXmlNamespace);
  if (has_result) w.open(std::string(action) + "Result");
}

WireResponse xml_end(XmlWriter& w, bool has_result, std::string_view request_id) {
  if (has_result) w.close();
  w.open("ResponseMetadata");
  w.element("RequestId", request_id);
  w.close();
  WireResponse r;
  r.status = 200;
  r.content_type = kXmlContentType;
  r.body = w.finish();
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return r;
}

}  // namespace internal

WireResponse encode_error(Protocol protocol, const engine::Error& error,
                          std::string_view request_id, int http_status_override) {
  return render_error(protocol, error, request_id, http_status_override);
}

WireResponse encode_error(const ClassifyError& error, std::string_view request_id) {
  return render_error(error.protocol, error.error, request_id, error.http_status_override);
}

}  // namespace tern::protocol
