#include "bench/sluice_bench/verifier.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <libdeflate.h>

#include "bench/sluice_bench/verify_report.hpp"
#include "tests/support/temp_dir.hpp"

namespace sluice::bench {
namespace {

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

std::string gzip_member(std::string_view text) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(6);
  std::string out(libdeflate_gzip_compress_bound(compressor, text.size()), '\0');
  out.resize(
      libdeflate_gzip_compress(compressor, text.data(), text.size(), out.data(), out.size()));
  libdeflate_free_compressor(compressor);
  return out;
}

std::string event(std::string_view id) {
  return R"({"type":"track","event":"E","userId":"u","messageId":")" + std::string(id) +
         R"(","properties":{"nested":{"messageId":"not-this-one"}}})";
}

std::string log_cat_line(int sequence, std::string_view id) {
  return "{\"seq\":" + std::to_string(sequence) + ",\"event\":" + event(id) + "}";
}

struct VerifyFixture {
  test::TempDir dir;
  VerifyResult result;
  std::string error;

  std::string path(const char* name) const { return (dir.path() / name).string(); }
  bool verify(const std::vector<std::string>& ndjson) {
    return verify_acknowledged(path("acked"), ndjson, &result, &error);
  }
};

TEST_CASE_METHOD(VerifyFixture, "verify counts missing, duplicated and extra events", "[bench]") {
  write_file(path("acked"), "a\nb\nc\nd\ne\n");
  SECTION("file destination output, plain") {
    write_file(path("out.ndjson"),
               event("a") + "\n" + event("b") + "\n" + event("b") + "\n" + event("x") + "\n");
    REQUIRE(verify({path("out.ndjson")}));
  }
  SECTION("the same as `sluice log cat` prints it, without a final newline") {
    write_file(path("cat.ndjson"), log_cat_line(1, "a") + "\n" + log_cat_line(2, "b") + "\n" +
                                       log_cat_line(3, "b") + "\n" + log_cat_line(4, "x"));
    REQUIRE(verify({path("cat.ndjson")}));
  }
  SECTION("split over files, one gzip with two members as the file destination writes it") {
    write_file(path("one.ndjson.gz"),
               gzip_member(event("a") + "\n" + event("b") + "\n") + gzip_member(event("b") + "\n"));
    write_file(path("two.ndjson"), "\n" + event("x") + "\n\n");
    REQUIRE(verify({path("one.ndjson.gz"), path("two.ndjson")}));
  }
  INFO(error);
  CHECK(result.acked == 5);
  CHECK(result.stored_lines == 4);
  CHECK(result.found == 2);
  CHECK(result.missing == 3);
  CHECK(result.duplicated == 1);
  CHECK(result.extra_copies == 1);
  CHECK(result.unacknowledged == 1);
  CHECK(result.unreadable_lines == 0);
  CHECK(result.missing_examples == std::vector<std::string>{"c", "d", "e"});
}

TEST_CASE_METHOD(VerifyFixture, "verify passes when every acknowledged event is stored",
                 "[bench]") {
  std::string acked;
  std::string stored;
  for (int i = 0; i < 1000; ++i) {
    acked += "id-" + std::to_string(i) + "\n";
    stored += log_cat_line(i + 1, "id-" + std::to_string(999 - i)) + "\n";
  }
  write_file(path("acked"), acked + "id-7\n");  // a repeated line is tolerated and counted
  write_file(path("cat.ndjson"), stored + "not json\n{\"seq\":1}\n");
  REQUIRE(verify({path("cat.ndjson")}));
  CHECK(result.acked == 1000);
  CHECK(result.acked_repeats == 1);
  CHECK(result.found == 1000);
  CHECK(result.missing == 0);
  CHECK(result.duplicated == 0);
  CHECK(result.unreadable_lines == 2);
  CHECK(verify_report_json(result).starts_with("{\"ok\":true,"));
}

TEST_CASE_METHOD(VerifyFixture, "verify reads lines longer than its read buffer", "[bench]") {
  std::string big = event("big");
  big.insert(big.find("not-this-one"), std::string(3 << 20, 'x'));  // 3 MiB inside a string
  write_file(path("acked"), "big\nsmall\n");
  write_file(path("out.ndjson"), big + "\n" + event("small") + "\n");
  REQUIRE(verify({path("out.ndjson")}));
  CHECK(result.found == 2);
  CHECK(result.missing == 0);
}

TEST_CASE_METHOD(VerifyFixture, "verify fails on files it cannot read", "[bench]") {
  write_file(path("acked"), "a\n");
  SECTION("a missing NDJSON file") {
    CHECK_FALSE(verify({path("absent.ndjson")}));
    CHECK_THAT(error, Catch::Contains("absent.ndjson"));
  }
  SECTION("a truncated gzip file") {
    const std::string member = gzip_member(event("a") + "\n");
    write_file(path("cut.ndjson.gz"), member.substr(0, member.size() - 6));
    CHECK_FALSE(verify({path("cut.ndjson.gz")}));
    CHECK_THAT(error, Catch::Contains("cut.ndjson.gz"));
  }
  SECTION("a missing acked file") {
    CHECK_FALSE(verify_acknowledged(path("no-acked"), {}, &result, &error));
  }
}

}  // namespace
}  // namespace sluice::bench
