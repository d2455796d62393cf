// The sluice executable: the server, and the operator commands around it.

#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "admin/admin_server.hpp"
#include "api/api_metrics.hpp"
#include "api/source_catalog.hpp"
#include "api/source_directory.hpp"
#include "api/sources.hpp"
#include "config/config.hpp"
#include "net/tls_credentials.hpp"
#include "router/router.hpp"
#include "router/router_metrics.hpp"
#include "server/config_reloader.hpp"
#include "server/email_link_cli.hpp"
#include "server/http_server.hpp"
#include "server/log_cat.hpp"
#include "server/open_file_limit.hpp"
#include "server/server_metrics.hpp"
#include "server/sources_cli.hpp"
#include "server/tls_metrics.hpp"
#include "server/tls_reloader.hpp"
#include "storage/event_finder.hpp"
#include "storage/event_log.hpp"
#include "storage/retention.hpp"
#include "storage/storage_metrics.hpp"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace {

using namespace sluice;

std::optional<config::Config> load_or_report(const std::string& path) {
  const config::LoadResult result = config::load_server_config(path, config::process_environment());
  for (const auto& error : result.errors) std::cerr << error.to_string() << '\n';
  return result.config;
}

// Raises the open file limit for server.max_connections plus the descriptor reserve, and
// lowers max_connections to what the limit leaves after the reserve, saying so.
void fit_connections_to_file_limit(config::ServerConfig& server) {
  std::string error;
  const server::OpenFileLimit limit =
      server::raise_open_file_limit(server.max_connections + server::kDescriptorReserve, &error);
  if (!error.empty()) {
    spdlog::warn("{}", error);
    return;
  }
  const std::size_t cap = server::connection_cap(server.max_connections, limit);
  if (cap < server.max_connections) {
    spdlog::warn(
        "the open file limit is {} (hard limit {}): serving at most {} connections instead of "
        "server.max_connections ({}), keeping {} descriptors for the log, the admin API and the "
        "destinations; raise the hard limit (e.g. LimitNOFILE= in a systemd unit)",
        limit.soft, limit.hard, cap, server.max_connections,
        server::descriptor_reserve(limit.soft));
    server.max_connections = cap;
  }
}

net::TlsFiles tls_files(const config::TlsConfig& tls) {
  return net::TlsFiles{tls.cert_file, tls.key_file,
                       tls.min_version == config::TlsVersion::kTls13 ? net::TlsMinVersion::kTls13
                                                                     : net::TlsMinVersion::kTls12};
}

int run_server(const std::string& config_path) {
  auto config = load_or_report(config_path);
  if (!config) return 2;
  // A reload compares the file with the config as it was loaded, before start-up adjusted it.
  const config::Config as_loaded = *config;
  spdlog::set_level(spdlog::level::from_str(config->log.level));
  fit_connections_to_file_limit(config->server);

  prometheus::Registry registry;
  storage::StorageMetrics storage_metrics(registry);
  auto opened = storage::EventLog::open(config->storage, &storage_metrics);
  if (!opened.is_ok()) {
    spdlog::critical("{}", opened.status().message());
    return 1;
  }
  std::unique_ptr<storage::EventLog> log = std::move(opened).value();
  router::RouterMetrics router_metrics(registry);
  auto created = router::Router::create(config->destinations, *log, router_metrics);
  if (!created.is_ok()) {
    spdlog::critical("{}", created.status().message());
    return 1;
  }
  std::unique_ptr<router::Router> delivery = std::move(created).value();
  storage::Retention retention(log->records(), log->delivery_state(), delivery->names(),
                               config->storage.retention);
  retention.set_dedup(log->dedup());
  api::ApiMetrics api_metrics(registry);
  api::SourceDirectory sources(
      std::make_shared<const api::SourceRegistry>(config->sources, &api_metrics));
  // The config's sources and the ones created through the admin API, stored in the log.
  auto catalog =
      api::SourceCatalog::open(log->source_store(), config->sources, sources, &api_metrics);
  if (!catalog.is_ok()) {
    spdlog::critical("sources: {}", catalog.status().message());
    return 1;
  }
  // A reload's destinations: the router builds the new loops, then swaps them in; retention
  // counts the new set.
  const auto prepare_destinations =
      [&](const std::vector<config::DestinationConfig>& next) -> Result<std::function<void()>> {
    auto plan = delivery->plan(next);
    if (!plan.is_ok()) return plan.status();
    auto ready = std::make_shared<router::Router::Plan>(std::move(plan).value());
    return std::function<void()>([&delivery, &retention, ready] {
      const router::Router::Changes changes = delivery->apply(std::move(*ready));
      retention.set_destinations(delivery->names());
      spdlog::info("destinations reloaded: {} added, {} removed, {} restarted",
                   changes.added.size(), changes.removed.size(), changes.restarted.size());
    });
  };
  server::RequestSettingsDirectory request_settings(
      std::make_shared<const server::RequestSettings>(config->server));
  server::ConfigReloader reloader(
      config_path, as_loaded,
      server::ReloadTargets{**catalog, &request_settings, prepare_destinations}, registry);
  server::ServerMetrics server_metrics(registry);
  server::TlsMetrics tls_metrics(registry);
  std::unique_ptr<net::TlsCredentials> tls;
  if (config->server.tls.enabled) {
    auto loaded = net::TlsCredentials::load(tls_files(config->server.tls), tls_metrics);
    if (!loaded.is_ok()) {
      spdlog::critical("[server.tls]: {}", loaded.status().message());
      return 1;
    }
    tls = std::move(loaded).value();
  }
  // What intake refuses, shown by the admin API's live tail while it has subscribers.
  api::RejectionFeed rejections;
  server::HttpServer http(server::ServerDependencies{
      *config, log->records(), sources, request_settings, api_metrics, server_metrics, registry,
      tls.get(), &tls_metrics, &reloader.generation_counter(), &rejections});
  if (const Status bound = http.bind(); !bound.is_ok()) {
    spdlog::critical("{}", bound.message());
    return 1;
  }

  std::unique_ptr<admin::AdminServer> admin_api;
  const storage::EventFinder events(*log, config->storage.dedup_window);
  if (config->admin.enabled) {
    std::string error;
    admin_api = admin::AdminServer::start(
        config->admin, *delivery, &error, admin::AdminLimits{},
        admin::AdminServices{
            .reload = [&reloader] { return reloader.reload(); },
            .sources = catalog->get(),
            .events = &events,
            .log = &log->records(),
            .rejections = &rejections,
            .metrics = &api_metrics,
            .public_host =
                [&request_settings] { return request_settings.current()->public_host; }});
    if (!admin_api) {
      spdlog::critical("{}", error);
      return 1;
    }
  }

  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, finishing in-flight requests", signal);
    http.stop();
  });
  // SIGHUP: the config file again, and the TLS certificate.
  boost::asio::signal_set hangup(signals_io, SIGHUP);
  std::function<void()> wait_for_hangup = [&] {
    hangup.async_wait([&](boost::system::error_code ec, int /*signal*/) {
      if (ec) return;
      spdlog::info("received SIGHUP: reloading the config{}",
                   tls ? " and the TLS certificate" : "");
      (void)reloader.reload();  // logs what it did
      if (tls) {
        if (const Status reloaded = tls->reload(); !reloaded.is_ok()) {
          spdlog::warn("TLS: certificate reload refused: {}", reloaded.message());
        }
      }
      wait_for_hangup();
    });
  };
  wait_for_hangup();
  std::optional<server::TlsReloader> tls_reloader;
  if (tls) {
    tls_reloader.emplace(signals_io, *tls);
    tls_reloader->start();
  }
  http.start();
  delivery->start();
  retention.start();

  if (http.plain_port() != 0) {
    spdlog::info("plaintext tracking API listening on {}:{}", config->server.listen_plain_host,
                 http.plain_port());
  }
  if (http.ops_port() != 0) {
    spdlog::info("ops API listening on {}:{}", config->ops.listen_host, http.ops_port());
  }
  spdlog::info(
      "sluice {} listening on {}:{} ({}log {} at sequence {}, durability {}, {} destinations)",
      SLUICE_VERSION, config->server.listen_host, http.port(), tls ? "TLS, " : "",
      config->storage.path, log->records().last_sequence(),
      config->storage.durability == config::Durability::kFsync ? "fsync" : "wal", delivery->size());
  std::thread signal_thread([&] { signals_io.run(); });
  http.wait();
  signals_io.stop();
  signal_thread.join();
  // Intake has stopped; the admin API stops before the router it controls, and the loops
  // before the log they read closes.
  if (admin_api) admin_api->stop();
  delivery->stop();
  retention.stop();
  log->close();
  spdlog::info("stopped; log closed at sequence {}", log->records().last_sequence());
  return 0;
}

int check_config(const std::string& path) {
  auto config = load_or_report(path);
  if (!config) return 2;
  std::cout << path << ": OK\n";
  return 0;
}

int email_link(const std::string& config_path, const server::EmailLinkCommand& command) {
  auto config = load_or_report(config_path);
  if (!config) return 2;
  return server::run_email_link(command, *config, std::cout, std::cerr);
}

int cat_log(const std::string& config_path, std::uint64_t from, std::uint64_t limit) {
  auto config = load_or_report(config_path);
  if (!config) return 2;
  return server::log_cat(config->storage.path, from, limit, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Sluice: a Segment-compatible event ingestion server"};
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
  std::string config_path;
  app.add_option("-c,--config", config_path,
                 "TOML config file (default: the embedded default config)");

  auto* check = app.add_subcommand("check-config", "Validate a config file and print its errors");
  std::string check_path;
  check->add_option("file", check_path, "Config file")->required();

  auto* log_cmd = app.add_subcommand("log", "Inspect the event log");
  log_cmd->require_subcommand(1);
  auto* cat = log_cmd->add_subcommand("cat", "Print stored events as NDJSON");
  std::string cat_config;
  std::uint64_t from = 0;
  std::uint64_t limit = 0;
  cat->add_option("-c,--config", cat_config, "Config file naming the log")->required();
  cat->add_option("--from", from, "First sequence number to print");
  cat->add_option("--limit", limit, "Print at most this many events (0: all)");

  auto* sources_cmd =
      app.add_subcommand("sources", "Manage sources through the admin API (SLUICE_ADMIN_TOKEN)");
  sources_cmd->require_subcommand(1);
  server::SourcesCommand sources;
  const std::vector<std::pair<const char*, const char*>> source_actions{
      {"list", "List every source"},
      {"show", "Show one source and its write keys"},
      {"create", "Create a source and print its first write key"},
      {"disable", "Refuse the source's events until it is enabled"},
      {"enable", "Take the source's events again"},
      {"rotate", "Add a write key beside the current ones"},
      {"revoke", "Revoke a write key, now or after a grace period"}};
  for (const auto& [action, description] : source_actions) {
    auto* sub = sources_cmd->add_subcommand(action, description);
    sub->add_option("--admin", sources.admin_url, "Admin API URL")->default_val(sources.admin_url);
    sub->add_flag("--json", sources.json, "Print the admin API's JSON");
    if (std::string_view(action) == "list") continue;
    sub->add_option("name", sources.name, "Source name")->required();
    if (std::string_view(action) == "create") {
      sub->add_option("--kind", sources.kind,
                      "tracking (default), sendgrid, mailgun, postmark, mandrill or webhook");
      sub->add_option("--settings", sources.settings, "Settings as a JSON object");
    } else if (std::string_view(action) == "revoke") {
      sub->add_option("key", sources.key, "The write key to revoke")->required();
      sub->add_option("--after", sources.after, "Grace period, such as 24h (default: now)");
    }
  }

  auto* email_cmd = app.add_subcommand("email", "Email tools");
  email_cmd->require_subcommand(1);
  auto* link_cmd = email_cmd->add_subcommand("link", "Print a signed click link");
  std::string link_config;
  server::EmailLinkCommand link;
  link_cmd->add_option("-c,--config", link_config, "Config file naming the source")->required();
  link_cmd->add_option("--source", link.source, "Source whose link_secret signs the link")
      ->required();
  link_cmd->add_option("--url", link.url, "The target the reader is sent to")->required();
  link_cmd->add_option("--data", link.data, R"(JSON object: userId or anonymousId, and properties)")
      ->required();

  CLI11_PARSE(app, argc, argv);
  if (*link_cmd) return email_link(link_config, link);
  if (*check) return check_config(check_path);
  if (*cat) return cat_log(cat_config, from, limit);
  if (*sources_cmd) {
    sources.action = sources_cmd->get_subcommands().front()->get_name();
    if (const char* token = std::getenv("SLUICE_ADMIN_TOKEN")) sources.token = token;
    return server::run_sources_command(sources, std::cout, std::cerr);
  }
  return run_server(config_path);
}
