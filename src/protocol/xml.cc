#include "protocol/xml.h"

namespace tern::protocol {

void escape_xml(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        out += c;
    }
  }
}

std::string escape_xml(std::string_view in) {
  std::string out;
  escape_xml(in, out);
  return out;
}

void XmlWriter::declaration() { out_ += "<?xml version=\"1.0\"?>"; }

void XmlWriter::end_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

void XmlWriter::open(std::string_view name) {
  end_start_tag();
  out_ += '<';
  out_ += name;
  stack_.emplace_back(name);
  start_tag_open_ = true;
}

void XmlWriter::open(std::string_view name, std::string_view attr_name,
                     std::string_view attr_value) {
  open(name);
  out_ += ' ';
  out_ += attr_name;
  out_ += "=\"";
  escape_xml(attr_value, out_);
  out_ += '"';
}

void XmlWriter::close() {
  if (stack_.empty()) return;  // defensive: an unbalanced close must not crash a response
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
  } else {
    out_ += "</";
    out_ += stack_.back();
    out_ += '>';
  }
  stack_.pop_back();
}

void XmlWriter::element(std::string_view name, std::string_view text) {
  end_start_tag();
  out_ += '<';
  out_ += name;
  out_ += '>';
  escape_xml(text, out_);
  out_ += "</";
  out_ += name;
  out_ += '>';
}

void XmlWriter::text(std::string_view text) {
  end_start_tag();
  escape_xml(text, out_);
}

std::string XmlWriter::finish() {
  while (!stack_.empty()) close();
  return std::move(out_);
}

}  // namespace tern::protocol
