#include "api/sources.hpp"

#include <catch2/catch.hpp>

#include "api_fixture.hpp"

namespace sluice::api {
namespace {

TEST_CASE("SourceRegistry finds a source by any of its write keys", "[api]") {
  const SourceRegistry registry(test::test_sources());
  SECTION("every key of a source leads to it") {
    const Source* first = registry.find_by_write_key("wk_web");
    const Source* second = registry.find_by_write_key("wk_web2");
    REQUIRE(first != nullptr);
    CHECK(first->name == "web");
    CHECK(first == second);
  }
  SECTION("sources keep their config order") {
    REQUIRE(registry.sources().size() == 2);
    CHECK(registry.sources()[0].name == "web");
    CHECK(registry.sources()[1].name == "mobile");
    CHECK(registry.find_by_write_key("wk_mobile") == &registry.sources()[1]);
  }
  SECTION("unknown, empty and differently cased keys are not found") {
    CHECK(registry.find_by_write_key("nope") == nullptr);
    CHECK(registry.find_by_write_key("") == nullptr);
    CHECK(registry.find_by_write_key("WK_WEB") == nullptr);
    CHECK(registry.find_by_write_key("wk_we") == nullptr);
    CHECK(registry.find_by_write_key("wk_web_") == nullptr);
  }
}

TEST_CASE("SourceRegistry finds keys of any length and bytes", "[api]") {
  const std::string long_key(4096, 'k');
  const std::string binary_key("a\0b\xff", 4);
  const SourceRegistry registry(
      {config::SourceConfig{"long", {long_key}}, config::SourceConfig{"binary", {binary_key}}});
  REQUIRE(registry.find_by_write_key(long_key) != nullptr);
  CHECK(registry.find_by_write_key(long_key)->name == "long");
  CHECK(registry.find_by_write_key(long_key.substr(1)) == nullptr);
  REQUIRE(registry.find_by_write_key(binary_key) != nullptr);
  CHECK(registry.find_by_write_key(binary_key)->name == "binary");
  CHECK(registry.find_by_write_key(std::string_view("a")) == nullptr);
}

TEST_CASE("Two registries of the same keys find the same sources", "[api]") {
  // Each registry draws its own secret, so their digests differ; lookups must not.
  const SourceRegistry first(test::test_sources());
  const SourceRegistry second(test::test_sources());
  REQUIRE(first.find_by_write_key("wk_mobile") != nullptr);
  REQUIRE(second.find_by_write_key("wk_mobile") != nullptr);
  CHECK(first.find_by_write_key("wk_mobile")->name == second.find_by_write_key("wk_mobile")->name);
}

TEST_CASE("SourceRegistry gives each source its controls", "[api]") {
  config::SourceSettings settings;
  settings.allowed_types = {"track"};
  const SourceRegistry registry(
      {config::SourceConfig{"limited", {"k1"}, settings}, config::SourceConfig{"open", {"k2"}}});
  CHECK_FALSE(registry.find_by_write_key("k1")->controls.allows_type(storage::EventType::kPage));
  CHECK(registry.find_by_write_key("k2")->controls.allows_type(storage::EventType::kPage));
}

}  // namespace
}  // namespace sluice::api
