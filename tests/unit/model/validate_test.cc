#include "model/validate.h"

#include <gtest/gtest.h>

#include "model_builders.h"

namespace sluice::model {
namespace {

using namespace sluice::model::testing;
constexpr Protocol kTcp = Protocol::kTcp;
constexpr Protocol kUdp = Protocol::kUdp;

TEST(ValidateServiceTest, AcceptsAnOrdinaryDualStackService) {
  Service web = MakeService("web", {"198.19.0.10", "fd00:19::10"},
                            {Port("http", kTcp, 80, 30080), Port("dns", kUdp, 53)});
  web.session_affinity_client_ip = true;
  web.session_affinity_timeout = 10800;
  EXPECT_EQ(ValidateService(web), std::nullopt);
}

TEST(ValidateServiceTest, SamePortNumberWithAnotherProtocolIsFine) {
  Service dns =
      MakeService("dns", {"198.19.0.53"}, {Port("dns-tcp", kTcp, 53), Port("dns-udp", kUdp, 53)});
  EXPECT_EQ(ValidateService(dns), std::nullopt);
}

TEST(ValidateServiceTest, RejectsPortZero) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80), Port("x", kTcp, 0)});
  EXPECT_EQ(ValidateService(web), "spec.ports[1].port: must be between 1 and 65535, got 0");
}

TEST(ValidateServiceTest, RejectsDuplicatePortAndProtocol) {
  Service web =
      MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80), Port("http-alt", kTcp, 80)});
  EXPECT_EQ(ValidateService(web), "spec.ports[1]: duplicate port 80/TCP");
}

TEST(ValidateServiceTest, RejectsDuplicateNodePort) {
  Service np =
      MakeService("np", {"198.19.0.20"}, {Port("a", kTcp, 80, 30080), Port("b", kTcp, 81, 30080)});
  EXPECT_EQ(ValidateService(np), "spec.ports[1]: duplicate nodePort 30080/TCP");
}

TEST(ValidateServiceTest, RejectsPortNamesThatCannotBeMatchedToEndpointPorts) {
  Service twice =
      MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80), Port("http", kUdp, 81)});
  EXPECT_EQ(ValidateService(twice), "spec.ports[1].name: duplicate port name \"http\"");
  Service unnamed =
      MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80), Port("", kTcp, 81)});
  EXPECT_EQ(ValidateService(unnamed),
            "spec.ports[1].name: required when a Service has more than one port");
}

TEST(ValidateServiceTest, RejectsTwoClusterIPsOfOneFamily) {
  Service web = MakeService("web", {"198.19.0.10", "198.19.0.11"}, {Port("http", kTcp, 80)});
  EXPECT_EQ(ValidateService(web),
            "spec.clusterIPs[1]: second IPv4 address 198.19.0.11 (at most one per family)");
}

TEST(ValidateServiceTest, RejectsAffinityTimeoutOutsideTheAPIRange) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  web.session_affinity_client_ip = true;
  web.session_affinity_timeout = 0;
  EXPECT_EQ(ValidateService(web),
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds: must be between 1 and 86400, "
            "got 0");
  web.session_affinity_timeout = 86401;
  EXPECT_NE(ValidateService(web), std::nullopt);
}

TEST(ValidateEndpointSliceTest, AcceptsAnOrdinarySlice) {
  EndpointSlice slice =
      MakeSlice("web-a", "web", AddressType::kIPv4,
                {SlicePort("http", kTcp, 8080), SlicePort("any", kTcp, std::nullopt)},
                {MakeEndpoint("198.18.0.11", "node1")});
  EXPECT_EQ(ValidateEndpointSlice(slice), std::nullopt);
}

TEST(ValidateEndpointSliceTest, RejectsAnAddressOfTheWrongFamily) {
  EndpointSlice slice =
      MakeSlice("web-a", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.11", "node1"), MakeEndpoint("fd00:18::11", "node1")});
  EXPECT_EQ(ValidateEndpointSlice(slice),
            "endpoints[1].addresses[0]: fd00:18::11 is not an IPv4 address (addressType IPv4)");
}

TEST(ValidateEndpointSliceTest, RejectsEndpointPortZero) {
  EndpointSlice slice = MakeSlice("web-a", "web", AddressType::kIPv6, {SlicePort("http", kTcp, 0)},
                                  {MakeEndpoint("fd00:18::11", "node1")});
  EXPECT_EQ(ValidateEndpointSlice(slice), "ports[0].port: must be between 1 and 65535, got 0");
}

}  // namespace
}  // namespace sluice::model
