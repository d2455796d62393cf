#include "api/source_catalog.hpp"

#include <atomic>

#include <catch2/catch.hpp>

#include "api/json_writer.hpp"
#include "api/source_codec.hpp"
#include "api/sources.hpp"
#include "config/source_settings_json.hpp"
#include "storage/event_log.hpp"
#include "tests/support/temp_dir.hpp"

namespace sluice::api {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

constexpr std::int64_t kStart = 1'800'000'000'000;

config::SourceConfig config_source(std::string name, std::string key) {
  return config::SourceConfig{std::move(name), {std::move(key)}, {}};
}

// A catalog over a real event log in a temp dir, on a clock the test moves.
class CatalogFixture {
 public:
  explicit CatalogFixture(std::vector<config::SourceConfig> config_sources = {
                              config_source("website", "web_key")}) {
    config_sources_ = std::move(config_sources);
    open();
  }

  // Closes the log and opens it again, as a restart does.
  void reopen() {
    catalog_.reset();
    log_.reset();
    open();
  }

  SourceCatalog& catalog() { return *catalog_; }
  std::shared_ptr<const SourceRegistry> registry() const { return directory_.current(); }
  KeyLookup lookup(std::string_view key) const { return registry()->lookup(key, now_.load()); }
  void advance(std::chrono::milliseconds by) { now_ += by.count(); }
  storage::EventLog& log() { return *log_; }

 private:
  void open() {
    config::StorageConfig storage;
    storage.path = dir_.log_path();
    auto log = storage::EventLog::open(storage, nullptr);
    REQUIRE(log.is_ok());
    log_ = std::move(log).value();
    auto catalog = SourceCatalog::open(log_->source_store(), config_sources_, directory_, nullptr,
                                       [this] { return now_.load(); });
    INFO(catalog.status().message());
    REQUIRE(catalog.is_ok());
    catalog_ = std::move(catalog).value();
  }

  test::TempDir dir_;
  std::vector<config::SourceConfig> config_sources_;
  std::atomic<std::int64_t> now_{kStart};
  SourceDirectory directory_{
      std::make_shared<const SourceRegistry>(std::vector<config::SourceConfig>{})};
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<SourceCatalog> catalog_;
};

TEST_CASE("A created source is in force at once, with one new random key", "[api][catalog]") {
  CatalogFixture fixture;
  auto created = fixture.catalog().create("ios-app", {});
  REQUIRE(created.is_ok());
  CHECK(created->origin == SourceOrigin::kApi);
  CHECK(created->created_at_ms == kStart);
  REQUIRE(created->keys.size() == 1);
  const std::string key = created->keys[0].key;
  CHECK(key.size() == 32);
  CHECK(key.find_first_of("+/=") == std::string::npos);

  const KeyLookup found = fixture.lookup(key);
  CHECK(found.accepted());
  REQUIRE(found.source != nullptr);
  CHECK(found.source->name == "ios-app");
  CHECK(fixture.lookup("web_key").accepted());  // the config's source stays

  auto second = fixture.catalog().create("android", {});
  REQUIRE(second.is_ok());
  CHECK(second->keys[0].key != key);
  const auto all = fixture.catalog().list();
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == "website");
  CHECK(all[0].origin == SourceOrigin::kConfig);
  CHECK(all[1].name == "android");  // the API's in name order
  CHECK(all[2].name == "ios-app");
}

TEST_CASE("No write key starts with a dash, which command lines would take for an option",
          "[api][catalog]") {
  CatalogFixture fixture;
  // One key in 64 would start with '-' if it were not drawn again: 400 keys all but surely
  // include one.
  for (int i = 0; i < 400; ++i) {
    auto created = fixture.catalog().create("source-" + std::to_string(i), {});
    REQUIRE(created.is_ok());
    REQUIRE(created->keys.at(0).key.front() != '-');
  }
}

TEST_CASE("A source's kind is set at creation and its settings must suit it", "[api][catalog]") {
  CatalogFixture fixture;
  config::SourceSettings settings;
  settings.email.signing_key = "mg-key";
  auto refused = fixture.catalog().create("mail", settings, config::SourceKind::kSendgrid);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message().find("kind \"mailgun\"") != std::string::npos);

  auto created = fixture.catalog().create("mail", settings, config::SourceKind::kMailgun);
  REQUIRE(created.is_ok());
  CHECK(created->kind == config::SourceKind::kMailgun);
  CHECK(fixture.lookup(created->keys[0].key).source->kind == config::SourceKind::kMailgun);

  auto changed = fixture.catalog().update("mail", [](SourceDefinition& source) {
    source.kind = config::SourceKind::kTracking;  // ignored: a change cannot change the kind
    source.settings.webhook.items = "/events";
    return Status::ok();
  });
  REQUIRE_FALSE(changed.is_ok());
  CHECK(changed.status().message().find("settings.items") != std::string::npos);
  CHECK(fixture.catalog().find("mail")->kind == config::SourceKind::kMailgun);
}

TEST_CASE("Names are checked, and taken ones refused whichever side holds them", "[api][catalog]") {
  CatalogFixture fixture;
  CHECK(fixture.catalog().create("bad name", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(fixture.catalog().create("", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(fixture.catalog().create(std::string(65, 'a'), {}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(fixture.catalog().create("..", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(fixture.catalog().create("-app", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(fixture.catalog().create("9.app_x-y", {}).is_ok());
  CHECK(fixture.catalog().create("website", {}).status().code() == StatusCode::kAlreadyExists);
  REQUIRE(fixture.catalog().create("app", {}).is_ok());
  CHECK(fixture.catalog().create("app", {}).status().code() == StatusCode::kAlreadyExists);
}

TEST_CASE("API sources survive a restart, and the config's are never stored", "[api][catalog]") {
  CatalogFixture fixture;
  config::SourceSettings settings;
  settings.blocked_events = {"Debug *"};
  settings.rate_limit = config::RateLimitConfig{50.5, 100};
  auto created = fixture.catalog().create("backend", settings);
  REQUIRE(created.is_ok());
  auto key = fixture.catalog().add_key("backend");
  REQUIRE(key.is_ok());
  REQUIRE(fixture.catalog().revoke_key("backend", created->keys[0].key, 1h).is_ok());
  const auto before = fixture.catalog().find("backend");
  REQUIRE(before.has_value());

  fixture.reopen();
  const auto after = fixture.catalog().find("backend");
  REQUIRE(after.has_value());
  CHECK(*after == *before);
  CHECK(after->settings.rate_limit->events_per_second == 50.5);
  CHECK(fixture.lookup(*key).accepted());
  const auto stored = fixture.log().source_store().load_all();
  REQUIRE(stored.is_ok());
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().first == "backend");
}

TEST_CASE("A revoked key works until its grace period ends, then is refused as revoked",
          "[api][catalog]") {
  CatalogFixture fixture;
  auto created = fixture.catalog().create("web", {});
  REQUIRE(created.is_ok());
  const std::string old_key = created->keys[0].key;
  auto new_key = fixture.catalog().add_key("web");
  REQUIRE(new_key.is_ok());

  REQUIRE(fixture.catalog().revoke_key("web", old_key, 10min).is_ok());
  CHECK(fixture.lookup(old_key).accepted());
  fixture.advance(10min - 1ms);
  CHECK(fixture.lookup(old_key).accepted());
  fixture.advance(1ms);
  const KeyLookup refused = fixture.lookup(old_key);
  CHECK(refused.refusal == KeyRefusal::kRevoked);
  REQUIRE(refused.source != nullptr);
  CHECK(refused.source->name == "web");
  CHECK(fixture.lookup(*new_key).accepted());

  // A later revoke cannot lengthen the grace; an earlier one shortens it.
  REQUIRE(fixture.catalog().revoke_key("web", *new_key, 1h).is_ok());
  REQUIRE(fixture.catalog().revoke_key("web", *new_key, 2h).is_ok());
  CHECK(fixture.catalog().find("web")->keys[1].expires_at_ms == kStart + 10 * 60'000 + 3'600'000);
  REQUIRE(fixture.catalog().revoke_key("web", *new_key, 0ms).is_ok());
  CHECK(fixture.lookup(*new_key).refusal == KeyRefusal::kRevoked);

  CHECK(fixture.catalog().revoke_key("web", "no-such-key", 0ms).status().code() ==
        StatusCode::kNotFound);
  CHECK(fixture.catalog().revoke_key("web", old_key, -1ms).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("A disabled source's keys are refused as disabled, a removed one's as unknown",
          "[api][catalog]") {
  CatalogFixture fixture;
  auto created = fixture.catalog().create("noisy", {});
  REQUIRE(created.is_ok());
  const std::string key = created->keys[0].key;
  REQUIRE(fixture.catalog()
              .update("noisy",
                      [](SourceDefinition& source) {
                        source.enabled = false;
                        return Status::ok();
                      })
              .is_ok());
  CHECK(fixture.lookup(key).refusal == KeyRefusal::kDisabled);
  fixture.reopen();
  CHECK(fixture.lookup(key).refusal == KeyRefusal::kDisabled);

  REQUIRE(fixture.catalog().remove("noisy").is_ok());
  CHECK(fixture.lookup(key).refusal == KeyRefusal::kUnknown);
  CHECK(fixture.lookup(key).source == nullptr);
  fixture.reopen();
  CHECK_FALSE(fixture.catalog().find("noisy").has_value());
}

TEST_CASE("The config's sources cannot be changed through the catalog", "[api][catalog]") {
  CatalogFixture fixture;
  const auto no_change = [](SourceDefinition&) { return Status::ok(); };
  CHECK(fixture.catalog().update("website", no_change).status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(fixture.catalog().remove("website").code() == StatusCode::kFailedPrecondition);
  CHECK(fixture.catalog().add_key("website").status().code() == StatusCode::kFailedPrecondition);
  CHECK(fixture.catalog().revoke_key("website", "web_key", 0ms).status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(fixture.catalog().update("missing", no_change).status().code() == StatusCode::kNotFound);
}

TEST_CASE("A reload whose sources clash with the API's changes nothing", "[api][catalog]") {
  CatalogFixture fixture;
  auto created = fixture.catalog().create("app", {});
  REQUIRE(created.is_ok());
  const std::string key = created->keys[0].key;

  const Status same_name =
      fixture.catalog().replace_config_sources({config_source("app", "other_key")});
  CHECK(same_name.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(same_name.message(), Contains("\"app\""));
  const Status same_key = fixture.catalog().replace_config_sources({config_source("web2", key)});
  CHECK(same_key.code() == StatusCode::kInvalidArgument);
  CHECK(fixture.lookup("web_key").accepted());  // still the config in force

  REQUIRE(fixture.catalog().replace_config_sources({config_source("web2", "web2_key")}).is_ok());
  CHECK(fixture.lookup("web2_key").accepted());
  CHECK(fixture.lookup("web_key").refusal == KeyRefusal::kUnknown);
  CHECK(fixture.lookup(key).accepted());
}

TEST_CASE("A change keeps the rate-limit buckets of the sources it does not touch",
          "[api][catalog]") {
  config::SourceConfig limited = config_source("limited", "limited_key");
  limited.settings.rate_limit = config::RateLimitConfig{1, 10};
  CatalogFixture fixture({limited});
  RateLimiter* bucket = fixture.registry()->find_by_name("limited")->controls.rate_limiter();
  REQUIRE(bucket != nullptr);
  REQUIRE(fixture.catalog().create("other", {}).is_ok());
  CHECK(fixture.registry()->find_by_name("limited")->controls.rate_limiter() == bucket);

  limited.settings.rate_limit = config::RateLimitConfig{2, 10};
  REQUIRE(fixture.catalog().replace_config_sources({limited}).is_ok());
  CHECK(fixture.registry()->find_by_name("limited")->controls.rate_limiter() != bucket);
}

// Settings written by write_source_settings, as text.
std::string settings_json(const config::SourceSettings& settings) {
  JsonWriter out;
  write_source_settings(out, settings);
  return out.take();
}

TEST_CASE("Settings written as JSON are the text the config reads back as the same",
          "[api][catalog]") {
  const std::string json =
      R"({"rate_limit":{"events_per_second":2000,"burst":10000},)"
      R"("allowed_origins":["https://shop.example.com"],"allowed_types":["track","page"],)"
      R"("blocked_events":["Debug Ping","Test *"]})";
  const config::SettingsFromJson read = config::source_settings_from_json(json, "settings");
  REQUIRE(read.settings.has_value());
  CHECK(settings_json(*read.settings) == json);

  const config::SettingsFromJson fractional =
      config::source_settings_from_json(R"({"rate_limit":{"events_per_second":2.5}})", "settings");
  REQUIRE(fractional.settings.has_value());
  const config::SettingsFromJson again =
      config::source_settings_from_json(settings_json(*fractional.settings), "settings");
  REQUIRE(again.settings.has_value());
  CHECK(*again.settings == *fractional.settings);
  CHECK(settings_json(config::SourceSettings{}) == "{}");
}

TEST_CASE("A stored source reads back as written, and a damaged one is refused", "[api][catalog]") {
  SourceDefinition source;
  source.name = "a.b_c-d";
  source.origin = SourceOrigin::kApi;
  source.enabled = false;
  source.created_at_ms = kStart;
  source.keys = {WriteKey{"k1", kStart, kStart + 5}, WriteKey{"k\"2", kStart + 1}};
  source.settings.allowed_origins = std::vector<std::string>{"https://a.example"};
  source.settings.allowed_types = {"track", "page"};
  auto decoded = decode_stored_source(encode_stored_source(source));
  REQUIRE(decoded.is_ok());
  CHECK(*decoded == source);

  CHECK(decode_stored_source("not json").status().code() == StatusCode::kCorruption);
  CHECK(decode_stored_source(R"({"format":2,"name":"x"})").status().code() ==
        StatusCode::kCorruption);
}

}  // namespace
}  // namespace sluice::api
