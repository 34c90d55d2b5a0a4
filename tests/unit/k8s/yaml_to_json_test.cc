#include "k8s/yaml_to_json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sluice::k8s {
namespace {

using nlohmann::json;

json Convert(const std::string& yaml) { return YamlToJson(YAML::Load(yaml)); }

// The value of key `v` in a one-line document "v: <text>".
json ValueOf(const std::string& text) { return Convert("v: " + text)["v"]; }

std::string ErrorOf(const std::string& yaml, size_t max_nodes = 1u << 20) {
  try {
    YamlToJson(YAML::Load(yaml), max_nodes);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(YamlToJsonTest, PlainScalarsFollowTheCoreSchema) {
  EXPECT_EQ(ValueOf("~"), json(nullptr));
  EXPECT_EQ(ValueOf("null"), json(nullptr));
  EXPECT_EQ(ValueOf("NULL"), json(nullptr));
  EXPECT_EQ(ValueOf(""), json(nullptr));
  EXPECT_EQ(ValueOf("true"), json(true));
  EXPECT_EQ(ValueOf("False"), json(false));
  EXPECT_EQ(ValueOf("80"), json(80));
  EXPECT_EQ(ValueOf("-12"), json(-12));
  EXPECT_EQ(ValueOf("+7"), json(7));
  EXPECT_EQ(ValueOf("0x1F"), json(31));
  EXPECT_EQ(ValueOf("0o17"), json(15));
  EXPECT_EQ(ValueOf("1.5"), json(1.5));
  EXPECT_EQ(ValueOf("-.5e1"), json(-5.0));
  EXPECT_EQ(ValueOf("2e3"), json(2000.0));
  EXPECT_TRUE(std::isinf(ValueOf(".inf").get<double>()));
  EXPECT_TRUE(std::isnan(ValueOf(".NaN").get<double>()));
}

TEST(YamlToJsonTest, NumbersStayTypedPrecisely) {
  EXPECT_TRUE(ValueOf("80").is_number_integer());
  EXPECT_TRUE(ValueOf("80.0").is_number_float());
  EXPECT_EQ(ValueOf("9223372036854775807"), json(INT64_MAX));
  EXPECT_EQ(ValueOf("-9223372036854775808"), json(INT64_MIN));
  EXPECT_TRUE(ValueOf("18446744073709551615").is_number_unsigned());
  EXPECT_TRUE(ValueOf("99999999999999999999999").is_number_float());
}

TEST(YamlToJsonTest, YamlOneOneBooleansAndLookalikesAreStrings) {
  EXPECT_EQ(ValueOf("yes"), json("yes"));
  EXPECT_EQ(ValueOf("off"), json("off"));
  EXPECT_EQ(ValueOf("nULL"), json("nULL"));
  EXPECT_EQ(ValueOf("1.2.3"), json("1.2.3"));
  EXPECT_EQ(ValueOf("198.18.0.1"), json("198.18.0.1"));
  EXPECT_EQ(ValueOf("fd00::1"), json("fd00::1"));
  EXPECT_EQ(ValueOf("0x"), json("0x"));
  EXPECT_EQ(ValueOf("."), json("."));
  EXPECT_EQ(ValueOf("1e"), json("1e"));
  EXPECT_EQ(ValueOf("None"), json("None"));
}

TEST(YamlToJsonTest, QuotedAndBlockScalarsAreStrings) {
  EXPECT_EQ(ValueOf("\"80\""), json("80"));
  EXPECT_EQ(ValueOf("'true'"), json("true"));
  EXPECT_EQ(ValueOf("\"null\""), json("null"));
  EXPECT_EQ(ValueOf("''"), json(""));
  EXPECT_EQ(Convert("v: |\n  80\n")["v"], json("80\n"));
  EXPECT_EQ(Convert("v: >-\n  true\n")["v"], json("true"));
}

TEST(YamlToJsonTest, ExplicitTagsAreHonoured) {
  EXPECT_EQ(ValueOf("!!str 80"), json("80"));
  EXPECT_EQ(ValueOf("!!str null"), json("null"));
  EXPECT_EQ(ValueOf("!!int \"80\""), json(80));
  EXPECT_EQ(ValueOf("!!float 1"), json(1.0));
  EXPECT_EQ(ValueOf("!!bool \"true\""), json(true));
  EXPECT_EQ(ValueOf("!!null ''"), json(nullptr));
  EXPECT_EQ(ErrorOf("spec: {port: !!int eighty}"),
            "spec.port: \"eighty\" is not a valid tag:yaml.org,2002:int");
  EXPECT_EQ(ErrorOf("spec: {port: !custom 80}"), "spec.port: unsupported YAML tag !custom");
}

TEST(YamlToJsonTest, CollectionsNestAndFlowStyleWorks) {
  json value = Convert(
      "metadata: {name: web, labels: {app: web}}\n"
      "spec:\n"
      "  ports:\n"
      "  - {name: http, port: 80, targetPort: http}\n"
      "  - name: dns\n"
      "    port: 53\n"
      "  externalIPs: []\n");
  EXPECT_EQ(value, json::parse(R"({
      "metadata": {"name": "web", "labels": {"app": "web"}},
      "spec": {"ports": [{"name": "http", "port": 80, "targetPort": "http"},
                         {"name": "dns", "port": 53}],
               "externalIPs": []}})"));
}

TEST(YamlToJsonTest, ScalarKeysBecomeStrings) {
  EXPECT_EQ(Convert("80: http\ntrue: x\n"), json::parse(R"({"80": "http", "true": "x"})"));
}

TEST(YamlToJsonTest, RejectsWhatJsonCannotSay) {
  EXPECT_EQ(ErrorOf("metadata:\n  labels:\n    app: a\n    app: b\n"),
            "metadata.labels.app: duplicate key");
  EXPECT_EQ(ErrorOf("spec:\n  ? [a, b]\n  : c\n"), "spec: mapping keys must be scalars");
}

TEST(YamlToJsonTest, AnchorsAndAliasesExpand) {
  json value = Convert("a: &labels {app: web}\nb: *labels\n");
  EXPECT_EQ(value["b"], json::parse(R"({"app": "web"})"));
}

TEST(YamlToJsonTest, RefusesAnAliasBomb) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + std::string(1, c) + " [*" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + "]\n";
  }
  EXPECT_NE(ErrorOf(bomb, 10000).find("too many values"), std::string::npos);
}

TEST(YamlToJsonTest, RefusesAbsurdNesting) {
  std::string deep = std::string(150, '[') + std::string(150, ']');
  EXPECT_NE(ErrorOf(deep).find("nested deeper than 100 levels"), std::string::npos);
}

}  // namespace
}  // namespace sluice::k8s
