#include <gtest/gtest.h>

#include "fake_apiserver/selectors.h"

namespace sluice::fake_apiserver {
namespace {

nlohmann::json WithLabels(nlohmann::json labels, std::string name = "a", std::string ns = "shop") {
  return {{"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}}};
}

TEST(LabelSelector, KubeProxysSelectorExcludesOtherProxiesAndHeadless) {
  auto s = LabelSelector::Parse("!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless");
  EXPECT_TRUE(s.Matches(WithLabels({{"app", "web"}})));
  EXPECT_TRUE(s.Matches(nlohmann::json{{"metadata", {{"name", "no-labels"}}}}));
  EXPECT_FALSE(s.Matches(WithLabels({{"service.kubernetes.io/service-proxy-name", "someone-else"}})));
  EXPECT_FALSE(s.Matches(WithLabels({{"service.kubernetes.io/headless", ""}})));
}

TEST(LabelSelector, EqualityInequalityAndExistence) {
  auto web = WithLabels({{"app", "web"}, {"tier", "front"}});
  auto db = WithLabels({{"app", "db"}});
  EXPECT_TRUE(LabelSelector::Parse("app=web").Matches(web));
  EXPECT_TRUE(LabelSelector::Parse("app==web").Matches(web));
  EXPECT_FALSE(LabelSelector::Parse("app=web").Matches(db));
  EXPECT_TRUE(LabelSelector::Parse("app!=web").Matches(db));
  EXPECT_FALSE(LabelSelector::Parse("app!=web").Matches(web));
  EXPECT_TRUE(LabelSelector::Parse("tier!=back").Matches(db)) << "!= holds when the label is absent";
  EXPECT_TRUE(LabelSelector::Parse("tier").Matches(web));
  EXPECT_FALSE(LabelSelector::Parse("tier").Matches(db));
  EXPECT_TRUE(LabelSelector::Parse(" app = web , tier ").Matches(web));
  EXPECT_TRUE(LabelSelector::Parse("").Matches(db));
  EXPECT_TRUE(LabelSelector::Parse("app=").Matches(WithLabels({{"app", ""}})));
}

TEST(LabelSelector, SetRequirements) {
  auto web = WithLabels({{"app", "web"}});
  EXPECT_TRUE(LabelSelector::Parse("app in (db, web)").Matches(web));
  EXPECT_FALSE(LabelSelector::Parse("app notin (db,web)").Matches(web));
  EXPECT_TRUE(LabelSelector::Parse("tier notin (front),app in (web)").Matches(web));
}

TEST(LabelSelector, RejectsMalformedRequirements) {
  for (const char* bad : {"a=b=c", "=web", "app=web,", "!", "app in (a", "a b=c", "x>1"}) {
    EXPECT_THROW(LabelSelector::Parse(bad), SelectorError) << bad;
  }
}

TEST(FieldSelector, NameAndNamespace) {
  auto a = WithLabels({}, "node1", "");
  EXPECT_TRUE(FieldSelector::Parse("metadata.name=node1").Matches(a));
  EXPECT_FALSE(FieldSelector::Parse("metadata.name=node2").Matches(a));
  EXPECT_TRUE(FieldSelector::Parse("metadata.name!=node2").Matches(a));
  auto b = WithLabels({}, "web", "shop");
  EXPECT_TRUE(FieldSelector::Parse("metadata.namespace==shop,metadata.name=web").Matches(b));
  EXPECT_FALSE(FieldSelector::Parse("metadata.namespace=default").Matches(b));
  EXPECT_THROW(FieldSelector::Parse("spec.nodeName=node1"), SelectorError);
  EXPECT_THROW(FieldSelector::Parse("metadata.name"), SelectorError);
}

}  // namespace
}  // namespace sluice::fake_apiserver
