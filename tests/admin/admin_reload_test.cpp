// POST /v1/reload: the admin API's way to re-read the config file, as SIGHUP does.

#include <catch2/catch.hpp>

#include "admin_fixture.hpp"

namespace sluice::admin::test {
namespace {

class ReloadFixture : public AdminFixture {
 public:
  explicit ReloadFixture(config::ReloadOutcome outcome)
      : AdminFixture({},
                     [this] {
                       ++calls;
                       return answer;
                     }),
        answer(std::move(outcome)) {}

  int calls = 0;
  config::ReloadOutcome answer;
};

TEST_CASE("POST /v1/reload answers what was applied and what needs a restart", "[admin]") {
  ReloadFixture fixture(config::ReloadOutcome{true, 4, {}, {"sources"}, {"server.listen"}});
  const HttpResponse response = fixture.post("/v1/reload");
  CHECK(response.status == 200);
  CHECK(response.body ==
        R"({"generation":4,"applied":["sources"],"restart_required":["server.listen"]})");
  CHECK(fixture.calls == 1);
}

TEST_CASE("POST /v1/reload of an invalid file is 400 with every error", "[admin]") {
  ReloadFixture fixture(config::ReloadOutcome{
      false, 2, {"a.toml:3:1: unknown key \"x\"", "a.toml:9:5: bad \"y\""}, {}, {}});
  const HttpResponse response = fixture.post("/v1/reload");
  CHECK(response.status == 400);
  CHECK(response.body ==
        R"({"error":{"code":"invalid_config","message":"the config file was refused and nothing )"
        R"(changed: a.toml:3:1: unknown key \"x\"","errors":["a.toml:3:1: unknown key \"x\"",)"
        R"("a.toml:9:5: bad \"y\""]},"generation":2})");
}

TEST_CASE("/v1/reload takes only POST and the token", "[admin]") {
  ReloadFixture fixture(config::ReloadOutcome{true, 2, {}, {}, {}});
  CHECK(fixture.get("/v1/reload").status == 405);
  HttpClient anonymous(fixture.port());
  CHECK(anonymous.request("POST", "/v1/reload").status == 401);
  CHECK(fixture.calls == 0);
}

TEST_CASE("Without a reload hook /v1/reload does not exist", "[admin]") {
  AdminFixture fixture;
  CHECK(fixture.post("/v1/reload").status == 404);
}

}  // namespace
}  // namespace sluice::admin::test
