#include "server/body_decoder.hpp"

#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <libdeflate.h>

namespace sluice::server {
namespace {

enum class Format { kGzip, kZlib, kDeflate };

// Compresses text with libdeflate in the given container format.
std::string compress(std::string_view text, Format format) {
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
      libdeflate_alloc_compressor(6), &libdeflate_free_compressor);
  REQUIRE(compressor != nullptr);
  std::string out;
  std::size_t size = 0;
  switch (format) {
    case Format::kGzip:
      out.resize(libdeflate_gzip_compress_bound(compressor.get(), text.size()));
      size = libdeflate_gzip_compress(compressor.get(), text.data(), text.size(), out.data(),
                                      out.size());
      break;
    case Format::kZlib:
      out.resize(libdeflate_zlib_compress_bound(compressor.get(), text.size()));
      size = libdeflate_zlib_compress(compressor.get(), text.data(), text.size(), out.data(),
                                      out.size());
      break;
    case Format::kDeflate:
      out.resize(libdeflate_deflate_compress_bound(compressor.get(), text.size()));
      size = libdeflate_deflate_compress(compressor.get(), text.data(), text.size(), out.data(),
                                         out.size());
      break;
  }
  REQUIRE(size > 0);
  out.resize(size);
  return out;
}

constexpr std::size_t kLimit = 600 * 1024;
constexpr std::string_view kBody =
    R"({"batch":[{"type":"track","userId":"u","event":"Signed Up"}],"writeKey":"wk"})";

TEST_CASE("BodyDecoder passes identity bodies through untouched", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  SECTION("no Content-Encoding") {
    REQUIRE(decoder.decode("", kBody, &decoded) == DecodeStatus::kOk);
    CHECK(decoded.data() == kBody.data());
    CHECK(decoded.size() == kBody.size());
  }
  SECTION("identity, in any case and with spaces") {
    REQUIRE(decoder.decode(" IDENTITY ", kBody, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == kBody);
  }
}

TEST_CASE("BodyDecoder inflates gzip and both kinds of deflate", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  SECTION("gzip") {
    const std::string body = compress(kBody, Format::kGzip);
    REQUIRE(decoder.decode("gzip", body, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == kBody);
  }
  SECTION("x-gzip and mixed case") {
    const std::string body = compress(kBody, Format::kGzip);
    REQUIRE(decoder.decode("x-gzip", body, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == kBody);
    REQUIRE(decoder.decode("GZip\t", body, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == kBody);
  }
  SECTION("deflate as zlib (RFC 9110)") {
    const std::string body = compress(kBody, Format::kZlib);
    REQUIRE(decoder.decode("deflate", body, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == kBody);
  }
  SECTION("deflate as raw deflate (what some clients send)") {
    const std::string body = compress(kBody, Format::kDeflate);
    REQUIRE(decoder.decode("deflate", body, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == kBody);
  }
  SECTION("one decoder, several bodies in turn") {
    const std::string first = compress("first", Format::kGzip);
    const std::string second = compress("second body", Format::kZlib);
    REQUIRE(decoder.decode("gzip", first, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == "first");
    REQUIRE(decoder.decode("deflate", second, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == "second body");
  }
  SECTION("an empty body compressed") {
    const std::string body = compress("", Format::kGzip);
    REQUIRE(decoder.decode("gzip", body, &decoded) == DecodeStatus::kOk);
    CHECK(decoded.empty());
  }
}

TEST_CASE("BodyDecoder refuses other encodings", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  for (std::string_view encoding : {"br", "zstd", "compress", "gzip, br", "gzip2"}) {
    INFO(encoding);
    CHECK(decoder.decode(encoding, kBody, &decoded) == DecodeStatus::kUnsupportedEncoding);
  }
}

TEST_CASE("BodyDecoder reports corrupt compressed data", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  const std::string gzip = compress(kBody, Format::kGzip);
  SECTION("plain text sent as gzip") {
    CHECK(decoder.decode("gzip", kBody, &decoded) == DecodeStatus::kCorrupt);
  }
  SECTION("a truncated gzip stream") {
    CHECK(decoder.decode("gzip", std::string_view(gzip).substr(0, gzip.size() / 2), &decoded) ==
          DecodeStatus::kCorrupt);
  }
  SECTION("a gzip stream with a wrong CRC") {
    std::string damaged = gzip;
    damaged[damaged.size() - 8] ^= 0x01;  // the CRC-32 of the trailer
    CHECK(decoder.decode("gzip", damaged, &decoded) == DecodeStatus::kCorrupt);
  }
  SECTION("an empty gzip body") {
    CHECK(decoder.decode("gzip", "", &decoded) == DecodeStatus::kCorrupt);
  }
  SECTION("bytes that are neither zlib nor raw deflate") {
    CHECK(decoder.decode("deflate", std::string(16, '\xff'), &decoded) == DecodeStatus::kCorrupt);
  }
}

// 64 MiB of zeros, gzip-compressed once for all sections: about 66 KiB on the wire.
const std::string& gzip_bomb() {
  static const std::string bomb = compress(std::string(64u << 20, '\0'), Format::kGzip);
  return bomb;
}

TEST_CASE("BodyDecoder bounds the decoded size", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  SECTION("a gzip bomb: 64 MiB of zeros") {
    REQUIRE(gzip_bomb().size() < kLimit);  // small on the wire
    CHECK(decoder.decode("gzip", gzip_bomb(), &decoded) == DecodeStatus::kTooLarge);
  }
  SECTION("the same bomb as raw deflate") {
    // libdeflate's gzip stream is a 10-byte header, the raw deflate stream, an 8-byte trailer.
    const std::string_view deflate =
        std::string_view(gzip_bomb()).substr(10, gzip_bomb().size() - 18);
    CHECK(decoder.decode("deflate", deflate, &decoded) == DecodeStatus::kTooLarge);
  }
  SECTION("exactly at the limit: decoded") {
    const std::string text(kLimit, 'a');
    REQUIRE(decoder.decode("gzip", compress(text, Format::kGzip), &decoded) == DecodeStatus::kOk);
    CHECK(decoded == text);
  }
  SECTION("one byte over the limit: refused") {
    const std::string text(kLimit + 1, 'a');
    CHECK(decoder.decode("gzip", compress(text, Format::kGzip), &decoded) ==
          DecodeStatus::kTooLarge);
    CHECK(decoder.decode("deflate", compress(text, Format::kZlib), &decoded) ==
          DecodeStatus::kTooLarge);
  }
}

TEST_CASE("BodyDecoder decodes every gzip member and refuses what follows the last", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  const std::string first = compress(R"({"batch":[)", Format::kGzip);
  const std::string second =
      compress(R"({"type":"track","userId":"u","event":"E"}]})", Format::kGzip);
  SECTION("two members decode to their concatenation") {
    REQUIRE(decoder.decode("gzip", first + second, &decoded) == DecodeStatus::kOk);
    CHECK(decoded == R"({"batch":[{"type":"track","userId":"u","event":"E"}]})");
  }
  SECTION("a member followed by bytes that are not one") {
    const std::string whole = compress(kBody, Format::kGzip);
    CHECK(decoder.decode("gzip", whole + "garbage", &decoded) == DecodeStatus::kCorrupt);
    CHECK(decoder.decode("gzip", whole + std::string(1, '\0'), &decoded) == DecodeStatus::kCorrupt);
  }
  SECTION("members that together pass the limit") {
    BodyDecoder small(100);
    const std::string half = compress(std::string(60, 'x'), Format::kGzip);
    CHECK(small.decode("gzip", half, &decoded) == DecodeStatus::kOk);
    CHECK(small.decode("gzip", half + half, &decoded) == DecodeStatus::kTooLarge);
  }
}

TEST_CASE("BodyDecoder refuses bytes after a zlib or raw deflate stream", "[server]") {
  BodyDecoder decoder(kLimit);
  std::string_view decoded;
  CHECK(decoder.decode("deflate", compress(kBody, Format::kZlib) + "xx", &decoded) ==
        DecodeStatus::kCorrupt);
  CHECK(decoder.decode("deflate", compress(kBody, Format::kDeflate) + "xx", &decoded) ==
        DecodeStatus::kCorrupt);
  REQUIRE(decoder.decode("deflate", compress(kBody, Format::kDeflate), &decoded) ==
          DecodeStatus::kOk);
  CHECK(decoded == kBody);
}

}  // namespace
}  // namespace sluice::server
