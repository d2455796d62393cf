#include "bench/sluice_bench/gzip_encoder.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <libdeflate.h>

namespace sluice::bench {
namespace {

std::string gunzip(std::string_view compressed, std::size_t size) {
  libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
  std::string out(size, '\0');
  std::size_t actual = 0;
  const libdeflate_result result = libdeflate_gzip_decompress(
      decompressor, compressed.data(), compressed.size(), out.data(), out.size(), &actual);
  libdeflate_free_decompressor(decompressor);
  REQUIRE(result == LIBDEFLATE_SUCCESS);
  out.resize(actual);
  return out;
}

std::string json_body(int repeat) {
  std::string body = "{\"batch\":[";
  for (int i = 0; i < repeat; ++i) {
    if (i != 0) body += ',';
    body += R"({"type":"track","event":"Order Completed","properties":{"revenue":)" +
            std::to_string(i) + R"(,"name":"Crème brûlée"},"messageId":"m-)" + std::to_string(i) +
            "\"}";
  }
  return body + "]}";
}

TEST_CASE("GzipEncoder output inflates back to its input", "[bench]") {
  const int level = GENERATE(1, 6, 12);
  GzipEncoder encoder(level);
  REQUIRE(encoder.ok());
  std::string scratch;
  SECTION("one body") {
    const std::string body = json_body(100);
    const std::string_view compressed = encoder.encode(body, scratch);
    REQUIRE_FALSE(compressed.empty());
    CHECK(compressed.size() < body.size() / 4);
    CHECK(gunzip(compressed, body.size()) == body);
  }
  SECTION("a reused scratch buffer, smaller then larger bodies") {
    for (int repeat : {200, 1, 50, 400}) {
      const std::string body = json_body(repeat);
      const std::string compressed(encoder.encode(body, scratch));
      CHECK(gunzip(compressed, body.size()) == body);
    }
  }
  SECTION("an empty body") {
    const std::string_view compressed = encoder.encode("", scratch);
    REQUIRE_FALSE(compressed.empty());  // a gzip member has a header even for no data
    CHECK(gunzip(compressed, 16).empty());
  }
}

}  // namespace
}  // namespace sluice::bench
