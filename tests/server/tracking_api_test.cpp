// The tracking port's answering rules, with no socket and no RocksDB: every route under every
// method, HEAD, OPTIONS, CORS, errors, backpressure, and the per-request state of interleaved
// requests. TrackingApi::answer() runs on a test io_context against a FakeIntakeLog.

#include "server/tracking_api.hpp"

#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <libdeflate.h>
#include <prometheus/registry.h>

#include "api/base64.hpp"
#include "api/pixel.hpp"
#include "fake_intake_log.hpp"
#include "storage/record.hpp"

namespace sluice::server {
namespace {

namespace asio = boost::asio;
using test::FakeIntakeLog;

constexpr std::string_view kPeer = "203.0.113.7";
constexpr std::string_view kTrack = R"({"userId":"u1","event":"Signed Up"})";

// base64url, which a query string carries without escaping.
std::string base64_url(std::string_view bytes) {
  std::string text = api::encode_base64(bytes);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string basic(std::string_view key) {
  return "Basic " + api::encode_base64(std::string(key) + ":");
}

Request make_request(http::verb verb, std::string_view target, std::string body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  Request request{verb, target, 11};
  request.set(http::field::host, "sluice.test");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

Request post(std::string_view target, std::string body, std::string_view key = "wk_web") {
  return make_request(http::verb::post, target, std::move(body),
                      {{"Authorization", basic(key)}, {"Content-Type", "application/json"}});
}

class TrackingApiFixture {
 public:
  explicit TrackingApiFixture(
      config::ServerConfig config = {},
      const std::vector<config::SourceConfig>& sources = {{"web", {"wk_web"}, {}}})
      : server_(std::move(config)),
        sources_(std::make_shared<const api::SourceRegistry>(sources, &metrics_)),
        settings_(std::make_shared<const RequestSettings>(server_)),
        api_(TrackingApiContext{settings_, sources_, log_, metrics_,
                                [] { return std::string("# metrics text\n"); }}) {}

  Answer send(const Request& request, std::string_view peer = kPeer,
              PortRoutes routes = PortRoutes::kAll) {
    auto answer = asio::co_spawn(io_, api_.answer(request, Peer{peer}, routes), asio::use_future);
    io_.restart();
    io_.run();
    return answer.get();
  }

  // Starts answering without running the io_context: the caller runs it.
  std::future<Answer> start(const Request& request) {
    return asio::co_spawn(io_, api_.answer(request, Peer{kPeer}), asio::use_future);
  }
  // Runs what is ready to run without waiting: a held commit keeps the io_context's work
  // count up, so run() would wait for it forever.
  void run_ready() {
    io_.restart();
    while (io_.poll() > 0) {
    }
  }

  FakeIntakeLog& log() { return log_; }
  prometheus::Registry& registry() { return registry_; }
  TrackingApi& api() { return api_; }
  RequestSettingsDirectory& settings() { return settings_; }

  // The stored records' JSON, decoded.
  std::vector<storage::Record> stored() const {
    std::vector<storage::Record> records;
    for (const auto& bytes : log_.stored()) {
      auto record = storage::decode_record(bytes);
      REQUIRE(record.has_value());
      records.push_back(*record);
    }
    return records;
  }

 private:
  config::ServerConfig server_;
  prometheus::Registry registry_;
  api::ApiMetrics metrics_{registry_};
  api::SourceDirectory sources_;
  RequestSettingsDirectory settings_;
  FakeIntakeLog log_;
  TrackingApi api_;
  asio::io_context io_;
};

std::string header(const Response& response, http::field field) {
  return std::string(response[field]);
}

// The code of a JSON error body, e.g. "invalid_json".
std::string error_code_of(const Response& response) {
  const std::string& body = response.body();
  const auto start = body.find(R"("code":")");
  if (start == std::string::npos) return {};
  const auto from = start + 8;
  return body.substr(from, body.find('"', from) - from);
}

struct RouteCase {
  std::string_view target;
  RouteKind kind;
};

constexpr RouteCase kPostRoutes[] = {
    {"/v1/identify", RouteKind::kSingle}, {"/v1/track", RouteKind::kSingle},
    {"/v1/page", RouteKind::kSingle},     {"/v1/screen", RouteKind::kSingle},
    {"/v1/group", RouteKind::kSingle},    {"/v1/alias", RouteKind::kSingle},
    {"/v1/i", RouteKind::kSingle},        {"/v1/t", RouteKind::kSingle},
    {"/v1/p", RouteKind::kSingle},        {"/v1/s", RouteKind::kSingle},
    {"/v1/g", RouteKind::kSingle},        {"/v1/a", RouteKind::kSingle},
    {"/v1/batch", RouteKind::kBatch},     {"/v1/import", RouteKind::kBatch},
    {"/v1/b", RouteKind::kBatch},         {"/v1/m", RouteKind::kTelemetry},
};

constexpr RouteCase kGetRoutes[] = {
    {"/health", RouteKind::kHealth},
    {"/ready", RouteKind::kReady},
    {"/metrics", RouteKind::kMetrics},
    {"/v1/projects/wk_web/settings", RouteKind::kSettings},
};

TEST_CASE("a POST route refuses other methods with 405 and names what it accepts",
          "[server][tracking_api]") {
  TrackingApiFixture fixture;
  for (const RouteCase& route : kPostRoutes) {
    for (http::verb verb : {http::verb::get, http::verb::put, http::verb::delete_,
                            http::verb::patch, http::verb::head}) {
      DYNAMIC_SECTION(route.target << " " << http::to_string(verb)) {
        const Answer answer = fixture.send(make_request(verb, route.target));
        CHECK(answer.response.result() == http::status::method_not_allowed);
        CHECK(answer.route == route.kind);
        CHECK(error_code_of(answer.response) == "method_not_allowed");
        CHECK(header(answer.response, http::field::allow) == "POST, OPTIONS");
        CHECK(header(answer.response, http::field::content_type) == "application/json");
      }
    }
  }
  CHECK(fixture.log().stored().empty());
}

TEST_CASE("a GET route answers GET and HEAD alike and refuses POST", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  for (const RouteCase& route : kGetRoutes) {
    DYNAMIC_SECTION(route.target) {
      const Answer get = fixture.send(make_request(http::verb::get, route.target));
      CHECK(get.response.result() == http::status::ok);
      CHECK(get.route == route.kind);
      // The session writes only the header of an answer to HEAD; its headers, Content-Length
      // included, are those of GET.
      const Answer head = fixture.send(make_request(http::verb::head, route.target));
      CHECK(head.response.result() == http::status::ok);
      CHECK(header(head.response, http::field::content_length) ==
            header(get.response, http::field::content_length));
      CHECK(header(head.response, http::field::content_type) ==
            header(get.response, http::field::content_type));

      const Answer refused = fixture.send(make_request(http::verb::post, route.target, "{}"));
      CHECK(refused.response.result() == http::status::method_not_allowed);
      CHECK(header(refused.response, http::field::allow) == "GET, HEAD, OPTIONS");
    }
  }
}

TEST_CASE("the pixel answers GET with a GIF, refuses HEAD and POST", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  const std::string data = base64_url(R"({"writeKey":"wk_web","userId":"u1","event":"Opened"})");
  SECTION("GET stores the event and answers the image, uncacheable") {
    const Answer answer =
        fixture.send(make_request(http::verb::get, "/v1/pixel/track?data=" + data));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(answer.route == RouteKind::kPixel);
    CHECK(header(answer.response, http::field::content_type) == "image/gif");
    CHECK(header(answer.response, http::field::cache_control) ==
          "no-cache, no-store, must-revalidate");
    CHECK(answer.response.body() == api::transparent_gif());
    const auto stored = fixture.stored();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].type == storage::EventType::kTrack);
    CHECK(stored[0].ip == kPeer);  // pixels are client-side
  }
  SECTION("the loader's User-Agent becomes context.userAgent unless the message has one") {
    fixture.send(make_request(http::verb::get, "/v1/pixel/track?data=" + data, {},
                              {{"User-Agent", "Mail \"Reader\"/1.0"}}));
    const std::string with_own = base64_url(
        R"({"writeKey":"wk_web","userId":"u1","event":"Opened","context":{"userAgent":"own"}})");
    fixture.send(make_request(http::verb::get, "/v1/pixel/track?data=" + with_own, {},
                              {{"User-Agent", "ignored"}}));
    fixture.send(post("/v1/track", R"({"userId":"u1","event":"Server"})"));
    const auto stored = fixture.stored();
    REQUIRE(stored.size() == 3);
    CHECK(std::string(stored[0].json).find(R"("userAgent":"Mail \"Reader\"/1.0")") !=
          std::string::npos);
    CHECK(std::string(stored[1].json).find(R"("userAgent":"own")") != std::string::npos);
    CHECK(std::string(stored[1].json).find("ignored") == std::string::npos);
    CHECK(std::string(stored[2].json).find("userAgent") == std::string::npos);  // not a pixel
  }
  SECTION("undecodable data still answers the image and stores nothing") {
    const Answer answer =
        fixture.send(make_request(http::verb::get, "/v1/pixel/track?data=%%%not-base64"));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(header(answer.response, http::field::content_type) == "image/gif");
    CHECK(fixture.log().stored().empty());
  }
  SECTION("HEAD would not store anything, so it is refused") {
    const Answer answer =
        fixture.send(make_request(http::verb::head, "/v1/pixel/track?data=" + data));
    CHECK(answer.response.result() == http::status::method_not_allowed);
    CHECK(header(answer.response, http::field::allow) == "GET, OPTIONS");
    CHECK(fixture.log().stored().empty());
  }
  SECTION("POST") {
    const Answer answer = fixture.send(make_request(http::verb::post, "/v1/pixel/track", "{}"));
    CHECK(answer.response.result() == http::status::method_not_allowed);
  }
}

TEST_CASE("an unknown path is 404 under any method, OPTIONS included", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  for (http::verb verb : {http::verb::get, http::verb::post, http::verb::head, http::verb::options,
                          http::verb::delete_}) {
    for (std::string_view target : {"/", "/v2/track", "/v1/pixel/unknown", "/v1/trackx"}) {
      DYNAMIC_SECTION(http::to_string(verb) << " " << target) {
        const Answer answer = fixture.send(make_request(verb, target));
        CHECK(answer.response.result() == http::status::not_found);
        CHECK(answer.route == RouteKind::kNotFound);
        CHECK(error_code_of(answer.response) == "not_found");
      }
    }
  }
}

TEST_CASE("OPTIONS is the CORS preflight, answered without a key", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  SECTION("an allowed Origin gets the preflight headers") {
    const Answer answer = fixture.send(make_request(
        http::verb::options, "/v1/batch", {},
        {{"Origin", "https://shop.example"}, {"Access-Control-Request-Headers", "x-custom"}}));
    CHECK(answer.response.result() == http::status::no_content);
    CHECK(header(answer.response, http::field::access_control_allow_origin) ==
          "https://shop.example");
    CHECK(header(answer.response, http::field::access_control_allow_methods) ==
          "GET, POST, OPTIONS");
    CHECK(
        header(answer.response, http::field::access_control_allow_headers).ends_with(", x-custom"));
    CHECK(header(answer.response, http::field::access_control_allow_credentials) == "true");
  }
  SECTION("without an Origin: 204 and no CORS headers") {
    const Answer answer = fixture.send(make_request(http::verb::options, "/v1/track"));
    CHECK(answer.response.result() == http::status::no_content);
    CHECK(header(answer.response, http::field::access_control_allow_origin).empty());
  }
  SECTION("an Origin outside the allow-list gets no CORS headers") {
    config::ServerConfig config;
    config.cors_allowed_origins = {"https://allowed.example"};
    TrackingApiFixture strict(config);
    const Answer refused = strict.send(
        make_request(http::verb::options, "/v1/track", {}, {{"Origin", "https://evil.example"}}));
    CHECK(refused.response.result() == http::status::no_content);
    CHECK(header(refused.response, http::field::access_control_allow_origin).empty());
    const Answer allowed = strict.send(make_request(http::verb::options, "/v1/track", {},
                                                    {{"Origin", "https://allowed.example"}}));
    CHECK(header(allowed.response, http::field::access_control_allow_origin) ==
          "https://allowed.example");
  }
}

TEST_CASE("every answer carries CORS for an allowed Origin and the Server header",
          "[server][tracking_api]") {
  TrackingApiFixture fixture;
  const auto with_origin = [](Request request) {
    request.set(http::field::origin, "https://shop.example");
    return request;
  };
  const std::vector<Request> requests = {
      with_origin(post("/v1/track", std::string(kTrack))),      // 200
      with_origin(post("/v1/track", "{not json")),              // 400
      with_origin(make_request(http::verb::get, "/v1/track")),  // 405
      with_origin(make_request(http::verb::get, "/nowhere")),   // 404
      with_origin(make_request(http::verb::get, "/health")),    // 200
  };
  for (const Request& request : requests) {
    DYNAMIC_SECTION(request.method_string() << " " << request.target()) {
      const Answer answer = fixture.send(request);
      CHECK(header(answer.response, http::field::access_control_allow_origin) ==
            "https://shop.example");
      CHECK(header(answer.response, http::field::access_control_expose_headers) ==
            "Retry-After, X-RateLimit-Reset");
      CHECK(header(answer.response, http::field::vary) == "Origin");
      CHECK(header(answer.response, http::field::server) == "sluice");
    }
  }
}

TEST_CASE("published request settings apply to the requests that start afterwards",
          "[server][tracking_api]") {
  TrackingApiFixture fixture;
  const std::string two = R"({"batch":[{"type":"track","userId":"u","event":"A"},)"
                          R"({"type":"track","userId":"u","event":"B"}]})";
  REQUIRE(fixture.send(post("/v1/batch", two)).response.result() == http::status::ok);

  config::ServerConfig stricter;
  stricter.max_batch_events = 1;
  stricter.cors_allowed_origins = {"https://allowed.example"};
  fixture.settings().publish(std::make_shared<const RequestSettings>(stricter));
  Request batch = post("/v1/batch", two);
  batch.set(http::field::origin, "https://shop.example");
  const Answer refused = fixture.send(batch);
  CHECK(refused.response.result() == http::status::bad_request);
  CHECK(refused.response.body().find("too_many_events") != std::string::npos);
  CHECK(header(refused.response, http::field::access_control_allow_origin).empty());
  const Answer preflight = fixture.send(
      make_request(http::verb::options, "/v1/track", {}, {{"Origin", "https://allowed.example"}}));
  CHECK(header(preflight.response, http::field::access_control_allow_origin) ==
        "https://allowed.example");
}

TEST_CASE("intake stores the events and answers 200 once they are committed",
          "[server][tracking_api]") {
  TrackingApiFixture fixture;
  SECTION("a single message") {
    const Answer answer = fixture.send(post("/v1/track", std::string(kTrack)));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(answer.route == RouteKind::kSingle);
    CHECK(answer.response.body() == R"({"success":true})");
    const auto stored = fixture.stored();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].source == "web");
    CHECK(stored[0].ip.empty());  // long paths are server-side: no context.ip
  }
  SECTION("a batch with an invalid item stores the rest and names the rejected one") {
    const Answer answer = fixture.send(post(
        "/v1/batch", R"({"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track"}]})"));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(answer.response.body().find(R"("rejected":[{"index":1,)") != std::string::npos);
    CHECK(fixture.stored().size() == 1);
  }
  SECTION("the client-side short path takes context.ip from the peer") {
    fixture.send(post("/v1/t", std::string(kTrack)));
    const auto stored = fixture.stored();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].ip == kPeer);
  }
  SECTION("telemetry is answered and not stored") {
    const Answer answer = fixture.send(post("/v1/m", R"({"series":[]})"));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(answer.route == RouteKind::kTelemetry);
    CHECK(fixture.log().stored().empty());
  }
}

TEST_CASE("the write key may come from any carrier", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  const std::string body(kTrack);
  SECTION("X-Write-Key") {
    const Answer answer = fixture.send(
        make_request(http::verb::post, "/v1/track", body, {{"X-Write-Key", "wk_web"}}));
    CHECK(answer.response.result() == http::status::ok);
  }
  SECTION("?writeKey=") {
    const Answer answer =
        fixture.send(make_request(http::verb::post, "/v1/track?writeKey=wk_web", body));
    CHECK(answer.response.result() == http::status::ok);
  }
  SECTION("none: 400 missing_write_key") {
    const Answer answer = fixture.send(make_request(http::verb::post, "/v1/track", body));
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(error_code_of(answer.response) == "missing_write_key");
  }
  SECTION("an unknown one: 400 invalid_write_key") {
    const Answer answer = fixture.send(post("/v1/track", body, "wk_nope"));
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(error_code_of(answer.response) == "invalid_write_key");
  }
  CHECK(fixture.log().stored().size() <= 1);
}

TEST_CASE("X-Forwarded-For names the client only when the proxy is trusted",
          "[server][tracking_api]") {
  const auto client_ip = [](bool trusted) {
    config::ServerConfig config;
    config.trust_forwarded_for = trusted;
    TrackingApiFixture fixture(config);
    Request request = post("/v1/t", std::string(kTrack));
    request.set("X-Forwarded-For", " 198.51.100.9 , 10.0.0.1");
    fixture.send(request);
    const auto stored = fixture.stored();
    REQUIRE(stored.size() == 1);
    return std::string(stored[0].ip);
  };
  CHECK(client_ip(true) == "198.51.100.9");
  CHECK(client_ip(false) == kPeer);
}

TEST_CASE("a body the server cannot read is refused with what was wrong",
          "[server][tracking_api]") {
  TrackingApiFixture fixture;
  SECTION("invalid JSON") {
    const Answer answer = fixture.send(post("/v1/track", "{\"userId\":"));
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(error_code_of(answer.response) == "invalid_json");
  }
  SECTION("an encoding other than gzip, deflate or identity") {
    Request request = post("/v1/track", std::string(kTrack));
    request.set(http::field::content_encoding, "br");
    const Answer answer = fixture.send(request);
    CHECK(error_code_of(answer.response) == "unsupported_encoding");
  }
  SECTION("gzip that is not gzip") {
    Request request = post("/v1/track", std::string(kTrack));
    request.set(http::field::content_encoding, "gzip");
    const Answer answer = fixture.send(request);
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(error_code_of(answer.response) == "bad_encoding");
  }
  SECTION("gzip that decodes to a valid message is stored") {
    libdeflate_compressor* compressor = libdeflate_alloc_compressor(6);
    std::string gzipped(libdeflate_gzip_compress_bound(compressor, kTrack.size()), '\0');
    gzipped.resize(libdeflate_gzip_compress(compressor, kTrack.data(), kTrack.size(),
                                            gzipped.data(), gzipped.size()));
    libdeflate_free_compressor(compressor);
    Request request = post("/v1/track", gzipped);
    request.set(http::field::content_encoding, "gzip");
    CHECK(fixture.send(request).response.result() == http::status::ok);
    CHECK(fixture.log().stored().size() == 1);
  }
  CHECK(fixture.log().stored().size() <= 1);
}

TEST_CASE("requests that could not be read whole", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  SECTION("a Content-Length over the limit, seen in the header") {
    const Answer answer = TrackingApi::refuse_header(http::error::body_limit);
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(error_code_of(answer.response) == "payload_too_large");
  }
  SECTION("malformed HTTP") {
    const Answer answer = TrackingApi::refuse_header(http::error::bad_method);
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(error_code_of(answer.response) == "bad_request");
    CHECK(answer.response.body().find("malformed HTTP request") != std::string::npos);
  }
  SECTION("a body that grew over the limit while read: its route, and CORS") {
    Request request = post("/v1/batch", "{}");
    request.set(http::field::origin, "https://shop.example");
    const Answer answer = fixture.api().refuse_body(request);
    CHECK(answer.response.result() == http::status::bad_request);
    CHECK(answer.route == RouteKind::kBatch);
    CHECK(error_code_of(answer.response) == "payload_too_large");
    CHECK(header(answer.response, http::field::access_control_allow_origin) ==
          "https://shop.example");
  }
}

TEST_CASE("a transfer coding other than chunked alone is refused and ends the connection",
          "[server][tracking_api]") {
  for (std::string_view coding :
       {"xchunked", "identity", "chunked, identity", "gzip, chunked", "foo", ""}) {
    DYNAMIC_SECTION("Transfer-Encoding: " << coding) {
      TrackingApiFixture fixture;
      Request request = post("/v1/track", std::string(kTrack));
      request.set(http::field::transfer_encoding, coding);
      const Answer answer = fixture.send(request);
      CHECK(answer.response.result() == http::status::bad_request);
      CHECK(error_code_of(answer.response) == "bad_request");
      CHECK(answer.close);
      CHECK(fixture.log().stored().empty());
    }
  }
  SECTION("chunked alone, in any case and spacing, is the body's framing") {
    TrackingApiFixture fixture;
    Request request = post("/v1/track", std::string(kTrack));
    request.set(http::field::transfer_encoding, " Chunked ");
    const Answer answer = fixture.send(request);
    CHECK(answer.response.result() == http::status::ok);
    CHECK_FALSE(answer.close);
  }
}

TEST_CASE("an HTTP/1.1 request must carry Host, an HTTP/1.0 one need not",
          "[server][tracking_api]") {
  TrackingApiFixture fixture;
  Request request = make_request(http::verb::get, "/health");
  request.erase(http::field::host);
  const Answer refused = fixture.send(request);
  CHECK(refused.response.result() == http::status::bad_request);
  CHECK(error_code_of(refused.response) == "bad_request");
  CHECK_FALSE(refused.close);
  request.version(10);
  CHECK(fixture.send(request).response.result() == http::status::ok);
}

TEST_CASE("an absolute-form target is served like its path", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  SECTION("a path") {
    const Answer answer = fixture.send(post("http://sluice.test/v1/track", std::string(kTrack)));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(answer.route == RouteKind::kSingle);
    CHECK(fixture.log().stored().size() == 1);
  }
  SECTION("any case of the scheme, with a port and a query") {
    const Answer answer = fixture.send(make_request(
        http::verb::post, "HTTPS://sluice.test:8443/v1/t?writeKey=wk_web", std::string(kTrack)));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(answer.route == RouteKind::kSingle);
  }
  SECTION("an authority alone is the root") {
    CHECK(fixture.send(make_request(http::verb::get, "http://sluice.test")).response.result() ==
          http::status::not_found);
    CHECK(fixture.send(make_request(http::verb::get, "http://sluice.test/health"))
              .response.result() == http::status::ok);
  }
}

TEST_CASE("backpressure answers 503 with Retry-After and stores nothing",
          "[server][tracking_api]") {
  struct Case {
    storage::Admission admission;
    std::string_view code;
  };
  for (const Case& c : {Case{storage::Admission::kBacklogFull, "backlog_full"},
                        Case{storage::Admission::kPendingFull, "overloaded"},
                        Case{storage::Admission::kClosed, "storage_unavailable"}}) {
    DYNAMIC_SECTION(c.code) {
      TrackingApiFixture fixture;
      fixture.log().set_admission(c.admission);
      const Answer answer = fixture.send(post("/v1/track", std::string(kTrack)));
      CHECK(answer.response.result() == http::status::service_unavailable);
      CHECK(error_code_of(answer.response) == c.code);
      CHECK(header(answer.response, http::field::retry_after) == "5");
      CHECK(fixture.log().stored().empty());

      const Answer ready = fixture.send(make_request(http::verb::get, "/ready"));
      CHECK(ready.response.result() == http::status::service_unavailable);
      CHECK(error_code_of(ready.response) == c.code);
    }
  }
  SECTION("a commit that fails after admission") {
    TrackingApiFixture fixture;
    fixture.log().set_commit_ok(false);
    const Answer answer = fixture.send(post("/v1/track", std::string(kTrack)));
    CHECK(answer.response.result() == http::status::service_unavailable);
    CHECK(error_code_of(answer.response) == "storage_unavailable");
  }
}

TEST_CASE("health, readiness, metrics and settings", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  SECTION("health") {
    const Answer answer = fixture.send(make_request(http::verb::get, "/health"));
    CHECK(answer.response.body() == R"({"status":"ok"})");
  }
  SECTION("ready while the log takes writes") {
    const Answer answer = fixture.send(make_request(http::verb::get, "/ready"));
    CHECK(answer.response.body() == R"({"status":"ready"})");
  }
  SECTION("metrics in Prometheus' text format") {
    const Answer answer = fixture.send(make_request(http::verb::get, "/metrics"));
    CHECK(header(answer.response, http::field::content_type) == "text/plain; version=0.0.4");
    CHECK(answer.response.body() == "# metrics text\n");
  }
  SECTION("settings of a known key, cacheable") {
    const Answer answer =
        fixture.send(make_request(http::verb::get, "/v1/projects/wk_web/settings"));
    CHECK(answer.response.result() == http::status::ok);
    CHECK(header(answer.response, http::field::cache_control) == "public, max-age=300");
    CHECK(answer.response.body().find("Segment.io") != std::string::npos);
  }
  SECTION("settings of an unknown key") {
    const Answer answer =
        fixture.send(make_request(http::verb::get, "/v1/projects/wk_nope/settings"));
    CHECK(answer.response.result() == http::status::not_found);
    CHECK(error_code_of(answer.response) == "invalid_write_key");
  }
}

TEST_CASE("with an ops port, each port answers only its own routes", "[server][tracking_api]") {
  TrackingApiFixture fixture;
  for (const char* path : {"/health", "/ready", "/metrics"}) {
    INFO(path);
    const Answer on_tracking =
        fixture.send(make_request(http::verb::get, path), kPeer, PortRoutes::kTracking);
    CHECK(on_tracking.response.result() == http::status::not_found);
    CHECK(on_tracking.route == RouteKind::kNotFound);
    const Answer on_ops =
        fixture.send(make_request(http::verb::get, path), kPeer, PortRoutes::kOps);
    CHECK(on_ops.response.result() == http::status::ok);
  }
  const Answer track_on_ops =
      fixture.send(post("/v1/track", R"({"userId":"u","event":"E"})"), kPeer, PortRoutes::kOps);
  CHECK(track_on_ops.response.result() == http::status::not_found);
  const Answer preflight_on_ops =
      fixture.send(make_request(http::verb::options, "/v1/track"), kPeer, PortRoutes::kOps);
  CHECK(preflight_on_ops.response.result() == http::status::not_found);
  CHECK(fixture.log().stored().empty());
  const Answer track_on_tracking = fixture.send(post("/v1/track", R"({"userId":"u","event":"E"})"),
                                                kPeer, PortRoutes::kTracking);
  CHECK(track_on_tracking.response.result() == http::status::ok);
  CHECK(fixture.log().stored().size() == 1);
}

TEST_CASE("requests interleaved at their commit wait each get their own answer",
          "[server][tracking_api]") {
  // Two sessions of one IO thread share a TrackingApi; both wait for their commits at once,
  // which complete in the opposite order.
  TrackingApiFixture fixture;
  fixture.log().hold_commits();
  const Request with_rejection =
      post("/v1/batch", R"({"batch":[{"type":"track","userId":"u","event":"A"},{"type":"bad"}]})");
  const Request clean =
      post("/v1/batch", R"({"batch":[{"type":"track","userId":"u","event":"B"}]})");
  auto first = fixture.start(with_rejection);
  auto second = fixture.start(clean);
  fixture.run_ready();  // both reach their commit wait
  REQUIRE(first.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
  fixture.log().complete_held_in_reverse();
  fixture.run_ready();
  const Answer first_answer = first.get();
  const Answer second_answer = second.get();
  CHECK(first_answer.response.body().find(R"("rejected":[{"index":1,)") != std::string::npos);
  CHECK(second_answer.response.body() == R"({"success":true})");
  CHECK(fixture.log().stored().size() == 2);
}

}  // namespace
}  // namespace sluice::server
