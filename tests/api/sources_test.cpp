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
  SECTION("sources keep their config order as index") {
    REQUIRE(registry.sources().size() == 2);
    CHECK(registry.sources()[0].name == "web");
    CHECK(registry.sources()[0].index == 0);
    CHECK(registry.sources()[1].name == "mobile");
    CHECK(registry.sources()[1].index == 1);
    CHECK(registry.find_by_write_key("wk_mobile") == &registry.sources()[1]);
  }
  SECTION("unknown, empty and differently cased keys are not found") {
    CHECK(registry.find_by_write_key("nope") == nullptr);
    CHECK(registry.find_by_write_key("") == nullptr);
    CHECK(registry.find_by_write_key("WK_WEB") == nullptr);
    CHECK(registry.find_by_write_key("wk_we") == nullptr);
  }
}

}  // namespace
}  // namespace sluice::api
