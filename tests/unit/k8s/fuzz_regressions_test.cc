// Inputs the fuzzers (tests/fuzz) found to crash a decoder, kept as unit tests so the
// main build catches a regression without a clang build. The raw inputs are in
// tests/fuzz/corpus/<target>/crash-*.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "k8s/manifest_decoder.h"

namespace sluice::k8s {
namespace {

using ::testing::HasSubstr;

std::string NestedLists(size_t depth, const std::string& innermost) {
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += R"({"kind":"List","items":[)";
  text += innermost;
  for (size_t i = 0; i < depth; ++i) text += "]}";
  return text;
}

// Lists nested thousands deep overflowed the stack (fuzz_json_decode).
TEST(FuzzRegressionsTest, DeeplyNestedListsAreAFailureNotACrash) {
  DecodedManifest decoded = DecodeManifest(NestedLists(100000, ""), "deep.json");
  ASSERT_EQ(decoded.failures.size(), 1u);
  EXPECT_THAT(decoded.failures[0].reason, HasSubstr("lists nested more than 16 deep"));
}

TEST(FuzzRegressionsTest, ListsNestedAFewDeepStillDecode) {
  std::string service = R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"web"},)"
                        R"("spec":{"clusterIP":"10.0.0.1","ports":[{"port":80}]}})";
  DecodedManifest decoded = DecodeManifest(NestedLists(8, service), "nested.json");
  EXPECT_TRUE(decoded.failures.empty());
  ASSERT_EQ(decoded.services.size(), 1u);
  EXPECT_EQ(decoded.services[0].meta.id.ToString(), "default/web");
}

}  // namespace
}  // namespace sluice::k8s
