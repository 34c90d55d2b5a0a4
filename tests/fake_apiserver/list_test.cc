// Lists and gets over HTTPS, in JSON: pagination from a consistent snapshot,
// resourceVersion semantics, selectors, errors, authentication and the request log.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/test_client.h"
#include "fake_apiserver/test_objects.h"

namespace sluice::fake_apiserver {
namespace {

using testing::HttpResult;
using testing::MakeNode;
using testing::MakeService;
using testing::MakeSlice;
using testing::TestClient;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ListTest : public ::testing::Test {
 protected:
  ListTest() : server_(Options{.bearer_token = "s3cret"}), client_(server_) {}

  void AddServices(int n) {
    for (int i = 0; i < n; ++i) {
      server_.Upsert(MakeService("shop", "svc-" + std::to_string(i), "198.19.0." + std::to_string(i + 1)));
    }
  }

  nlohmann::json GetJson(const std::string& path) {
    HttpResult r = client_.Get(path);
    EXPECT_EQ(r.status, 200) << path << "\n" << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return nlohmann::json::parse(r.body);
  }

  static std::vector<std::string> Names(const nlohmann::json& list) {
    std::vector<std::string> names;
    for (const auto& item : list["items"]) names.push_back(item["metadata"]["name"]);
    return names;
  }

  FakeApiServer server_;
  TestClient client_;
};

TEST_F(ListTest, ListsEveryServiceInKeyOrderWithTheCurrentRv) {
  server_.Upsert(MakeService("zoo", "a", "198.19.0.1"));
  server_.Upsert(MakeService("default", "kubernetes", "198.19.0.2"));
  server_.Upsert(MakeService("shop", "web", "198.19.0.3"));
  server_.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1"));
  auto list = GetJson("/api/v1/services");
  EXPECT_EQ(list["kind"], "ServiceList");
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(list["metadata"]["resourceVersion"], std::to_string(server_.resource_version()));
  EXPECT_FALSE(list["metadata"].contains("continue"));
  EXPECT_EQ(Names(list), (std::vector<std::string>{"kubernetes", "web", "a"}));
  // Items carry no kind/apiVersion, as the real server strips them.
  EXPECT_FALSE(list["items"][0].contains("kind"));
  EXPECT_EQ(list["items"][0]["spec"]["type"], "ClusterIP") << "server defaults applied";

  auto slices = GetJson("/apis/discovery.k8s.io/v1/endpointslices");
  EXPECT_EQ(slices["kind"], "EndpointSliceList");
  EXPECT_EQ(slices["apiVersion"], "discovery.k8s.io/v1");
  EXPECT_EQ(Names(slices), std::vector<std::string>{"web-1"});
}

TEST_F(ListTest, PaginatesFromOneSnapshotWhileObjectsChange) {
  AddServices(5);
  uint64_t rv = server_.resource_version();
  auto page1 = GetJson("/api/v1/services?limit=2");
  EXPECT_EQ(Names(page1), (std::vector<std::string>{"svc-0", "svc-1"}));
  EXPECT_EQ(page1["metadata"]["resourceVersion"], std::to_string(rv));
  EXPECT_EQ(page1["metadata"]["remainingItemCount"], 3);
  ASSERT_TRUE(page1["metadata"].contains("continue"));

  // Changes between pages must not show in the later pages.
  server_.Delete(Resource::kServices, "shop", "svc-3");
  server_.Upsert(MakeService("shop", "svc-2", "198.19.9.9"));
  server_.Upsert(MakeService("shop", "svc-25", "198.19.9.10"));

  auto page2 = GetJson("/api/v1/services?limit=2&continue=" +
                       page1["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(Names(page2), (std::vector<std::string>{"svc-2", "svc-3"}));
  EXPECT_EQ(page2["items"][0]["spec"]["clusterIP"], "198.19.0.3") << "the snapshot's version";
  EXPECT_EQ(page2["metadata"]["resourceVersion"], std::to_string(rv));
  EXPECT_EQ(page2["metadata"]["remainingItemCount"], 1);
  auto page3 = GetJson("/api/v1/services?limit=2&continue=" +
                       page2["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(Names(page3), std::vector<std::string>{"svc-4"});
  EXPECT_FALSE(page3["metadata"].contains("continue"));
  EXPECT_FALSE(page3["metadata"].contains("remainingItemCount"));
  EXPECT_EQ(server_.log().lists(Resource::kServices), 3u);
}

TEST_F(ListTest, AContinueTokenFromBeforeACompactionIsGone) {
  AddServices(3);
  auto page1 = GetJson("/api/v1/services?limit=1");
  server_.Upsert(MakeService("shop", "late", "198.19.0.50"));
  server_.Compact();
  HttpResult r = client_.Get("/api/v1/services?limit=1&continue=" +
                             page1["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(r.status, 410);
  auto status = nlohmann::json::parse(r.body);
  EXPECT_EQ(status["reason"], "Expired");
  EXPECT_EQ(status["code"], 410);
  EXPECT_EQ(client_.Get("/api/v1/services?continue=garbage").status, 400);
}

TEST_F(ListTest, ExactListsServeTheOldStateOrExpire) {
  AddServices(2);
  uint64_t old = server_.resource_version();
  AddServices(4);
  auto at_old = GetJson("/api/v1/services?resourceVersion=" + std::to_string(old) +
                        "&resourceVersionMatch=Exact");
  EXPECT_EQ(Names(at_old), (std::vector<std::string>{"svc-0", "svc-1"}));
  EXPECT_EQ(at_old["metadata"]["resourceVersion"], std::to_string(old));

  server_.Compact();
  HttpResult r = client_.Get("/api/v1/services?resourceVersion=" + std::to_string(old) +
                             "&resourceVersionMatch=Exact");
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.content_type, "application/json");
  // The same Status as the capture of kube-apiserver v1.36.
  EXPECT_EQ(nlohmann::json::parse(r.body), nlohmann::json::parse(ReadFixture("list-410.json")));

  // NotOlderThan (or no match) at an old RV serves the current state.
  auto current = GetJson("/api/v1/services?resourceVersion=" + std::to_string(old) +
                         "&resourceVersionMatch=NotOlderThan");
  EXPECT_EQ(current["items"].size(), 4u);
  EXPECT_EQ(GetJson("/api/v1/services?resourceVersion=0")["items"].size(), 4u);
}

TEST_F(ListTest, RejectsContradictoryParameters) {
  EXPECT_EQ(client_.Get("/api/v1/services?resourceVersionMatch=Exact").status, 400);
  EXPECT_EQ(client_.Get("/api/v1/services?resourceVersion=0&resourceVersionMatch=Exact").status, 400);
  EXPECT_EQ(client_.Get("/api/v1/services?resourceVersion=abc").status, 400);
  EXPECT_EQ(client_.Get("/api/v1/services?labelSelector=a%3Db%3Dc").status, 400);
  EXPECT_EQ(client_.Get("/api/v1/services?fieldSelector=spec.clusterIP%3D1").status, 400);
  EXPECT_EQ(client_.Get("/api/v1/services?limit=x").status, 400);
}

TEST_F(ListTest, AFutureResourceVersionIsTooLarge) {
  HttpResult r = client_.Get("/api/v1/services?resourceVersion=999999&resourceVersionMatch=Exact");
  EXPECT_EQ(r.status, 504);
  EXPECT_NE(r.body.find("Too large resource version"), std::string::npos) << r.body;
}

TEST_F(ListTest, LabelSelectorsAsKubeProxySendsThem) {
  server_.Upsert(MakeService("shop", "web", "198.19.0.1", {{"app", "web"}}));
  server_.Upsert(MakeService("shop", "other", "198.19.0.2",
                             {{"service.kubernetes.io/service-proxy-name", "someone-else"}}));
  server_.Upsert(MakeService("shop", "headless", "None", {{"service.kubernetes.io/headless", ""}}));
  server_.Upsert(MakeService("shop", "plain", "198.19.0.3"));
  auto list = GetJson(
      "/api/v1/services?labelSelector=%21service.kubernetes.io%2Fservice-proxy-name%2C%21service.kubernetes.io%2Fheadless");
  EXPECT_EQ(Names(list), (std::vector<std::string>{"plain", "web"}));
  EXPECT_EQ(Names(GetJson("/api/v1/services?labelSelector=app%3Dweb")), std::vector<std::string>{"web"});
  EXPECT_EQ(Names(GetJson("/api/v1/services?labelSelector=app%21%3Dweb")).size(), 3u);
  EXPECT_EQ(Names(GetJson("/api/v1/services?labelSelector=app")), std::vector<std::string>{"web"});
  // A filtered page carries a continue token but no remainingItemCount.
  auto page = GetJson("/api/v1/services?limit=1&labelSelector=%21app");
  EXPECT_TRUE(page["metadata"].contains("continue"));
  EXPECT_FALSE(page["metadata"].contains("remainingItemCount"));
}

TEST_F(ListTest, NodesByFieldSelectorAndByName) {
  server_.Upsert(MakeNode("node1", "198.18.1.1"));
  server_.Upsert(MakeNode("node2", "198.18.1.2"));
  auto list = GetJson("/api/v1/nodes?fieldSelector=metadata.name%3Dnode2");
  EXPECT_EQ(list["kind"], "NodeList");
  EXPECT_EQ(Names(list), std::vector<std::string>{"node2"});
  auto node = GetJson("/api/v1/nodes/node1");
  EXPECT_EQ(node["kind"], "Node");
  EXPECT_EQ(node["apiVersion"], "v1");
  EXPECT_EQ(node["status"]["addresses"][0]["address"], "198.18.1.1");
  EXPECT_FALSE(node["metadata"].contains("namespace"));

  HttpResult missing = client_.Get("/api/v1/nodes/node9");
  EXPECT_EQ(missing.status, 404);
  auto status = nlohmann::json::parse(missing.body);
  EXPECT_EQ(status["reason"], "NotFound");
  EXPECT_EQ(status["message"], "nodes \"node9\" not found");
  EXPECT_EQ(server_.log().Count(Resource::kNodes, Verb::kGet), 2u);
}

TEST_F(ListTest, AnythingElseIsA404StatusAndIsLogged) {
  for (const char* path : {"/api/v1/pods", "/api/v1/namespaces/shop/services", "/apis", "/healthz"}) {
    HttpResult r = client_.Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(nlohmann::json::parse(r.body)["kind"], "Status") << path;
  }
  auto unserved = server_.log().Unserved();
  ASSERT_EQ(unserved.size(), 4u);
  EXPECT_EQ(unserved[0].path, "/api/v1/pods");
  EXPECT_EQ(unserved[0].status, 404);
  EXPECT_EQ(server_.log().lists(Resource::kServices), 0u);
}

TEST_F(ListTest, RequiresTheBearerToken) {
  TestClient anonymous(server_);
  anonymous.set_token("");
  HttpResult r = anonymous.Get("/api/v1/services");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body)["reason"], "Unauthorized");
  TestClient wrong(server_);
  wrong.set_token("nope");
  EXPECT_EQ(wrong.Get("/api/v1/services").status, 401);
  EXPECT_EQ(client_.Get("/api/v1/services").status, 200);
}

TEST_F(ListTest, NegotiatesTheContentType) {
  EXPECT_EQ(client_.Get("/api/v1/services", "*/*").content_type, "application/json");
  EXPECT_EQ(client_.Get("/api/v1/services", "application/vnd.kubernetes.protobuf, application/json")
                .content_type,
            "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(client_.Get("/api/v1/services", "application/yaml").status, 406);
}

TEST_F(ListTest, LogsEveryRequestWithItsParameters) {
  client_.Get("/api/v1/services?limit=500&labelSelector=%21a", "application/vnd.kubernetes.protobuf");
  auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/api/v1/services");
  EXPECT_EQ(requests[0].param("limit"), "500");
  EXPECT_EQ(requests[0].param("labelSelector"), "!a");
  EXPECT_EQ(requests[0].accept, "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(requests[0].verb, Verb::kList);
  EXPECT_EQ(requests[0].status, 200);
  server_.log().Clear();
  EXPECT_TRUE(server_.Requests().empty());
}

}  // namespace
}  // namespace sluice::fake_apiserver
