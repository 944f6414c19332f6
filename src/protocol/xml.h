#pragma once
// XmlWriter: builds the compact XML that the SQS query protocol answers with. Text and attribute
// values are escaped the way SQS does it (see escape_xml). An element closed without content is
// written as `<Name/>`, which is how AWS renders empty results (`<ReceiveMessageResult/>`).
// Thread-safety: a plain value type; one writer per response.

#include <string>
#include <string_view>
#include <vector>

namespace tern::protocol {

// Appends `in` to `out` with `&`, `<`, `>`, `"` and CR escaped. CR must be escaped: an XML
// parser turns a literal CR (or CRLF) into LF, which would change a message body and break the
// client's MD5 check. Tab and LF stay literal.
void escape_xml(std::string_view in, std::string& out);
std::string escape_xml(std::string_view in);

class XmlWriter {
 public:
  // Writes the `<?xml version="1.0"?>` declaration.
  void declaration();
  // Opens <name> (with one optional attribute, e.g. xmlns). REQUIRES: name is a valid XML name.
  void open(std::string_view name);
  void open(std::string_view name, std::string_view attr_name, std::string_view attr_value);
  // Closes the innermost open element. REQUIRES: an element is open.
  void close();
  // <name>escaped text</name>
  void element(std::string_view name, std::string_view text);
  // Escaped character data inside the current element.
  void text(std::string_view text);
  // Closes every open element and returns the document.
  std::string finish();
  // The document so far (elements may still be open).
  const std::string& str() const { return out_; }
  int depth() const { return static_cast<int>(stack_.size()); }

 private:
  void end_start_tag();

  std::string out_;
  std::vector<std::string> stack_;
  bool start_tag_open_ = false;  // "<name" written, ">" not yet: lets close() emit "/>"
};

}  // namespace tern::protocol
