#include "server/config_reloader.hpp"

#include <exception>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

namespace sluice::server {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::vector<std::string> settings_needing_restart(const config::Config& in_force,
                                                  const config::Config& next) {
  std::vector<std::string> changed;
  const auto check = [&changed](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  const config::ServerConfig& a = in_force.server;
  const config::ServerConfig& b = next.server;
  check(a.listen_host != b.listen_host || a.listen_port != b.listen_port, "server.listen");
  check(a.listen_plain != b.listen_plain || a.listen_plain_host != b.listen_plain_host ||
            a.listen_plain_port != b.listen_plain_port,
        "server.listen_plain");
  check(a.tls != b.tls, "server.tls");
  check(a.threads != b.threads, "server.threads");
  check(a.header_timeout != b.header_timeout, "server.header_timeout");
  check(a.body_timeout != b.body_timeout, "server.body_timeout");
  check(a.idle_timeout != b.idle_timeout, "server.idle_timeout");
  check(a.max_connections != b.max_connections, "server.max_connections");
  check(in_force.storage != next.storage, "storage");
  check(in_force.ops != next.ops, "ops");
  check(in_force.admin != next.admin, "admin");
  return changed;
}

ConfigReloader::ConfigReloader(std::string config_path, config::Config in_force,
                               ReloadTargets targets, prometheus::Registry& registry)
    : config_path_(std::move(config_path)),
      targets_(std::move(targets)),
      reloads_(prometheus::BuildCounter()
                   .Name("sluice_config_reloads_total")
                   .Help("Config reloads that were applied (SIGHUP or POST /v1/reload)")
                   .Register(registry)
                   .Add({})),
      failures_(prometheus::BuildCounter()
                    .Name("sluice_config_reload_failures_total")
                    .Help("Config reloads refused because the file was invalid; nothing changed")
                    .Register(registry)
                    .Add({})),
      generation_gauge_(prometheus::BuildGauge()
                            .Name("sluice_config_generation")
                            .Help("Version of the config in force: 1 at start-up, one more per "
                                  "applied reload")
                            .Register(registry)
                            .Add({})),
      in_force_(std::move(in_force)) {
  generation_gauge_.Set(1);
}

config::ReloadOutcome ConfigReloader::reload() {
  MutexLock lock(mutex_);
  config::ReloadOutcome outcome;
  config::LoadResult loaded =
      config::load_server_config(config_path_, config::process_environment());
  const auto refuse = [&](std::vector<std::string> errors) {
    failures_.Increment();
    outcome.errors = std::move(errors);
    outcome.generation = generation();
    spdlog::error("config reload refused, nothing changed: {}", joined(outcome.errors));
    return outcome;
  };
  if (!loaded.config) {
    std::vector<std::string> errors;
    for (const auto& error : loaded.errors) errors.push_back(error.to_string());
    return refuse(std::move(errors));
  }
  config::Config next = std::move(*loaded.config);

  // Whatever can refuse the reload runs before anything changes: the destinations are built,
  // then the sources are swapped (checked and swapped in one step, so an admin change cannot
  // slip in between), and only then do the destinations change, which cannot fail.
  const bool destinations_changed = next.destinations != in_force_.destinations;
  std::function<void()> put_destinations_in_force;
  if (destinations_changed && targets_.destinations) {
    auto prepared = targets_.destinations(next.destinations);
    if (!prepared.is_ok()) return refuse({prepared.status().message()});
    put_destinations_in_force = std::move(prepared).value();
  }
  if (next.sources != in_force_.sources) {
    if (const Status replaced = targets_.sources.replace_config_sources(next.sources);
        !replaced.is_ok()) {
      return refuse({replaced.message()});
    }
  }
  if (put_destinations_in_force) {
    put_destinations_in_force();
    outcome.applied.emplace_back("destinations");
    in_force_.destinations = next.destinations;
  }
  if (next.sources != in_force_.sources) outcome.applied.emplace_back("sources");
  std::vector<std::string> request_rules = changed_request_settings(in_force_.server, next.server);
  if (!request_rules.empty() && targets_.request_settings != nullptr) {
    targets_.request_settings->publish(std::make_shared<const RequestSettings>(next.server));
    outcome.applied.insert(outcome.applied.end(), request_rules.begin(), request_rules.end());
    request_rules.clear();
    copy_request_settings(next.server, in_force_.server);
  }
  if (next.log.level != in_force_.log.level) {
    spdlog::set_level(spdlog::level::from_str(next.log.level));
    outcome.applied.emplace_back("log.level");
  }
  outcome.restart_required = settings_needing_restart(in_force_, next);
  if (destinations_changed && !targets_.destinations) {
    outcome.restart_required.emplace_back("destinations");
  }
  outcome.restart_required.insert(outcome.restart_required.end(), request_rules.begin(),
                                  request_rules.end());

  // What a restart needs stays as it is in force, so that it is reported again by the next
  // reload until the server restarts.
  in_force_.sources = std::move(next.sources);
  in_force_.log = next.log;
  const std::uint64_t generation = generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
  generation_gauge_.Set(static_cast<double>(generation));
  reloads_.Increment();
  outcome.ok = true;
  outcome.generation = generation;
  spdlog::info("config generation {} in force; applied: {}{}", generation,
               outcome.applied.empty() ? "nothing changed" : joined(outcome.applied),
               outcome.restart_required.empty()
                   ? ""
                   : "; needs a restart, not applied: " + joined(outcome.restart_required));
  return outcome;
}

}  // namespace sluice::server
