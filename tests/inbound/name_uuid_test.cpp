#include "inbound/name_uuid.hpp"

#include <catch2/catch.hpp>

namespace sluice::inbound {

TEST_CASE("a name always gives the same version 5 UUID", "[inbound]") {
  const std::string id = name_uuid("jane@example.com");
  CHECK(id == name_uuid("jane@example.com"));
  CHECK(id != name_uuid("john@example.com"));
  REQUIRE(id.size() == 36);
  CHECK(id[8] == '-');
  CHECK(id[13] == '-');
  CHECK(id[14] == '5');  // version
  CHECK(id[18] == '-');
  CHECK((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'));  // variant
  CHECK(id[23] == '-');
  CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
}

TEST_CASE("the namespace is fixed: known names keep their ids", "[inbound]") {
  // Changing the namespace would give every recipient a new anonymousId. The value is Python's
  // uuid.uuid5(UUID("6c1d5f0e-3a8b-5e4f-9d2c-7b1a0e6f4c3d"), "jane@example.com").
  CHECK(name_uuid("jane@example.com") == "8fee1303-309f-5299-8fff-0c14f27fd5a5");
  CHECK(name_uuid("") != name_uuid(" "));
}

}  // namespace sluice::inbound
