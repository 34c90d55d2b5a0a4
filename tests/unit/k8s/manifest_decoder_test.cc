#include "k8s/manifest_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> ServiceNames(const DecodedManifest& m) {
  std::vector<std::string> names;
  for (const model::Service& s : m.services) names.push_back(s.meta.id.ToString());
  return names;
}

std::vector<std::string> SliceNames(const DecodedManifest& m) {
  std::vector<std::string> names;
  for (const model::EndpointSlice& s : m.endpoint_slices) names.push_back(s.meta.id.ToString());
  return names;
}

// "<object> -> <reason>" per failure, for one readable assertion.
std::vector<std::string> Failures(const DecodedManifest& m) {
  std::vector<std::string> lines;
  for (const DecodeFailure& f : m.failures) lines.push_back(f.object + " -> " + f.reason);
  return lines;
}

constexpr const char* kMultiDocument = R"(# shop services
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 198.19.0.10
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-a
  namespace: shop
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
ports: [{name: http, protocol: TCP, port: 8080}]
endpoints:
- addresses: ["198.18.0.11"]
  conditions: {ready: true}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: Node
metadata: {name: node1}
status: {addresses: [{type: InternalIP, address: 198.18.1.1}]}
---
)";

TEST(DecodeManifestTest, ReadsSeveralYamlDocuments) {
  DecodedManifest m = DecodeManifest(kMultiDocument, "shop.yaml");
  EXPECT_THAT(Failures(m), IsEmpty());
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/web"));
  EXPECT_THAT(SliceNames(m), ElementsAre("shop/web-a"));
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].internal_ips.at(0).ToString(), "198.18.1.1");
  EXPECT_EQ(m.ignored, 1u);  // the Deployment
}

TEST(DecodeManifestTest, ReadsAKubectlList) {
  DecodedManifest m = DecodeManifest(R"(apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a, namespace: shop}
  spec: {clusterIP: 198.19.0.1, ports: [{port: 80}]}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c, namespace: shop}
- apiVersion: v1
  kind: Service
  metadata: {name: b, namespace: shop}
  spec: {clusterIP: 198.19.0.2, ports: [{port: 80}]}
)",
                                     "list.yaml");
  EXPECT_THAT(Failures(m), IsEmpty());
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/a", "shop/b"));
  EXPECT_EQ(m.ignored, 1u);
}

TEST(DecodeManifestTest, ReadsTypedListsWhoseItemsCarryNoKind) {
  DecodedManifest m = DecodeManifest(R"({
    "kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1", "metadata": {},
    "items": [
      {"metadata": {"name": "web-a", "namespace": "shop",
                    "labels": {"kubernetes.io/service-name": "web"}},
       "addressType": "IPv6", "endpoints": [{"addresses": ["fd00:18::11"]}],
       "ports": [{"name": "http", "port": 8080}]}
    ]})",
                                     "slices.json");
  EXPECT_THAT(Failures(m), IsEmpty());
  EXPECT_THAT(SliceNames(m), ElementsAre("shop/web-a"));
}

TEST(DecodeManifestTest, EmptyListsAndEmptyInputAreFine) {
  for (const char* text :
       {"", "\n# nothing here\n", "---\n---\n", "apiVersion: v1\nkind: List\nitems: []\n",
        "{\"kind\": \"ServiceList\", \"apiVersion\": \"v1\", \"items\": null}"}) {
    DecodedManifest m = DecodeManifest(text, "empty.yaml");
    EXPECT_THAT(Failures(m), IsEmpty()) << text;
    EXPECT_THAT(m.services, IsEmpty()) << text;
    EXPECT_EQ(m.ignored, 0u) << text;
  }
}

constexpr const char* kOneBadAmongGood = R"(apiVersion: v1
kind: Service
metadata: {name: good-1, namespace: shop}
spec: {clusterIP: 198.19.0.1, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: bad, namespace: shop}
spec: %s
---
apiVersion: v1
kind: Service
metadata: {name: good-2, namespace: shop}
spec: {clusterIP: 198.19.0.2, ports: [{name: http, port: 80}]}
)";

struct BadSpec {
  const char* name;
  const char* spec;
  const char* reason;
};

void PrintTo(const BadSpec& spec, std::ostream* out) { *out << spec.name; }

class OneInvalidServiceTest : public ::testing::TestWithParam<BadSpec> {};

TEST_P(OneInvalidServiceTest, IsTheOnlyFailureAndTheOthersAreDecoded) {
  char text[2048];
  snprintf(text, sizeof(text), kOneBadAmongGood, GetParam().spec);
  DecodedManifest m = DecodeManifest(text, "shop.yaml");
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/good-1", "shop/good-2"));
  EXPECT_THAT(Failures(m), ElementsAre(std::string("Service shop/bad (shop.yaml, document 2) -> ") +
                                       GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Reasons, OneInvalidServiceTest,
    ::testing::Values(
        BadSpec{"BadClusterIP", "{clusterIP: 198.19.0.300, ports: [{port: 80}]}",
                "spec.clusterIP: invalid IP address \"198.19.0.300\""},
        BadSpec{"PortZero", "{clusterIP: 198.19.0.3, ports: [{port: 0}]}",
                "spec.ports[0].port: must be between 1 and 65535, got 0"},
        BadSpec{"UnknownProtocol",
                "{clusterIP: 198.19.0.3, ports: [{name: a, port: 80}, {name: b, port: 81, "
                "protocol: XTCP}]}",
                "spec.ports[1].protocol: unknown protocol \"XTCP\""},
        BadSpec{"DuplicatePort",
                "{clusterIP: 198.19.0.3, ports: [{name: a, port: 80}, {name: b, port: 80}]}",
                "spec.ports[1]: duplicate port 80/TCP"},
        BadSpec{"QuotedPort", "{clusterIP: 198.19.0.3, ports: [{port: \"80\"}]}",
                "spec.ports[0].port: expected an integer, got string"}),
    [](const ::testing::TestParamInfo<BadSpec>& info) { return info.param.name; });

TEST(DecodeManifestTest, InvalidItemOfAListIsNamedByItsIndex) {
  DecodedManifest m = DecodeManifest(R"({"kind": "ServiceList", "apiVersion": "v1", "items": [
      {"metadata": {"name": "a", "namespace": "shop"}, "spec": {"clusterIP": "198.19.0.1"}},
      {"metadata": {"name": "b", "namespace": "shop"}, "spec": {"clusterIPs": ["x"]}}]})",
                                     "svc.json");
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/a"));
  EXPECT_THAT(Failures(m), ElementsAre("Service shop/b (svc.json, document 1, items[1]) -> "
                                       "spec.clusterIPs[0]: invalid IP address \"x\""));
}

TEST(DecodeManifestTest, InvalidEndpointSliceIsAFailure) {
  DecodedManifest m = DecodeManifest(R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: ["fd00::1"]}]
)",
                                     "s.yaml");
  EXPECT_THAT(Failures(m), ElementsAre("EndpointSlice shop/web-a (s.yaml, document 1) -> "
                                       "endpoints[0].addresses[0]: fd00::1 is not an IPv4 "
                                       "address (addressType IPv4)"));
}

TEST(DecodeManifestTest, UnparseableDocumentIsOneFailureWithItsLine) {
  DecodedManifest m = DecodeManifest(R"(apiVersion: v1
kind: Service
metadata: {name: a, namespace: shop}
spec: {clusterIP: 198.19.0.1, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: broken, namespace: shop
  spec: [
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: shop}
spec: {clusterIP: 198.19.0.2, ports: [{port: 80}]}
)",
                                     "mixed.yaml");
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/a", "shop/b"));
  ASSERT_EQ(m.failures.size(), 1u);
  EXPECT_EQ(m.failures[0].object, "mixed.yaml, document 2");
  EXPECT_THAT(m.failures[0].reason, HasSubstr("invalid YAML at line "));
}

TEST(DecodeManifestTest, DocumentsThatAreNotObjects) {
  DecodedManifest m =
      DecodeManifest("- a\n- b\n---\njust a string\n---\nmetadata: {name: x}\n", "odd.yaml");
  EXPECT_THAT(Failures(m),
              ElementsAre("odd.yaml, document 1 -> expected a Kubernetes object (a mapping with "
                          "kind), got array",
                          "odd.yaml, document 2 -> expected a Kubernetes object (a mapping with "
                          "kind), got string",
                          "odd.yaml, document 3 -> kind: required"));
}

TEST(DecodeManifestTest, SameKindFromAnotherAPIGroupIsIgnored) {
  DecodedManifest m = DecodeManifest(R"(apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: shop}
spec: {template: {spec: {containers: [{image: hello}]}}}
)",
                                     "knative.yaml");
  EXPECT_THAT(Failures(m), IsEmpty());
  EXPECT_THAT(m.services, IsEmpty());
  EXPECT_EQ(m.ignored, 1u);
}

TEST(DecodeManifestTest, UnsupportedVersionOfAKnownKindIsAFailure) {
  DecodedManifest m = DecodeManifest(R"(apiVersion: discovery.k8s.io/v1beta1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop}
addressType: IPv4
endpoints: []
)",
                                     "old.yaml");
  EXPECT_THAT(Failures(m), ElementsAre("EndpointSlice shop/web-a (old.yaml, document 1) -> "
                                       "apiVersion: discovery.k8s.io/v1beta1 is not supported "
                                       "(sluice reads discovery.k8s.io/v1)"));
}

TEST(DecodeManifestTest, ToleratesWindowsLineEndingsAndAByteOrderMark) {
  DecodedManifest m = DecodeManifest(
      "\xEF\xBB\xBF"
      "apiVersion: v1\r\nkind: Service\r\nmetadata: {name: a, namespace: shop}\r\n"
      "spec: {clusterIP: 198.19.0.1, ports: [{port: 80}]}\r\n---\r\n"
      "apiVersion: v1\r\nkind: Service\r\nmetadata: {name: b, namespace: shop}\r\n"
      "spec: {clusterIP: 198.19.0.2, ports: [{port: 80}]}\r\n",
      "crlf.yaml");
  EXPECT_THAT(Failures(m), IsEmpty());
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/a", "shop/b"));
}

TEST(DecodeManifestTest, YamlFlowDocumentThatLooksLikeJson) {
  DecodedManifest m = DecodeManifest(
      "{apiVersion: v1, kind: Service, metadata: {name: a, namespace: shop},\n"
      " spec: {clusterIP: 198.19.0.1, ports: [{port: 80}]}}\n",
      "flow.yaml");
  EXPECT_THAT(Failures(m), IsEmpty());
  EXPECT_THAT(ServiceNames(m), ElementsAre("shop/a"));
}

TEST(DecodeManifestTest, ServiceWithoutNamespaceLandsInDefault) {
  DecodedManifest m = DecodeManifest(
      "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 0}]}\n",
      "ns.yaml");
  EXPECT_THAT(Failures(m), ElementsAre("Service default/a (ns.yaml, document 1) -> "
                                       "spec.ports[0].port: must be between 1 and 65535, got 0"));
}

}  // namespace
}  // namespace sluice::k8s
