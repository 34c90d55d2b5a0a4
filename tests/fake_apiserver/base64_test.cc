#include <gtest/gtest.h>

#include "fake_apiserver/base64.h"
#include "fake_apiserver/continue_token.h"

namespace sluice::fake_apiserver {
namespace {

TEST(Base64, RoundTripsEveryLengthInBothAlphabets) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    for (auto alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlUnpadded}) {
      auto decoded = Base64Decode(Base64Encode(bytes, alphabet));
      ASSERT_TRUE(decoded) << n;
      EXPECT_EQ(*decoded, bytes) << n;
    }
    bytes.push_back(static_cast<char>(n * 37 + 250));
  }
  EXPECT_EQ(Base64Encode("any carnal pleas", Base64Alphabet::kStandard), "YW55IGNhcm5hbCBwbGVhcw==");
  EXPECT_FALSE(Base64Decode("a$bc"));
}

// The token of tests/fixtures/k8s-wire/services-list-page1.json, written by
// kube-apiserver v1.36 after the item /shop/db at RV 228.
constexpr char kCapturedToken[] =
    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjI4LCJzdGFydCI6Ii9zaG9wL2RiXHUwMDAwIn0";

TEST(ContinueToken, HasTheRealServersFormat) {
  EXPECT_EQ(EncodeContinueToken(228, "/shop/db"), kCapturedToken);
  auto token = DecodeContinueToken(kCapturedToken);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->resource_version, 228u);
  EXPECT_EQ(token->start, std::string("/shop/db\0", 9));
}

TEST(ContinueToken, RejectsWhatTheServerCouldNotHaveWritten) {
  EXPECT_FALSE(DecodeContinueToken("not base64!"));
  EXPECT_FALSE(DecodeContinueToken(Base64Encode("{\"v\":\"x\",\"rv\":1,\"start\":\"a\"}",
                                                Base64Alphabet::kUrlUnpadded)));
  EXPECT_FALSE(DecodeContinueToken(Base64Encode("[1,2]", Base64Alphabet::kUrlUnpadded)));
}

}  // namespace
}  // namespace sluice::fake_apiserver
