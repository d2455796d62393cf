#pragma once

// Every source the server knows, and the one place that changes them: the config file's sources
// (replaced as a whole on a reload) and the sources created through the admin API (created,
// changed, their keys added and revoked, one at a time, and stored in the log's database). After
// each change the catalog builds a new SourceRegistry from all of them and publishes it through
// the SourceDirectory, so the change is in force for the next request, and intake never waits
// on a lock for it.
//
// An API change is written to the database (and synced as the log's durability says) before it
// is published and before the call returns: a source whose creation was answered survives a
// kill -9. A change that cannot be written changes nothing.
//
// The config's sources are declarative: the catalog refuses to change them (the admin API
// answers 409 managed_by_config), and a source's name and every write key belong to one source
// only, whichever side declared it. Start-up and a reload whose sources would break that fail,
// saying which source and key.
//
// Thread-safe: changes are serialized by a mutex held while the change is written; readers of
// the registry never take it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/source_definition.hpp"
#include "api/source_directory.hpp"
#include "api/sources.hpp"
#include "common/mutex.hpp"
#include "common/status.hpp"
#include "config/config.hpp"
#include "storage/source_store.hpp"

namespace sluice::api {

class ApiMetrics;

// The longest grace period a revoked key may keep working.
inline constexpr std::chrono::hours kMaxRevokeGrace{24 * 90};

class SourceCatalog {
 public:
  using Clock = std::function<std::int64_t()>;  // Unix milliseconds

  // Reads the stored sources and publishes the registry of all of them to directory. Fails
  // when the store cannot be read or a stored source clashes with one of config_sources.
  // metrics may be null (tests); clock defaults to the system clock.
  static Result<std::unique_ptr<SourceCatalog>> open(
      storage::SourceStore& store, const std::vector<config::SourceConfig>& config_sources,
      SourceDirectory& directory, ApiMetrics* metrics, Clock clock = {});

  SourceCatalog(const SourceCatalog&) = delete;
  SourceCatalog& operator=(const SourceCatalog&) = delete;

  // The config's sources in file order, then the API's in name order.
  std::vector<SourceDefinition> list() const EXCLUDES(mutex_);
  std::optional<SourceDefinition> find(std::string_view name) const EXCLUDES(mutex_);
  std::int64_t now_ms() const { return clock_(); }

  // A new enabled source with one new write key. kInvalidArgument for a name that is not 1-64
  // letters, digits, '.', '_' or '-' starting with a letter or digit, or settings that do not
  // suit the kind (config/source_kinds.hpp); kAlreadyExists when the name is taken.
  Result<SourceDefinition> create(std::string_view name, config::SourceSettings settings,
                                  config::SourceKind kind = config::SourceKind::kTracking)
      EXCLUDES(mutex_);
  // Applies change to a copy of an API source, then stores and publishes it. kNotFound,
  // kFailedPrecondition for a config source, kInvalidArgument when the changed settings do not
  // suit the source's kind, or change's own error (then nothing changes).
  Result<SourceDefinition> update(std::string_view name,
                                  const std::function<Status(SourceDefinition&)>& change)
      EXCLUDES(mutex_);
  // Forgets an API source and its keys; the events it sent stay in the log.
  Status remove(std::string_view name) EXCLUDES(mutex_);
  // A new write key for an API source (for rotation: the old ones keep working).
  Result<std::string> add_key(std::string_view name) EXCLUDES(mutex_);
  // The key stops working after grace (0: now). A key already revoked keeps the earlier end.
  Result<SourceDefinition> revoke_key(std::string_view name, std::string_view key,
                                      std::chrono::milliseconds grace) EXCLUDES(mutex_);

  // A reload's sources in place of the config's in force. Refused, changing nothing, when one
  // of them clashes with an API source (its name or a write key).
  Status replace_config_sources(const std::vector<config::SourceConfig>& sources) EXCLUDES(mutex_);

 private:
  SourceCatalog(storage::SourceStore& store, SourceDirectory& directory, ApiMetrics* metrics,
                Clock clock);

  // A write to the store: a source's stored form, or its removal (nullopt).
  struct StoredChange {
    std::string name;
    std::optional<std::string> stored;
  };

  // The registry of these sources, not yet published.
  Result<std::shared_ptr<const SourceRegistry>> build(
      const std::vector<SourceDefinition>& config_sources,
      const std::vector<SourceDefinition>& api_sources) const REQUIRES(mutex_);
  // Puts these sources in force: builds their registry, writes stored (when given), then
  // replaces config_ and api_ and publishes. Nothing changes when a step fails.
  Status change(std::vector<SourceDefinition> config_sources,
                std::vector<SourceDefinition> api_sources,
                const std::optional<StoredChange>& stored) REQUIRES(mutex_);
  // Stores source (an API source) and puts it in force in place of the one of its name.
  Status store_and_publish(SourceDefinition source) REQUIRES(mutex_);
  SourceDefinition* find_api(std::string_view name) REQUIRES(mutex_);
  bool is_config_source(std::string_view name) const REQUIRES(mutex_);
  // Why name cannot be changed through the API: it is not there, or it is the config's.
  Status not_changeable(std::string_view name) const REQUIRES(mutex_);
  // A write key no source has, from the CSPRNG.
  Result<std::string> unused_key() const REQUIRES(mutex_);

  storage::SourceStore& store_;
  SourceDirectory& directory_;
  ApiMetrics* metrics_;
  const Clock clock_;
  mutable Mutex mutex_;
  std::vector<SourceDefinition> config_ GUARDED_BY(mutex_);
  std::vector<SourceDefinition> api_ GUARDED_BY(mutex_);  // in name order
};

// A write key from OpenSSL's CSPRNG: 192 random bits as 32 URL-safe base64 characters.
// kInternal when the CSPRNG fails.
Result<std::string> generate_write_key();

// Whether name may be given to a source created through the API.
bool valid_source_name(std::string_view name);

// The first clash between the two sets of sources (a shared name or write key), as a message;
// empty when there is none.
std::string source_clash(const std::vector<SourceDefinition>& config_sources,
                         const std::vector<SourceDefinition>& api_sources);

}  // namespace sluice::api
