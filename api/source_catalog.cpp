#include "api/source_catalog.hpp"

#include <algorithm>
#include <array>
#include <openssl/rand.h>
#include <set>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/base64.hpp"
#include "api/source_codec.hpp"
#include "api/sources.hpp"
#include "config/source_kinds.hpp"

namespace sluice::api {
namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kWriteKeyBytes = 24;  // 192 bits: 32 base64 characters without padding

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string quoted(std::string_view text) {
  return std::string("\"").append(text).append("\"");
}

Status managed_by_config(std::string_view name) {
  return Status::error(StatusCode::kFailedPrecondition,
                       "the source " + quoted(name) +
                           " is declared in the config file; change it there and reload (SIGHUP "
                           "or POST /v1/reload)");
}

// kInvalidArgument with the first problem when the settings do not suit the kind.
Status check_kind(config::SourceKind kind, const config::SourceSettings& settings) {
  const std::vector<std::string> problems = config::settings_problems(kind, settings);
  if (problems.empty()) return Status::ok();
  return Status::invalid_argument(problems.front());
}

bool alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool has_key(const std::vector<SourceDefinition>& sources, std::string_view key) {
  return std::any_of(sources.begin(), sources.end(), [key](const SourceDefinition& source) {
    return std::any_of(source.keys.begin(), source.keys.end(),
                       [key](const WriteKey& entry) { return entry.key == key; });
  });
}

}  // namespace

Result<std::string> generate_write_key() {
  std::array<unsigned char, kWriteKeyBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::internal("OpenSSL's random generator failed; no write key was made");
  }
  std::string key =
      encode_base64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  // URL-safe, so that a key can be written in a URL path and a Basic auth user name alike.
  std::replace(key.begin(), key.end(), '+', '-');
  std::replace(key.begin(), key.end(), '/', '_');
  return key;
}

bool valid_source_name(std::string_view name) {
  // The first character is a letter or digit, so that no name is "." or ".." (which clients
  // and proxies rewrite out of a URL path).
  if (name.empty() || name.size() > kMaxNameLength || !alphanumeric(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return alphanumeric(c) || c == '.' || c == '_' || c == '-'; });
}

std::string source_clash(const std::vector<SourceDefinition>& config_sources,
                         const std::vector<SourceDefinition>& api_sources) {
  std::set<std::string_view> names;
  std::set<std::string_view> keys;
  for (const SourceDefinition& source : api_sources) {
    names.insert(source.name);
    for (const WriteKey& key : source.keys) keys.insert(key.key);
  }
  for (const SourceDefinition& source : config_sources) {
    if (names.contains(source.name)) {
      return "the config's source " + quoted(source.name) +
             " has the name of a source created through the admin API; rename one of them";
    }
    for (const WriteKey& key : source.keys) {
      if (keys.contains(key.key)) {
        return "a write key of the config's source " + quoted(source.name) +
               " belongs to a source created through the admin API";
      }
    }
  }
  return {};
}

Result<std::unique_ptr<SourceCatalog>> SourceCatalog::open(
    storage::SourceStore& store, const std::vector<config::SourceConfig>& config_sources,
    SourceDirectory& directory, ApiMetrics* metrics, Clock clock) {
  auto stored = store.load_all();
  if (!stored.is_ok()) return stored.status();
  std::vector<SourceDefinition> api_sources;
  api_sources.reserve(stored->size());
  for (const auto& [name, bytes] : *stored) {
    auto source = decode_stored_source(bytes);
    if (!source.is_ok()) return source.status();
    api_sources.push_back(std::move(source).value());
  }
  std::vector<SourceDefinition> from_config = definitions_of(config_sources);
  if (std::string clash = source_clash(from_config, api_sources); !clash.empty()) {
    return Status::invalid_argument(std::move(clash));
  }
  std::unique_ptr<SourceCatalog> catalog(
      new SourceCatalog(store, directory, metrics, clock ? std::move(clock) : system_now_ms));
  MutexLock lock(catalog->mutex_);
  if (Status published = catalog->change(std::move(from_config), std::move(api_sources), {});
      !published.is_ok()) {
    return published;
  }
  return catalog;
}

SourceCatalog::SourceCatalog(storage::SourceStore& store, SourceDirectory& directory,
                             ApiMetrics* metrics, Clock clock)
    : store_(store), directory_(directory), metrics_(metrics), clock_(std::move(clock)) {}

std::vector<SourceDefinition> SourceCatalog::list() const {
  MutexLock lock(mutex_);
  std::vector<SourceDefinition> all = config_;
  all.insert(all.end(), api_.begin(), api_.end());
  return all;
}

std::optional<SourceDefinition> SourceCatalog::find(std::string_view name) const {
  MutexLock lock(mutex_);
  for (const auto* sources : {&config_, &api_}) {
    for (const SourceDefinition& source : *sources) {
      if (source.name == name) return source;
    }
  }
  return std::nullopt;
}

Result<std::shared_ptr<const SourceRegistry>> SourceCatalog::build(
    const std::vector<SourceDefinition>& config_sources,
    const std::vector<SourceDefinition>& api_sources) const {
  std::vector<SourceDefinition> all = config_sources;
  all.insert(all.end(), api_sources.begin(), api_sources.end());
  try {
    const std::shared_ptr<const SourceRegistry> previous = directory_.current();
    return std::shared_ptr<const SourceRegistry>(
        std::make_shared<const SourceRegistry>(all, metrics_, previous.get()));
  } catch (const std::exception& failure) {
    return Status::internal(failure.what());
  }
}

Status SourceCatalog::change(std::vector<SourceDefinition> config_sources,
                             std::vector<SourceDefinition> api_sources,
                             const std::optional<StoredChange>& stored) {
  // Built before anything is written: a registry that cannot be built changes nothing, and a
  // write that fails leaves the catalog as it was.
  auto registry = build(config_sources, api_sources);
  if (!registry.is_ok()) return registry.status();
  if (stored) {
    const Status written =
        stored->stored ? store_.put(stored->name, *stored->stored) : store_.erase(stored->name);
    if (!written.is_ok()) {
      return written.with_context("cannot store the source " + quoted(stored->name));
    }
  }
  config_ = std::move(config_sources);
  api_ = std::move(api_sources);
  directory_.publish(std::move(registry).value());
  return Status::ok();
}

SourceDefinition* SourceCatalog::find_api(std::string_view name) {
  const auto it = std::lower_bound(
      api_.begin(), api_.end(), name,
      [](const SourceDefinition& source, std::string_view wanted) { return source.name < wanted; });
  return it != api_.end() && it->name == name ? &*it : nullptr;
}

bool SourceCatalog::is_config_source(std::string_view name) const {
  return std::any_of(config_.begin(), config_.end(),
                     [name](const SourceDefinition& source) { return source.name == name; });
}

Status SourceCatalog::not_changeable(std::string_view name) const {
  if (is_config_source(name)) return managed_by_config(name);
  return Status::not_found("no source named " + quoted(name));
}

Result<std::string> SourceCatalog::unused_key() const {
  // 192 random bits do not repeat; the check costs little and makes it a fact. A key that
  // starts with '-' is drawn again: command lines (ours and curl's) would take it for an option.
  for (;;) {
    auto key = generate_write_key();
    if (!key.is_ok()) return key;
    if (key->front() != '-' && !has_key(config_, *key) && !has_key(api_, *key)) return key;
  }
}

Status SourceCatalog::store_and_publish(SourceDefinition source) {
  std::vector<SourceDefinition> next = api_;
  const auto at = std::lower_bound(
      next.begin(), next.end(), source.name,
      [](const SourceDefinition& entry, const std::string& wanted) { return entry.name < wanted; });
  StoredChange stored{source.name, encode_stored_source(source)};
  if (at != next.end() && at->name == source.name) {
    *at = std::move(source);
  } else {
    next.insert(at, std::move(source));
  }
  return change(config_, std::move(next), stored);
}

Result<SourceDefinition> SourceCatalog::create(std::string_view name,
                                               config::SourceSettings settings,
                                               config::SourceKind kind) {
  if (!valid_source_name(name)) {
    return Status::invalid_argument(
        "a source name is 1 to 64 letters, digits, '.', '_' or '-'; got " + quoted(name));
  }
  if (Status suits = check_kind(kind, settings); !suits.is_ok()) return suits;
  MutexLock lock(mutex_);
  if (find_api(name) != nullptr || is_config_source(name)) {
    return Status::error(StatusCode::kAlreadyExists,
                         "a source named " + quoted(name) + " exists already");
  }
  auto key = unused_key();
  if (!key.is_ok()) return key.status();
  SourceDefinition source;
  source.name = std::string(name);
  source.origin = SourceOrigin::kApi;
  source.kind = kind;
  source.created_at_ms = clock_();
  source.keys.push_back(WriteKey{std::move(key).value(), source.created_at_ms});
  source.settings = std::move(settings);
  SourceDefinition created = source;
  if (Status done = store_and_publish(std::move(source)); !done.is_ok()) return done;
  spdlog::info("source \"{}\" created", created.name);
  return created;
}

Result<SourceDefinition> SourceCatalog::update(
    std::string_view name, const std::function<Status(SourceDefinition&)>& change) {
  MutexLock lock(mutex_);
  const SourceDefinition* existing = find_api(name);
  if (existing == nullptr) return not_changeable(name);
  SourceDefinition next = *existing;
  if (Status changed = change(next); !changed.is_ok()) return changed;
  next.name = existing->name;  // a change cannot rename or change the kind
  next.origin = SourceOrigin::kApi;
  next.kind = existing->kind;
  if (next == *existing) return next;
  if (Status suits = check_kind(next.kind, next.settings); !suits.is_ok()) return suits;
  SourceDefinition updated = next;
  if (Status done = store_and_publish(std::move(next)); !done.is_ok()) return done;
  return updated;
}

Status SourceCatalog::remove(std::string_view name) {
  MutexLock lock(mutex_);
  const SourceDefinition* existing = find_api(name);
  if (existing == nullptr) return not_changeable(name);
  std::vector<SourceDefinition> next = api_;
  next.erase(next.begin() + (existing - api_.data()));
  if (Status removed = change(config_, std::move(next), StoredChange{std::string(name), {}});
      !removed.is_ok()) {
    return removed;
  }
  spdlog::info("source \"{}\" deleted", name);
  return Status::ok();
}

Result<std::string> SourceCatalog::add_key(std::string_view name) {
  MutexLock lock(mutex_);
  const SourceDefinition* existing = find_api(name);
  if (existing == nullptr) return not_changeable(name);
  auto key = unused_key();
  if (!key.is_ok()) return key.status();
  SourceDefinition next = *existing;
  next.keys.push_back(WriteKey{*key, clock_()});
  if (Status done = store_and_publish(std::move(next)); !done.is_ok()) return done;
  return key;
}

Result<SourceDefinition> SourceCatalog::revoke_key(std::string_view name, std::string_view key,
                                                   std::chrono::milliseconds grace) {
  if (grace.count() < 0 || grace > kMaxRevokeGrace) {
    return Status::invalid_argument("a grace period is between 0s and 90 days");
  }
  return update(name, [&](SourceDefinition& source) {
    for (WriteKey& entry : source.keys) {
      if (entry.key != key) continue;
      entry.expires_at_ms = std::min(entry.expires_at_ms, clock_() + grace.count());
      return Status::ok();
    }
    return Status::not_found("the source " + quoted(name) + " has no such write key");
  });
}

Status SourceCatalog::replace_config_sources(const std::vector<config::SourceConfig>& sources) {
  std::vector<SourceDefinition> next = definitions_of(sources);
  MutexLock lock(mutex_);
  if (std::string clash = source_clash(next, api_); !clash.empty()) {
    return Status::invalid_argument(std::move(clash));
  }
  return change(std::move(next), api_, {});
}

}  // namespace sluice::api
