#include "k8s/base64.h"

#include <gtest/gtest.h>

namespace sluice::k8s {
namespace {

TEST(Base64Test, DecodesPaddedInput) {
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("Zg=="), "f");
  EXPECT_EQ(DecodeBase64("Zm8="), "fo");
  EXPECT_EQ(DecodeBase64("Zm9v"), "foo");
  EXPECT_EQ(DecodeBase64("Zm9vYmFy"), "foobar");
  EXPECT_EQ(DecodeBase64("AP8A"), std::string("\0\xff\0", 3));
}

TEST(Base64Test, SkipsWhitespaceAndLineBreaks) {
  EXPECT_EQ(DecodeBase64(" Zm9v\nYmFy\r\n"), "foobar");
}

TEST(Base64Test, RejectsWhatIsNotBase64) {
  EXPECT_EQ(DecodeBase64("Zm9"), std::nullopt);     // unpadded
  EXPECT_EQ(DecodeBase64("Zm9-"), std::nullopt);    // URL alphabet
  EXPECT_EQ(DecodeBase64("%%%%"), std::nullopt);
  EXPECT_EQ(DecodeBase64("Zg==Zg=="), std::nullopt);  // padding in the middle
}

}  // namespace
}  // namespace sluice::k8s
