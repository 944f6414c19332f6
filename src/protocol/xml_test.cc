#include "protocol/xml.h"

#include <gtest/gtest.h>

namespace tern::protocol {
namespace {

TEST(XmlEscape, EscapesMarkupQuoteAndCarriageReturn_WhenPresent) {
  EXPECT_EQ(escape_xml("a&b<c>d\"e\rf"), "a&amp;b&lt;c&gt;d&quot;e&#xD;f");
}

TEST(XmlEscape, KeepsTabLineFeedApostropheAndUtf8_WhenPresent) {
  EXPECT_EQ(escape_xml("a\tb\nc'd \xC3\xB8"), "a\tb\nc'd \xC3\xB8");
}

TEST(XmlEscape, EscapesEachCrOfCrLf_WhenBodyHasWindowsLineEnds) {
  EXPECT_EQ(escape_xml("x\r\ny\r\n"), "x&#xD;\ny&#xD;\n");
}

TEST(XmlWriter, WritesSelfClosingTag_WhenElementHasNoContent) {
  XmlWriter w;
  w.open("ReceiveMessageResult");
  w.close();
  EXPECT_EQ(w.finish(), "<ReceiveMessageResult/>");
}

TEST(XmlWriter, NestsAndEscapes_WhenBuildingDocument) {
  XmlWriter w;
  w.declaration();
  w.open("R", "xmlns", "a\"b");
  w.element("Body", "1 < 2 & 3\r");
  w.open("Inner");
  w.text("t>");
  w.close();
  EXPECT_EQ(w.depth(), 1);
  EXPECT_EQ(w.finish(),
            "<?xml version=\"1.0\"?><R xmlns=\"a&quot;b\"><Body>1 &lt; 2 &amp; 3&#xD;</Body>"
            "<Inner>t&gt;</Inner></R>");
}

TEST(XmlWriter, IgnoresExtraClose_WhenNothingIsOpen) {
  XmlWriter w;
  w.close();
  w.element("A", "");
  w.close();
  EXPECT_EQ(w.finish(), "<A></A>");
}

}  // namespace
}  // namespace tern::protocol
