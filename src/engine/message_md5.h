#pragma once
// MD5OfMessageAttributes / MD5OfMessageSystemAttributes, encoded exactly as SQS does (spec §5.2):
// attributes sorted by name; for each, 4-byte big-endian length + bytes of the name and of the
// data type, one transport byte (1 string, 2 binary, 3 string list, 4 binary list) and the
// length-prefixed value(s). Pure and thread-safe.

#include <string>

#include "engine/api.h"

namespace tern::engine {

std::string md5_of_attributes(const MessageAttributes& attributes);

}  // namespace tern::engine
