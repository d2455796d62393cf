#pragma once

// Applies a changed config file without a restart (SIGHUP, or POST /v1/reload on the admin
// API). The file is read and validated whole first: an invalid one changes nothing, and its
// errors come back with file:line:column. A valid one is compared with the config in force:
//   - applied at once: [[sources]] (names, write keys, [sources.settings]; SLUICE_SOURCES is
//     read again too), log.level, and the [server] rules a request is answered under (limits,
//     CORS, trust_forwarded_for, public_host, retry_after: request_settings.hpp). The catalog
//     publishes a new SourceRegistry: requests that start afterwards use it, requests in progress
//     finish under the one they started with. Sources that would clash with the ones created
//     through the admin API (a name or a write key) refuse the reload whole.
//   - [[destinations]], through the hook main gives (the router's reconfigure: added ones
//     start, removed ones stop with their cursor kept, changed ones restart from their
//     cursor). The destinations are built first and the sources swapped next (both can refuse
//     the reload, changing nothing); only then do the destinations change.
//   - reported as needing a restart, and not applied: everything else that changed ([server]'s
//     listeners, threads, timeouts and connection limit, [server.tls]'s files, [storage], [ops],
//     [admin]; [[destinations]] or the request rules when main gave no target for them).
//     Applying part of a listener or storage change would leave the server between two
//     configs.
// Each reload that applies counts one more config generation (1 at start-up), shown by
// sluice_config_generation and /ready.
//
// Thread-safe: reloads are serialized, so a SIGHUP and an admin request cannot interleave.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "api/source_catalog.hpp"
#include "common/mutex.hpp"
#include "config/config.hpp"
#include "config/reload_outcome.hpp"
#include "server/request_settings.hpp"

namespace sluice::server {

// Prepares a reload's destinations without changing anything: the function that then puts them
// in force (it cannot fail), or the error that refuses the reload.
using DestinationsHook =
    std::function<Result<std::function<void()>>(const std::vector<config::DestinationConfig>&)>;

// What a reload changes. The catalog and the directory must outlive the reloader.
struct ReloadTargets {
  api::SourceCatalog& sources;
  RequestSettingsDirectory* request_settings = nullptr;  // null: those need a restart
  DestinationsHook destinations;                         // empty: they need a restart
};

class ConfigReloader {
 public:
  // config_path: the file the server was started with; empty for the embedded default.
  // `in_force` is the config as loaded, before start-up adjusted anything.
  ConfigReloader(std::string config_path, config::Config in_force, ReloadTargets targets,
                 prometheus::Registry& registry);

  config::ReloadOutcome reload() EXCLUDES(mutex_);
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The generation counter itself, for /ready (read on the IO threads).
  const std::atomic<std::uint64_t>& generation_counter() const { return generation_; }

 private:
  const std::string config_path_;
  const ReloadTargets targets_;
  prometheus::Counter& reloads_;
  prometheus::Counter& failures_;
  prometheus::Gauge& generation_gauge_;
  Mutex mutex_;
  config::Config in_force_ GUARDED_BY(mutex_);
  std::atomic<std::uint64_t> generation_{1};
};

// The settings that differ between two configs and that no reload applies, by name
// ([[destinations]] and the request rules are the reloader's to judge).
std::vector<std::string> settings_needing_restart(const config::Config& in_force,
                                                  const config::Config& next);

}  // namespace sluice::server
