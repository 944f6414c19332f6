#include "engine/message_md5.h"

#include <gtest/gtest.h>

namespace tern::engine {
namespace {

MessageAttributeValue str(std::string type, std::string v) {
  MessageAttributeValue a;
  a.data_type = std::move(type);
  a.string_value = std::move(v);
  return a;
}

TEST(MessageMd5, MatchesSpecWorkedExample_WhenStringNumberAndBinary) {
  MessageAttributes attrs;
  attrs["City"] = str("String", "Any City");
  attrs["Population"] = str("Number", "1250800");
  MessageAttributeValue blob;
  blob.data_type = "Binary";
  blob.binary_value = std::string("\x00\x01\x02", 3);
  attrs["Blob"] = blob;
  EXPECT_EQ(md5_of_attributes(attrs), "69d43f899c5f825653b41c617787137a");
  attrs.erase("Blob");
  EXPECT_EQ(md5_of_attributes(attrs), "bf1eb494fecc925abadc71de4be9785c");
  attrs.erase("Population");
  EXPECT_EQ(md5_of_attributes(attrs), "0c32cb5c844c01fbd5b6b434b52cf670");
}

TEST(MessageMd5, MatchesDigestsRecordedOnAws_WhenSingleAttribute) {
  EXPECT_EQ(md5_of_attributes({{"Foo", str("String", "Bar")}}), "ae7155c6026991b6d54b11589678bf9c");
  EXPECT_EQ(md5_of_attributes({{"timestamp", str("Number", "1493147359900")}}),
            "235c5c510d26fb653d073faed50ae77c");
  EXPECT_EQ(md5_of_attributes({{"MyAttribute", str("String", "foobar")}}),
            "adb59cd4678ea5a855436b949cd07ab6");
  EXPECT_EQ(md5_of_attributes({{"attribName1", str("String", "attribValue 1")}}),
            "19e27d4e946b072f3f58da80d94fd778");
  MessageAttributeValue b;
  b.data_type = "Binary";
  b.binary_value = "Hello binary world!";
  EXPECT_EQ(md5_of_attributes({{"binaryAttribute", b}}), "31a92b15d92f8db860eda32aceb656c3");
}

TEST(MessageMd5, MatchesSpec_WhenSystemAttributeTraceHeader) {
  EXPECT_EQ(md5_of_attributes({{"AWSTraceHeader",
                                str("String",
                                    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent="
                                    "53995c3f42cd8ad8;Sampled=1")}}),
            "5ae4d5d7636402d80f4eb6d213245a88");
}

}  // namespace
}  // namespace tern::engine
