// The tracking API's port belongs to one server: a second one started on it by mistake must
// fail at start-up, not share the port and take part of the traffic.

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

using Catch::Matchers::Contains;
using namespace std::chrono_literals;

TEST_CASE("A second server on a port in use exits instead of sharing it", "[integration]") {
  TempDir first_dir;
  ServerProcess first(first_dir.path());

  TempDir second_dir;
  ServerOptions options;
  options.port = first.port();
  options.wait_until_ready = false;
  ServerProcess second(second_dir.path(), options);
  const ExitStatus status = second.wait(30s);
  INFO(second.output());
  CHECK(status.exited);
  CHECK(status.code == 1);
  CHECK_THAT(second.output(), Contains("cannot listen on 127.0.0.1:" +
                                       std::to_string(first.port()) + ": Address already in use"));

  // Every request still reaches the first server: 20 fresh connections, which the kernel
  // would spread over both servers had the second joined the port.
  for (int attempt = 0; attempt < 20; ++attempt) {
    HttpClient client(first.port());
    const HttpResponse response = client.request("POST", "/v1/track", auth_headers(),
                                                 track_json("listen-" + std::to_string(attempt)));
    REQUIRE(response.status == 200);
  }
  CHECK(first.terminate().clean());
  CHECK(read_stored_log(first.config_path()).events.size() == 20);
}

}  // namespace
}  // namespace sluice::integration
