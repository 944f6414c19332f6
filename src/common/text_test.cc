#include "common/text.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(Text, UrlDecode_HandlesPlusAndEscapes_AndRejectsBadEscapes) {
  EXPECT_EQ(url_decode("x+y%2B%2F%3D", true).value(), "x y+/=");
  EXPECT_EQ(url_decode("x+y", false).value(), "x+y");
  EXPECT_FALSE(url_decode("%", true));
  EXPECT_FALSE(url_decode("%4", true));
  EXPECT_FALSE(url_decode("%zz", true));
}

TEST(Text, ParseForm_SplitsPairs_AndKeepsEmptyValues) {
  auto f = parse_form("Action=SendMessage&AttributeNames=&MessageBody=a+b&&x");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 4u);
  EXPECT_EQ((*f)[1].first, "AttributeNames");
  EXPECT_EQ((*f)[1].second, "");
  EXPECT_EQ((*f)[2].second, "a b");
  EXPECT_EQ((*f)[3].first, "x");
}

TEST(Text, ParseInt64_IsStrict) {
  EXPECT_EQ(parse_int64("42").value(), 42);
  EXPECT_EQ(parse_int64("-3").value(), -3);
  EXPECT_FALSE(parse_int64(""));
  EXPECT_FALSE(parse_int64("4x"));
  EXPECT_FALSE(parse_int64(" 4"));
  EXPECT_FALSE(parse_int64("99999999999999999999"));
}

TEST(Text, SqsTextRules) {
  EXPECT_TRUE(is_valid_sqs_text("hello\t\r\n"));
  EXPECT_TRUE(is_valid_sqs_text("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_sqs_text(std::string("\x00", 1)));
  EXPECT_FALSE(is_valid_sqs_text("\x08"));
  EXPECT_FALSE(is_valid_sqs_text("\xC3"));          // truncated
  EXPECT_FALSE(is_valid_sqs_text("\xC0\xAF"));      // overlong
  EXPECT_FALSE(is_valid_sqs_text("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_sqs_text("\xEF\xBF\xBF"));  // U+FFFF
}

TEST(Text, UriEncode_UsesUnreservedSet) {
  EXPECT_EQ(uri_encode("a b/c~"), "a%20b%2Fc~");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
}

}  // namespace
}  // namespace tern
