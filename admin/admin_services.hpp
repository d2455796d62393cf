#pragma once
// What the admin API serves beyond the destinations of its router::RouterControl. Each must
// outlive the server; the endpoints of one that is missing are 404.
#include <functional>
#include <string>

#include "api/api_metrics.hpp"
#include "api/rejection_feed.hpp"
#include "api/source_catalog.hpp"
#include "config/reload_outcome.hpp"
#include "storage/event_finder.hpp"
#include "storage/record_log.hpp"

namespace sluice::admin {

// Re-reads the config file (POST /v1/reload).
using ReloadHook = std::function<config::ReloadOutcome()>;

struct AdminServices {
  ReloadHook reload;                             // POST /v1/reload
  api::SourceCatalog* sources = nullptr;         // /v1/sources
  const storage::EventFinder* events = nullptr;  // GET /v1/events/{messageId}
  const storage::RecordLog* log = nullptr;       // GET /v1/tail
  api::RejectionFeed* rejections = nullptr;      // the tail's rejected=true
  // GET /v1/workspace (with sources): each source's counters, and the host SDKs are told to
  // send to (server.public_host, as a reload may change it).
  api::ApiMetrics* metrics = nullptr;
  std::function<std::string()> public_host;
};

}  // namespace sluice::admin
