#include "bench/sluice_bench/load_options.hpp"

#include <catch2/catch.hpp>

#include "bench/sluice_bench/request_heads.hpp"

namespace sluice::bench {
namespace {

TEST_CASE("parse_target_url takes host, port and base path", "[bench]") {
  std::string error;
  SECTION("host and port") {
    auto target = parse_target_url("http://127.0.0.1:8080", &error);
    REQUIRE(target);
    CHECK(target->host == "127.0.0.1");
    CHECK(target->port == "8080");
    CHECK(target->base_path.empty());
    CHECK(target->host_header == "127.0.0.1:8080");
  }
  SECTION("default port and a base path") {
    auto target = parse_target_url("http://ingest.example.com/sluice/", &error);
    REQUIRE(target);
    CHECK(target->host == "ingest.example.com");
    CHECK(target->port == "80");
    CHECK(target->base_path == "/sluice");
  }
  SECTION("an IPv6 address") {
    auto target = parse_target_url("http://[::1]:9000", &error);
    REQUIRE(target);
    CHECK(target->host == "::1");
    CHECK(target->port == "9000");
  }
  SECTION("refused") {
    for (const char* url : {"https://host", "127.0.0.1:8080", "http://:80", "http://h:0",
                            "http://h:99999", "http://h:8x"}) {
      INFO(url);
      CHECK_FALSE(parse_target_url(url, &error));
    }
  }
}

TEST_CASE("parse_event_mix reads type=weight pairs", "[bench]") {
  std::string error;
  auto mix = parse_event_mix("identify=10, track=70,page=15,group=5", &error);
  REQUIRE(mix);
  CHECK(*mix == EventMix{10, 70, 15, 5});
  CHECK(format_event_mix(*mix) == "identify=10,track=70,page=15,group=5");
  CHECK(parse_event_mix("track=1", &error) == EventMix{0, 1, 0, 0});
  for (const char* text : {"screen=1", "track", "track=x", "track=0", "track=-1", ""}) {
    INFO(text);
    CHECK_FALSE(parse_event_mix(text, &error));
  }
}

TEST_CASE("RequestHeads authenticate like the SDKs", "[bench]") {
  LoadOptions options;
  std::string error;
  REQUIRE(finish_options(options, &error));
  SECTION("server SDKs: JSON with HTTP Basic") {
    const RequestHeads heads(options);
    const std::string_view head = heads.prefix(Endpoint::kTrack);
    CHECK(head.starts_with("POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
    // base64("bench_write_key:")
    CHECK(head.find("Authorization: Basic YmVuY2hfd3JpdGVfa2V5Og==\r\n") != std::string::npos);
    CHECK(head.ends_with("Content-Length: "));
    CHECK(heads.prefix(Endpoint::kBatch).starts_with("POST /v1/batch "));
  }
  SECTION("analytics.js: text/plain, short paths, no Authorization") {
    options.browser = true;
    options.gzip = true;
    const RequestHeads heads(options);
    const std::string_view head = heads.prefix(Endpoint::kIdentify);
    CHECK(head.starts_with("POST /v1/i HTTP/1.1\r\n"));
    CHECK(head.find("Content-Type: text/plain\r\n") != std::string::npos);
    CHECK(head.find("Authorization") == std::string::npos);
    CHECK(head.find("Content-Encoding: gzip\r\n") != std::string::npos);
    CHECK(heads.prefix(Endpoint::kBatch).starts_with("POST /v1/b "));
  }
}

TEST_CASE("finish_options takes a pacing step from none to 10 ms", "[bench]") {
  std::string error;
  LoadOptions options;
  options.rate = 1000;
  for (const long long micros : {0LL, 1000LL, 10'000LL}) {
    options.pacing = std::chrono::microseconds(micros);
    INFO(micros);
    CHECK(finish_options(options, &error));
  }
  for (const long long micros : {-1LL, 10'001LL}) {
    options.pacing = std::chrono::microseconds(micros);
    INFO(micros);
    CHECK_FALSE(finish_options(options, &error));
    CHECK(error == "--pacing-us must be between 0 and 10000");
  }
}

TEST_CASE("base64_encode pads like RFC 4648", "[bench]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("test_write_key:") == "dGVzdF93cml0ZV9rZXk6");
}

}  // namespace
}  // namespace sluice::bench
