// Error answers, CORS and HTTP transport behaviour of the real server (docs/protocol.md §2-§5,
// §10).

#include <boost/algorithm/string/predicate.hpp>
#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

using boost::algorithm::icontains;
using simdjson::dom::element;

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;
constexpr std::string_view kOrigin = "http://127.0.0.1:18001";

// A track message padded with a string property to at least `bytes` bytes.
std::string padded_track(std::string_view message_id, std::size_t bytes) {
  std::string body = track_json(message_id);
  std::string pad(bytes > body.size() ? bytes - body.size() : 0, 'x');
  body.insert(body.size() - 1, R"(,"pad":")" + pad + "\"");
  return body;
}

std::string request_head(std::uint16_t port, std::string_view method, std::string_view target,
                         const Headers& headers) {
  std::string head = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  head += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& [name, value] : headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

std::string chunked(std::string_view body, std::size_t chunk_size) {
  std::string out;
  char size_line[32];
  for (std::size_t at = 0; at < body.size(); at += chunk_size) {
    std::string_view chunk = body.substr(at, chunk_size);
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    out += size_line;
    out += chunk;
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

bool is_success(const HttpResponse& response) {
  simdjson::dom::parser parser;
  element body;
  bool success = false;
  return response.status == 200 && !parser.parse(response.body).get(body) &&
         !body["success"].get(success) && success;
}

}  // namespace

TEST_CASE_METHOD(ServerFixture, "Bad requests get 400 with a JSON error and store nothing",
                 "[integration]") {
  SECTION("invalid JSON") {
    check_error(client_.request("POST", "/v1/track", auth_headers(), R"({"type":"track",)"), 400,
                "invalid_json");
  }
  SECTION("body that is not an object") {
    check_error(client_.request("POST", "/v1/batch", auth_headers(), "[1,2,3]"), 400,
                "invalid_json");
  }
  SECTION("no write key") {
    check_error(client_.request("POST", "/v1/track", {{"Content-Type", "application/json"}},
                                track_json("no-key-1")),
                400, "missing_write_key");
  }
  SECTION("unknown write key in Basic auth") {
    check_error(client_.request("POST", "/v1/track", {{"Authorization", basic_auth("nope_key")}},
                                track_json("bad-key-1")),
                400, "invalid_write_key");
  }
  SECTION("unknown write key in the body") {
    std::string body = track_json("bad-key-2");
    body.insert(1, R"("writeKey":"nope_key",)");
    check_error(client_.request("POST", "/v1/t", {{"Content-Type", "text/plain"}}, body), 400,
                "invalid_write_key");
  }
  SECTION("unsupported Content-Encoding") {
    check_error(client_.request("POST", "/v1/track", auth_headers({{"Content-Encoding", "br"}}),
                                track_json("br-1")),
                400, "unsupported_encoding");
  }
  SECTION("corrupt gzip") {
    HttpResponse response = client_.request(
        "POST", "/v1/track", auth_headers({{"Content-Encoding", "gzip"}}), "not gzip at all");
    CHECK(response.status == 400);
    CHECK(response.header("Content-Type").starts_with("application/json"));
  }
  SECTION("single message over 32 KiB") {
    check_error(
        client_.request("POST", "/v1/track", auth_headers(), padded_track("big-1", 40 * kKiB)), 400,
        "payload_too_large");
  }
  CHECK(stored_count() == 0);
}

TEST_CASE_METHOD(ServerFixture, "Oversize bodies are refused with payload_too_large",
                 "[integration]") {
  const std::string big = batch_json({padded_track("huge-1", 2 * kMiB)});

  SECTION("2 MB body with Content-Length") {
    check_error(client_.request("POST", "/v1/batch", auth_headers(), big), 400,
                "payload_too_large");
  }
  SECTION("2 MB chunked body without Content-Length") {
    Headers headers = auth_headers({{"Transfer-Encoding", "chunked"}});
    client_.write_raw(request_head(client_.port(), "POST", "/v1/batch", headers) +
                      chunked(big, 64 * kKiB));
    check_error(client_.read_response(), 400, "payload_too_large");
  }
  SECTION("gzip bomb") {
    std::string bomb = batch_json({padded_track("bomb-1", 16 * kMiB)});
    std::string compressed = gzip(bomb);
    REQUIRE(compressed.size() < 100 * kKiB);  // small on the wire, 16 MiB decoded
    check_error(client_.request("POST", "/v1/batch", auth_headers({{"Content-Encoding", "gzip"}}),
                                compressed),
                400, "payload_too_large");
  }
  // The server survives and keeps answering.
  HttpClient fresh(server_.port());
  CHECK(fresh.request("GET", "/health").status == 200);
  CHECK(server_.running());
  CHECK(stored_count() == 0);
}

TEST_CASE_METHOD(ServerFixture, "Unknown paths get JSON 404 and wrong methods JSON 405",
                 "[integration]") {
  SECTION("GET on a POST endpoint") {
    HttpResponse response = client_.request("GET", "/v1/track");
    check_error(response, 405, "method_not_allowed");
    CHECK(icontains(response.header("Allow"), "POST"));
  }
  SECTION("POST to an unknown path") {
    check_error(client_.request("POST", "/v1/nothing-here", auth_headers(), track_json("x")), 404,
                "not_found");
  }
  SECTION("GET of an unknown path") {
    check_error(client_.request("GET", "/favicon.ico"), 404, "not_found");
  }
  SECTION("settings for an unknown write key") {
    HttpResponse response = client_.request("GET", "/v1/projects/nope_key/settings");
    CHECK(response.status == 404);
    CHECK(response.header("Content-Type").starts_with("application/json"));
  }
  CHECK(stored_count() == 0);
}

TEST_CASE_METHOD(ServerFixture, "HEAD is answered without a body on a kept-alive connection",
                 "[integration]") {
  // Each answer to HEAD is followed by a GET on the same connection: a body sent after the
  // HEAD answer would be read as the start of the GET's answer.
  const auto check_next_get = [&] {
    const HttpResponse next = client_.request("GET", "/health");
    CHECK(next.status == 200);
    CHECK(next.body == R"({"status":"ok"})");
  };
  SECTION("on a GET route, the GET answer's headers") {
    const HttpResponse head = client_.request("HEAD", "/health");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.header("Content-Length") == "15");
    CHECK(head.header("Content-Type").starts_with("application/json"));
    check_next_get();
    CHECK(client_.request("POST", "/health").header("Allow") == "GET, HEAD, OPTIONS");
  }
  SECTION("on a POST route, 405") {
    const HttpResponse head = client_.request("HEAD", "/v1/track");
    CHECK(head.status == 405);
    CHECK(head.body.empty());
    CHECK(icontains(head.header("Allow"), "POST"));
    check_next_get();
  }
  std::size_t stored_by_get = 0;
  SECTION("on a pixel route, 405 and nothing stored: its GET stores an event") {
    // {"writeKey":"test_write_key","event":"Seen","anonymousId":"a1"}
    const std::string pixel =
        "/v1/pixel/track?data=eyJ3cml0ZUtleSI6InRlc3Rfd3JpdGVfa2V5IiwiZXZlbnQiOiJTZWVuIiwiYW5vbnlt"
        "b3VzSWQiOiJhMSJ9";
    const HttpResponse head = client_.request("HEAD", pixel);
    CHECK(head.status == 405);
    CHECK(head.body.empty());
    CHECK(head.header("Allow") == "GET, OPTIONS");
    CHECK(stored_count() == 0);
    CHECK(client_.request("GET", pixel).status == 200);
    stored_by_get = 1;
    check_next_get();
  }
  SECTION("on an unknown path, 404") {
    const HttpResponse head = client_.request("HEAD", "/favicon.ico");
    CHECK(head.status == 404);
    CHECK(head.body.empty());
    check_next_get();
  }
  CHECK(client_.connections_opened() == 1);
  CHECK(stored_count() == stored_by_get);
}

TEST_CASE_METHOD(ServerFixture, "A batch stores its valid messages and reports the invalid ones",
                 "[integration]") {
  std::vector<std::string> items = {
      track_json("mixed-ok-1"),
      R"({"type":"track","messageId":"mixed-bad-1","userId":"u1"})",
      R"({"type":"identify","messageId":"mixed-bad-2","traits":{"a":1}})",
      R"({"type":"identify","messageId":"mixed-ok-2","userId":"u2","traits":{"plan":"x"}})",
      R"({"type":"track","messageId":"mixed-bad-3","userId":"u3","event":"E","properties":"no"})",
      R"({"type":"track","messageId":")" + std::string(101, 'm') +
          R"(","userId":"u4","event":"E"})",
      padded_track("mixed-bad-5", 40 * kKiB),
  };
  HttpResponse response = client_.request("POST", "/v1/batch", auth_headers(), batch_json(items));
  INFO("response body: " << response.body);
  REQUIRE(response.status == 200);

  simdjson::dom::parser parser;
  element body = parser.parse(response.body);
  CHECK(bool(body["success"]));
  std::map<std::uint64_t, std::string> codes;
  for (element rejection : simdjson::dom::array(body["rejected"])) {
    std::uint64_t index = 0;
    std::string_view code;
    std::string_view message;
    CHECK_FALSE(rejection["index"].get(index));
    CHECK_FALSE(rejection["code"].get(code));
    CHECK_FALSE(rejection["message"].get(message));
    CHECK_FALSE(message.empty());
    codes[index] = std::string(code);
  }
  CHECK(codes.size() == 5);
  CHECK(codes[1] == "event_not_defined");
  CHECK_FALSE(codes[2].empty());
  CHECK(codes[4] == "properties_not_object");
  CHECK(codes[5] == "message_id_too_long");
  CHECK_FALSE(codes[6].empty());  // oversize event inside a batch: dropped alone (§4)
  CHECK_FALSE(codes.contains(0));
  CHECK_FALSE(codes.contains(3));

  StoredLog log = stored();
  CHECK(log.events.size() == 2);
  CHECK(log.count("mixed-ok-1") == 1);
  CHECK(log.count("mixed-ok-2") == 1);
}

TEST_CASE_METHOD(ServerFixture, "CORS headers follow the request Origin", "[integration]") {
  SECTION("preflight") {
    HttpResponse response = client_.request(
        "OPTIONS", "/v1/batch",
        {{"Origin", std::string(kOrigin)},
         {"Access-Control-Request-Method", "POST"},
         {"Access-Control-Request-Headers", "content-type,authorization,x-retry-count,sentat"}});
    CHECK(response.status == 204);
    CHECK(response.header("Access-Control-Allow-Origin") == kOrigin);
    CHECK(response.header("Access-Control-Allow-Credentials") == "true");
    CHECK(icontains(response.header("Vary"), "Origin"));
    std::string methods = response.header("Access-Control-Allow-Methods");
    for (std::string_view method : {"GET", "POST", "OPTIONS"}) {
      INFO("Access-Control-Allow-Methods: " << methods);
      CHECK(icontains(methods, method));
    }
    std::string headers = response.header("Access-Control-Allow-Headers");
    for (std::string_view header :
         {"content-type", "authorization", "x-retry-count", "x-write-key", "sentat"}) {
      INFO("Access-Control-Allow-Headers: " << headers);
      CHECK(icontains(headers, header));
    }
    CHECK(response.header("Access-Control-Max-Age") == "86400");
  }
  SECTION("simple POST") {
    std::string body = track_json("cors-1");
    body.insert(1, R"("writeKey":"test_write_key",)");
    HttpResponse response = client_.request(
        "POST", "/v1/t", {{"Origin", std::string(kOrigin)}, {"Content-Type", "text/plain"}}, body);
    CHECK(is_success(response));
    CHECK(response.header("Access-Control-Allow-Origin") == kOrigin);
    CHECK(response.header("Access-Control-Allow-Credentials") == "true");
    CHECK(icontains(response.header("Vary"), "Origin"));
    std::string exposed = response.header("Access-Control-Expose-Headers");
    CHECK(icontains(exposed, "Retry-After"));
    CHECK(icontains(exposed, "X-RateLimit-Reset"));
    CHECK(stored().count("cors-1") == 1);
  }
  SECTION("error answer") {
    HttpResponse response = client_.request("POST", "/v1/t", {{"Origin", std::string(kOrigin)}},
                                            track_json("cors-no-key"));
    check_error(response, 400, "missing_write_key");
    CHECK(response.header("Access-Control-Allow-Origin") == kOrigin);
  }
  SECTION("no Origin, no CORS headers") {
    HttpResponse response = client_.request("POST", "/v1/track", auth_headers(), track_json("c2"));
    CHECK(is_success(response));
    CHECK_FALSE(response.has_header("Access-Control-Allow-Origin"));
  }
}

TEST_CASE_METHOD(ServerFixture, "A chunked request body is accepted and stored", "[integration]") {
  std::string body = batch_json({track_json("chunked-1"), track_json("chunked-2")});
  client_.write_raw(request_head(client_.port(), "POST", "/v1/batch",
                                 auth_headers({{"Transfer-Encoding", "chunked"}})) +
                    chunked(body, 17));
  HttpResponse response = client_.read_response();
  INFO("response body: " << response.body);
  CHECK(is_success(response));
  StoredLog log = stored();
  CHECK(log.count("chunked-1") == 1);
  CHECK(log.count("chunked-2") == 1);
}

TEST_CASE_METHOD(ServerFixture, "Expect 100-continue gets an interim 100 before the answer",
                 "[integration]") {
  std::string body = track_json("continue-1");
  client_.write_raw(request_head(
      client_.port(), "POST", "/v1/track",
      auth_headers({{"Expect", "100-continue"}, {"Content-Length", std::to_string(body.size())}})));
  HttpResponse interim = client_.read_response();
  CHECK(interim.status == 100);
  client_.write_raw(body);
  HttpResponse response = client_.read_response();
  INFO("response body: " << response.body);
  CHECK(is_success(response));
  CHECK(stored().count("continue-1") == 1);
}

TEST_CASE_METHOD(ServerFixture, "One keep-alive connection serves 50 requests", "[integration]") {
  constexpr int kRequests = 50;
  int succeeded = 0;
  for (int i = 0; i < kRequests; ++i) {
    HttpResponse response = i % 10 == 9
                                ? client_.request("GET", "/health")
                                : client_.request("POST", "/v1/track", auth_headers(),
                                                  track_json("keepalive-" + std::to_string(i)));
    if (response.status == 200 && response.keep_alive) ++succeeded;
  }
  CHECK(succeeded == kRequests);
  CHECK(client_.connections_opened() == 1);
  StoredLog log = stored();
  CHECK(log.events.size() == 45);
  for (int i = 0; i < kRequests; ++i) {
    if (i % 10 != 9) CHECK(log.count("keepalive-" + std::to_string(i)) == 1);
  }
}

TEST_CASE_METHOD(ServerFixture, "Pipelined requests are answered in order", "[integration]") {
  std::string track = track_json("pipelined-1");
  Headers post_headers = auth_headers({{"Content-Length", std::to_string(track.size())}});
  std::string requests = request_head(client_.port(), "POST", "/v1/track", post_headers) + track +
                         request_head(client_.port(), "GET", "/v1/nothing-here", {}) +
                         request_head(client_.port(), "GET", "/health", {});
  client_.write_raw(requests);

  HttpResponse first = client_.read_response();
  HttpResponse second = client_.read_response();
  HttpResponse third = client_.read_response();
  CHECK(is_success(first));
  check_error(second, 404, "not_found");
  CHECK(third.status == 200);
  CHECK(third.body == R"({"status":"ok"})");
  CHECK(client_.connections_opened() == 1);
  CHECK(stored().count("pipelined-1") == 1);
}

}  // namespace sluice::integration
