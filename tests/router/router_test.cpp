#include "router/router.hpp"

#include <fstream>

#include <catch2/catch.hpp>

#include "router/destination_factory.hpp"
#include "router_fixture.hpp"

namespace sluice::router::test {
namespace {

config::DestinationConfig file_destination(const TempDir& dir, const std::string& name) {
  config::DestinationConfig config = destination_config(name);
  config::FileDestinationConfig file;
  file.path = (dir.path() / name).string();
  config.settings = file;
  return config;
}

}  // namespace

TEST_CASE("The factory builds every kind of destination, or says why not", "[router]") {
  TempDir dir;
  config::DestinationConfig webhook = destination_config("hook");
  webhook.settings = config::WebhookDestinationConfig{"https://example.com/"};
  config::DestinationConfig kafka = destination_config("stream");
  kafka.settings = config::KafkaDestinationConfig{"127.0.0.1:9", "events", {}};

  CHECK(make_destination(file_destination(dir, "archive")).is_ok());
  CHECK(make_destination(webhook).is_ok());  // connects only when it delivers
  CHECK(make_destination(kafka).is_ok());    // likewise
  config::DestinationConfig unreadable_ca = webhook;
  unreadable_ca.settings = config::WebhookDestinationConfig{"https://example.com/",
                                                            {},
                                                            config::WebhookMode::kBatch,
                                                            10'000ms,
                                                            (dir.path() / "missing.pem").string()};
  const auto refused = make_destination(unreadable_ca);
  CHECK_FALSE(refused.is_ok());
  CHECK_THAT(error_of(refused), Catch::StartsWith(R"(destination "hook": cannot load ca_file )"));

  auto log = open_log(dir);
  prometheus::Registry registry;
  RouterMetrics metrics(registry);
  const auto router = Router::create({file_destination(dir, "a"), unreadable_ca}, *log, metrics);
  CHECK_FALSE(router.is_ok());
  CHECK_THAT(error_of(router), Catch::Contains("cannot load ca_file"));
}

TEST_CASE("The router delivers to every destination and stops before the log closes", "[router]") {
  TempDir dir;
  auto log = open_log(dir);
  prometheus::Registry registry;
  RouterMetrics metrics(registry);
  auto created =
      Router::create({file_destination(dir, "a"), file_destination(dir, "b")}, *log, metrics);
  INFO(created.status().to_string());
  REQUIRE(created.is_ok());
  std::unique_ptr<Router> router = std::move(created).value();
  CHECK(router->size() == 2);
  router->start();
  append_many(*log, 25);
  for (const char* name : {"a", "b"}) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (metric_value(registry, "sluice_router_cursor", name) < 25 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
  }
  router->stop();
  router->stop();  // idempotent
  log->close();

  for (const char* name : {"a", "b"}) {
    INFO(name);
    CHECK(metric_value(registry, "sluice_router_delivered_events_total", name) == 25);
    std::size_t lines = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / name)) {
      CHECK_FALSE(entry.path().filename().string().starts_with('.'));  // completed at stop
      std::ifstream in(entry.path());
      for (std::string line; std::getline(in, line);) ++lines;
    }
    CHECK(lines == 25);
  }
}

}  // namespace sluice::router::test
