// The Objects API (POST /v1/set) on the real binary: objects are stored durably and routed to
// the destinations that take them.

#include <catch2/catch.hpp>

#include "delivery_support.hpp"
#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

TEST_CASE("POST /v1/set stores objects that destinations taking objects receive",
          "[integration][delivery][objects]") {
  TempDir dir;
  ServerOptions options;
  // A file destination that takes only the given types.
  const auto typed = [&dir](const std::string& name, const std::string& type) {
    return "\n[[destinations]]\nname = \"" + name + "\"\ntype = \"file\"\n" +
           "include_types = [\"" + type + "\"]\nbatch_max_wait = \"20ms\"\n" +
           "[destinations.file]\npath = \"" + (dir.path() / name).string() + "\"\n";
  };
  options.extra_config = file_destination_toml("all", dir.path() / "all", 10) +
                         typed("objects", "object") + typed("tracks", "track");
  ServerProcess server(dir.path(), options);
  HttpClient client(server.port());
  const HttpResponse stored = client.request(
      "POST", "/v1/set", {{"Authorization", basic_auth(kWriteKey)}},
      R"({"collection":"rooms","objects":[{"id":"2561341","properties":{"name":"Topaz"}},)"
      R"({"properties":{}}]})");
  INFO(stored.body);
  CHECK(stored.status == 200);
  CHECK_THAT(stored.body, Contains(R"("rejected":[{"index":1,"code":"object_id_required")"));
  REQUIRE(client
              .request("POST", "/v1/track", {{"Authorization", basic_auth(kWriteKey)}},
                       track_json("a-track"))
              .status == 200);

  check_error(client.request("POST", "/v1/set", {{"Authorization", basic_auth("nobody")}},
                             R"({"collection":"rooms","objects":[]})"),
              400, "invalid_write_key");
  check_error(client.request("POST", "/v1/set", {{"Authorization", basic_auth(kWriteKey)}},
                             R"({"collection":"Rooms!","objects":[]})"),
              400, "invalid_collection");

  for (const char* name : {"all", "objects", "tracks"}) {
    REQUIRE(wait_until_delivered(server.port(), name, 30s));
  }
  REQUIRE(server.terminate().clean());
  const StoredLog log = read_stored_log(server.config_path());
  REQUIRE(log.events.size() == 2);
  CHECK_THAT(log.events[0], Contains(R"("type":"object","collection":"rooms","id":"2561341")"));

  const auto all = delivered_message_ids(dir.path() / "all");
  const auto objects = delivered_message_ids(dir.path() / "objects");
  const auto tracks = delivered_message_ids(dir.path() / "tracks");
  CHECK(all.size() == 2);
  CHECK(objects.size() == 1);
  CHECK_FALSE(objects.contains("a-track"));
  CHECK(tracks.size() == 1);
  CHECK(tracks.contains("a-track"));
}

}  // namespace
}  // namespace sluice::integration
