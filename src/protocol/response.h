#pragma once
// Success and error responses in either protocol. JSON: `application/x-amz-json-1.0`, the
// result's members (`{}` for actions without output). Query: `text/xml`,
// `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata>…`, with no
// Result element for actions without output. Every response carries `x-amzn-RequestId`; the
// server adds Date. Pure functions; thread-safe.

#include <string_view>
#include <type_traits>

#include <boost/json/object.hpp>

#include "engine/api.h"
#include "protocol/codec.h"
#include "protocol/errors.h"
#include "protocol/wire.h"
#include "protocol/xml.h"

namespace tern::protocol {

namespace internal {
WireResponse json_success(const boost::json::object& body, std::string_view request_id);
// Opens `<{Action}Response xmlns=…>` and, unless `has_result` is false, `<{Action}Result>`.
void xml_begin(XmlWriter& w, std::string_view action, bool has_result);
// Closes the Result (if open), writes ResponseMetadata and closes the Response.
WireResponse xml_end(XmlWriter& w, bool has_result, std::string_view request_id);
}  // namespace internal

// REQUIRES: `action` is the name of the action that produced `result` (e.g. "SendMessage").
template <class R>
WireResponse encode_success(Protocol protocol, std::string_view action, const R& result,
                            std::string_view request_id) {
  if (protocol == Protocol::kJson) {
    boost::json::object body;
    encode_json(result, body);
    return internal::json_success(body, request_id);
  }
  constexpr bool kHasResult = !std::is_same_v<R, engine::Empty>;
  XmlWriter w;
  internal::xml_begin(w, action, kHasResult);
  encode_xml(result, w);
  return internal::xml_end(w, kHasResult, request_id);
}

// The error response for `error`; see errors.h for the table and the texts.
WireResponse encode_error(Protocol protocol, const engine::Error& error,
                          std::string_view request_id, int http_status_override = 0);
// The error response for a request that could not be classified.
WireResponse encode_error(const ClassifyError& error, std::string_view request_id);

}  // namespace tern::protocol
