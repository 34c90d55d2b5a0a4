// The health check server's HTTP: request heads as they arrive, and kube-proxy's
// responses byte for byte.
#include "agent/health_check_http.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::agent {
namespace {

TEST(ParseRequestHeadTest, SimpleGet) {
  std::string text = "GET /healthz HTTP/1.1\r\nHost: 198.18.0.1:30256\r\nUser-Agent: lb\r\n\r\n";
  ParseResult parsed = ParseRequestHead(text);
  ASSERT_EQ(parsed.status, ParseStatus::kComplete) << parsed.error;
  EXPECT_EQ(parsed.request.method, "GET");
  EXPECT_EQ(parsed.request.target, "/healthz");
  EXPECT_TRUE(parsed.request.keep_alive);
  EXPECT_FALSE(parsed.request.has_body);
  EXPECT_EQ(parsed.consumed, text.size());
}

TEST(ParseRequestHeadTest, IncompleteUntilTheEmptyLine) {
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < text.size(); ++n)
    EXPECT_EQ(ParseRequestHead(text.substr(0, n)).status, ParseStatus::kIncomplete) << n;
  EXPECT_EQ(ParseRequestHead(text).status, ParseStatus::kComplete);
}

TEST(ParseRequestHeadTest, PipelinedRequestsAreTakenOneAtATime) {
  std::string text = "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n";
  ParseResult first = ParseRequestHead(text);
  ASSERT_EQ(first.status, ParseStatus::kComplete);
  EXPECT_EQ(first.request.target, "/a");
  ParseResult second = ParseRequestHead(std::string_view(text).substr(first.consumed));
  ASSERT_EQ(second.status, ParseStatus::kComplete);
  EXPECT_EQ(second.request.method, "HEAD");
  EXPECT_EQ(second.request.target, "/b");
}

TEST(ParseRequestHeadTest, BareLineFeedsAndLeadingEmptyLines) {
  ParseResult parsed = ParseRequestHead("\r\n\nGET / HTTP/1.1\nHost: x\n\n");
  ASSERT_EQ(parsed.status, ParseStatus::kComplete) << parsed.error;
  EXPECT_EQ(parsed.request.target, "/");
}

TEST(ParseRequestHeadTest, ConnectionSemantics) {
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(
      ParseRequestHead("GET / HTTP/1.1\r\nconnection: Upgrade, CLOSE\r\n\r\n").request.keep_alive);
  ParseResult http10 = ParseRequestHead("GET / HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(http10.request.http10);
  EXPECT_FALSE(http10.request.keep_alive);
  EXPECT_TRUE(
      ParseRequestHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
}

TEST(ParseRequestHeadTest, BodiesAreNoticed) {
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").request.has_body);
  EXPECT_TRUE(
      ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").request.has_body);
  EXPECT_TRUE(
      ParseRequestHead("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").request.has_body);
  EXPECT_EQ(ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: five\r\n\r\n").status,
            ParseStatus::kBad);
}

TEST(ParseRequestHeadTest, MalformedHeadsAreBad) {
  for (const char* text : {
           "GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",
           "GET / HTTP/1.1 extra\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET /\x01 HTTP/1.1\r\n\r\n",
           "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\x01z\r\n\r\n",
           "\x16\x03\x01\x02\x05\x01\x07\x01\xfc\x03\x03\r\n\r\n",  // TLS-ish binary
       }) {
    ParseResult parsed = ParseRequestHead(text);
    EXPECT_EQ(parsed.status, ParseStatus::kBad) << text;
    EXPECT_FALSE(parsed.error.empty());
  }
}

TEST(ParseRequestHeadTest, OverlongHeadsAreTooLarge) {
  std::string text = "GET / HTTP/1.1\r\nX-Filler: " + std::string(kMaxRequestHead, 'a');
  EXPECT_EQ(ParseRequestHead(text).status, ParseStatus::kTooLarge);
  EXPECT_EQ(ParseRequestHead(text + "\r\n\r\n").status, ParseStatus::kTooLarge);
  EXPECT_EQ(ParseRequestHead(std::string(kMaxRequestHead + 1, '\n')).status,
            ParseStatus::kTooLarge);
}

TEST(HealthCheckBodyTest, KubeProxysBodyByteForByte) {
  EXPECT_EQ(HealthCheckBody({"shop", "web"}, 2, true),
            "{\n"
            "\t\"service\": {\n"
            "\t\t\"namespace\": \"shop\",\n"
            "\t\t\"name\": \"web\"\n"
            "\t},\n"
            "\t\"localEndpoints\": 2,\n"
            "\t\"serviceProxyHealthy\": true\n"
            "}");
  EXPECT_NE(HealthCheckBody({"a\"b", "c\\d"}, 0, false).find("\"namespace\": \"a\\\"b\""),
            std::string::npos);
}

TEST(HealthCheckResponseTest, StatusFollowsEndpointsAndProxyHealth) {
  HttpRequest get{.method = "GET", .target = "/"};
  EXPECT_EQ(HealthCheckResponse(get, {"shop", "web"}, 1, true).status, 200);
  EXPECT_EQ(HealthCheckResponse(get, {"shop", "web"}, 0, true).status, 503);
  EXPECT_EQ(HealthCheckResponse(get, {"shop", "web"}, 3, false).status, 503);
  EXPECT_EQ(HealthCheckResponse(get, {"shop", "web"}, -1, true).status, 503);
}

TEST(FormatResponseTest, HeadersAndBody) {
  HttpRequest get{.method = "GET", .target = "/"};
  HttpResponse response = HealthCheckResponse(get, {"shop", "web"}, 1, true);
  std::string body = HealthCheckBody({"shop", "web"}, 1, true);
  EXPECT_EQ(FormatResponse(response, "Mon, 02 Jan 2006 15:04:05 GMT"),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"
            "Content-Length: " +
                std::to_string(body.size()) +
                "\r\n"
                "\r\n" +
                body);

  HttpRequest head{.method = "HEAD", .target = "/", .keep_alive = false};
  std::string text = FormatResponse(HealthCheckResponse(head, {"shop", "web"}, 0, true), "");
  EXPECT_EQ(text.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << text;
  EXPECT_NE(text.find("Content-Length: " +
                      std::to_string(HealthCheckBody({"shop", "web"}, 0, true).size())),
            std::string::npos);
  EXPECT_NE(text.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\n\r\n") << "HEAD: no body";
  EXPECT_EQ(text.find("Date:"), std::string::npos);

  HttpRequest http10{.method = "GET", .target = "/", .keep_alive = true, .http10 = true};
  EXPECT_NE(FormatResponse(HealthCheckResponse(http10, {"shop", "web"}, 1, true), "")
                .find("Connection: keep-alive\r\n"),
            std::string::npos);
}

TEST(FormatResponseTest, ErrorResponsesClose) {
  std::string text = FormatResponse(ErrorResponse(400), "");
  EXPECT_EQ(text.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  EXPECT_NE(text.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(text.find("text/plain"), std::string::npos);
}

TEST(HttpDateTest, ImfFixdateShape) {
  std::string date = HttpDateNow();
  ASSERT_EQ(date.size(), 29u) << date;
  EXPECT_EQ(date.substr(3, 2), ", ");
  EXPECT_EQ(date.substr(25), " GMT");
}

}  // namespace
}  // namespace sluice::agent
