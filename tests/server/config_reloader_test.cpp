#include "server/config_reloader.hpp"

#include <fstream>

#include <catch2/catch.hpp>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "api/api_metrics.hpp"
#include "storage/event_log.hpp"
#include "tests/support/temp_dir.hpp"

namespace sluice::server {
namespace {

using Catch::Contains;
using Catch::Equals;
using Names = std::vector<std::string>;

constexpr std::string_view kBase = R"([server]
listen = "127.0.0.1:8080"
[log]
level = "info"
[[sources]]
name = "website"
write_keys = ["key_web"]
)";

// A config file that the test rewrites, and a reloader started from its first version.
class ReloadFixture {
 public:
  ReloadFixture() : path_((dir_.path() / "sluice.toml").string()) {
    write(kBase);
    const config::LoadResult loaded = config::load_file(path_, {});
    REQUIRE(loaded.config.has_value());
    directory_.emplace(
        std::make_shared<const api::SourceRegistry>(loaded.config->sources, &metrics_));
    config::StorageConfig storage;
    storage.path = (dir_.path() / "log").string();
    auto log = storage::EventLog::open(storage, nullptr);
    REQUIRE(log.is_ok());
    log_ = std::move(log).value();
    auto catalog = api::SourceCatalog::open(log_->source_store(), loaded.config->sources,
                                            *directory_, &metrics_);
    REQUIRE(catalog.is_ok());
    catalog_ = std::move(catalog).value();
    request_settings_.emplace(std::make_shared<const RequestSettings>(loaded.config->server));
    reloader_.emplace(path_, *loaded.config, ReloadTargets{*catalog_, &*request_settings_, {}},
                      registry_);
  }

  void write(std::string_view text) const { std::ofstream(path_, std::ios::trunc) << text; }
  ConfigReloader& reloader() { return *reloader_; }
  api::SourceCatalog& catalog() { return *catalog_; }
  std::shared_ptr<const RequestSettings> request_settings() const {
    return request_settings_->current();
  }
  std::shared_ptr<const api::SourceRegistry> sources() const { return directory_->current(); }
  const api::SourceDirectory& directory() const { return *directory_; }

  double metric(std::string_view name) const {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      const auto& metric = family.metric.front();
      return family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                          : metric.counter.value;
    }
    return -1;
  }

 private:
  test::TempDir dir_;
  std::string path_;
  prometheus::Registry registry_;
  api::ApiMetrics metrics_{registry_};
  std::optional<api::SourceDirectory> directory_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<api::SourceCatalog> catalog_;
  std::optional<RequestSettingsDirectory> request_settings_;
  std::optional<ConfigReloader> reloader_;
};

TEST_CASE("A reload applies new sources and keys to requests that start afterwards",
          "[server][reload]") {
  ReloadFixture fixture;
  const auto before = fixture.sources();
  api::SourceView view(fixture.directory());
  CHECK(view.get() == before);
  fixture.write(std::string(kBase) + "[[sources]]\nname = \"ios\"\nwrite_keys = [\"key_ios\"]\n");

  const config::ReloadOutcome outcome = fixture.reloader().reload();
  INFO(outcome.errors.size());
  REQUIRE(outcome.ok);
  CHECK(outcome.generation == 2);
  CHECK_THAT(outcome.applied, Equals(Names{"sources"}));
  CHECK(outcome.restart_required.empty());

  const auto after = fixture.sources();
  CHECK(after != before);
  REQUIRE(after->find_by_write_key("key_ios") != nullptr);
  CHECK(after->find_by_write_key("key_ios")->name == "ios");
  CHECK(after->find_by_write_key("key_web") != nullptr);
  // A request in progress keeps the registry it started with.
  CHECK(before->find_by_write_key("key_ios") == nullptr);
  // A thread's view picks the new one up.
  CHECK(view.get() == after);
  CHECK(fixture.metric("sluice_config_generation") == 2);
  CHECK(fixture.metric("sluice_config_reloads_total") == 1);
}

TEST_CASE("A revoked key stops working at the reload", "[server][reload]") {
  ReloadFixture fixture;
  fixture.write(R"([server]
listen = "127.0.0.1:8080"
[[sources]]
name = "website"
write_keys = ["key_web_2"]
)");
  REQUIRE(fixture.reloader().reload().ok);
  CHECK(fixture.sources()->find_by_write_key("key_web") == nullptr);
  CHECK(fixture.sources()->find_by_write_key("key_web_2") != nullptr);
}

TEST_CASE("An invalid config changes nothing and says why", "[server][reload]") {
  ReloadFixture fixture;
  const auto before = fixture.sources();
  fixture.write(std::string(kBase) + "[[sources]]\nname = \"ios\"\nwrite_keys = \"not a list\"\n");

  const config::ReloadOutcome outcome = fixture.reloader().reload();
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.generation == 1);
  REQUIRE(outcome.errors.size() == 1);
  CHECK_THAT(outcome.errors.front(), Contains("sluice.toml:10:14: sources[1].write_keys"));
  CHECK(fixture.sources() == before);
  CHECK(fixture.reloader().generation() == 1);
  CHECK(fixture.metric("sluice_config_reload_failures_total") == 1);
  CHECK(fixture.metric("sluice_config_generation") == 1);
}

TEST_CASE("Settings a reload cannot apply are reported, not half-applied", "[server][reload]") {
  ReloadFixture fixture;
  const auto before = fixture.sources();
  fixture.write(R"([server]
listen = "127.0.0.1:9999"
threads = 3
[storage]
path = "/elsewhere"
[log]
level = "debug"
[[sources]]
name = "website"
write_keys = ["key_web"]
[[destinations]]
name = "archive"
type = "file"
[destinations.file]
path = "/tmp/out"
)");
  const config::ReloadOutcome first = fixture.reloader().reload();
  REQUIRE(first.ok);
  CHECK_THAT(first.applied, Equals(Names{"log.level"}));
  CHECK_THAT(first.restart_required,
             Equals(Names{"server.listen", "server.threads", "storage", "destinations"}));
  CHECK(fixture.sources() == before);  // the sources did not change: nothing republished
  // Still pending at the next reload: the server runs on what it started with.
  const config::ReloadOutcome second = fixture.reloader().reload();
  CHECK(second.applied.empty());
  CHECK_THAT(second.restart_required,
             Equals(Names{"server.listen", "server.threads", "storage", "destinations"}));
  CHECK(second.generation == 3);
  spdlog::set_level(spdlog::level::info);
}

TEST_CASE("A reload applies the request rules of [server] to requests that start afterwards",
          "[server][reload]") {
  ReloadFixture fixture;
  const auto before = fixture.request_settings();
  fixture.write(R"([server]
listen = "127.0.0.1:8080"
max_message_bytes = 1000
max_batch_events = 10
cors_allowed_origins = ["https://shop.example.com"]
public_host = "events.example.com"
retry_after = "9s"
[log]
level = "info"
[[sources]]
name = "website"
write_keys = ["key_web"]
)");
  const config::ReloadOutcome outcome = fixture.reloader().reload();
  REQUIRE(outcome.ok);
  CHECK_THAT(outcome.applied, Equals(Names{"server.max_message_bytes", "server.max_batch_events",
                                           "server.cors_allowed_origins", "server.public_host",
                                           "server.retry_after"}));
  CHECK(outcome.restart_required.empty());
  const auto after = fixture.request_settings();
  CHECK(after != before);
  CHECK(after->ingest.max_message_bytes == 1000);
  CHECK(after->ingest.max_batch_events == 10);
  CHECK(after->public_host == "events.example.com");
  CHECK(after->retry_after == std::chrono::seconds(9));
  CHECK(before->ingest.max_message_bytes == 32768);  // what requests in progress keep
  // Applied once: the next reload of the same file changes nothing.
  const config::ReloadOutcome again = fixture.reloader().reload();
  CHECK(again.applied.empty());
  CHECK(fixture.request_settings() == after);
}

TEST_CASE("Every setting outside sources, log level and request rules needs a restart",
          "[server][reload]") {
  config::Config a;
  config::Config b = a;
  CHECK(settings_needing_restart(a, b).empty());
  b.server.cors_allowed_origins = {"https://shop.example.com"};
  b.server.max_batch_events = 10;
  b.server.tls.enabled = true;
  b.ops.enabled = true;
  b.admin.token = "0123456789abcdef";
  b.sources.push_back(config::SourceConfig{"x", {"k"}, {}});
  b.log.level = "warn";
  CHECK_THAT(settings_needing_restart(a, b), Equals(Names{"server.tls", "ops", "admin"}));
  CHECK_THAT(changed_request_settings(a.server, b.server),
             Equals(Names{"server.max_batch_events", "server.cors_allowed_origins"}));
}

}  // namespace
}  // namespace sluice::server
